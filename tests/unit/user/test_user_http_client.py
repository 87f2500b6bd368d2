"""HttpUser.client is a requests-like session that locustfiles may extend with their own attributes
(the session class itself is compiled by mypyc at install, and compiled objects have no __dict__)."""

from __future__ import annotations

from horde.http.fast import FastHttpSession
from horde.http.session import HttpSession
from horde.runtime.environment import Environment
from horde.runtime.events import Events
from horde.user.http_users import FastHttpUser, HttpUser
from horde.user.task import task


class Shopper(HttpUser):
    host = "http://127.0.0.1:1"

    @task
    def browse(self) -> None:
        pass


def test_the_client_takes_any_attribute_and_is_an_http_session() -> None:
    user = Shopper(Environment(user_classes=[Shopper], events=Events()))
    client = user.client
    assert isinstance(client, HttpSession)
    client.auth_token = "abc"  # e.g. stored by on_start, read by tasks
    client.verify = False
    assert (client.auth_token, client.verify) == ("abc", False)


class FastShopper(FastHttpUser):
    host = "http://127.0.0.1:1"

    @task
    def browse(self) -> None:
        pass


def test_the_fast_client_takes_any_attribute_too() -> None:
    user = FastShopper(Environment(user_classes=[FastShopper], events=Events()))
    assert isinstance(user.client, FastHttpSession)
    user.client.auth_token = "abc"
    assert user.client.auth_token == "abc"
    assert user.client.cookies is user.client.cookiejar
