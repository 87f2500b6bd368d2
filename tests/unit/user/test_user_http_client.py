"""HttpUser.client is a requests-like session that locustfiles may extend with their own attributes
(the session class itself is compiled by mypyc at install, and compiled objects have no __dict__)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from horde.http import MockResponse, MockTransport
from horde.http.fast import FastHttpSession
from horde.http.session import HttpSession
from horde.runtime.environment import Environment
from horde.runtime.events import Events
from horde.user.http_users import FastHttpUser, FastUserSession, HttpUser, UserSession
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


class Samples(list[tuple[Any, ...]]):
    def __call__(self, *sample: Any) -> None:
        self.append(sample)


async def every_verb(session: Any) -> None:
    await session.get("/get")
    await session.get("/named", name="named")
    await session.post("/post", json={"a": 1})
    await session.put("/put", data=b"x")
    await session.delete("/delete")
    async with session.get("/caught", name="caught", catch_response=True) as response:
        response.failure("not what we wanted")


@pytest.mark.parametrize("session_class", [UserSession, FastUserSession])
def test_a_locustfile_that_wraps_client_request_sees_every_verb(session_class: Any) -> None:
    # requests' verbs call self.request, so a locustfile may wrap client.request to change every
    # request; the verbs skip request() only while it is the session's own.
    transport = MockTransport(lambda request: MockResponse())
    samples = Samples()
    session = session_class(base_url="http://shop.test", recorder=samples, transport=transport)
    asyncio.run(session.get("/before"))
    original = session.request
    seen: list[tuple[str, str]] = []

    def wrapped(method: str, url: str, **kwargs: Any) -> Any:
        seen.append((method, url))
        kwargs["name"] = f"wrapped {kwargs.get('name')}"
        return original(method, url, **kwargs)

    session.request = wrapped
    asyncio.run(every_verb(session))
    assert [url for _, url in seen] == ["/get", "/named", "/post", "/put", "/delete", "/caught"]
    names = [sample[1] for sample in samples]
    assert names == ["/before", "wrapped None", "wrapped named"] + ["wrapped None"] * 3 + ["wrapped caught"]
    assert [sent.method for sent in transport.sent] == ["GET", "GET", "GET", "POST", "PUT", "DELETE", "GET"]


class TaggingSession(HttpSession):
    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        kwargs["headers"] = {"X-Tag": method}
        return super().request(method, url, **kwargs)


class TaggingFastSession(FastHttpSession):
    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        kwargs["headers"] = {"X-Tag": method}
        return super().request(method, url, **kwargs)


@pytest.mark.parametrize("session_class", [TaggingSession, TaggingFastSession])
def test_a_session_subclass_that_overrides_request_sees_every_verb(session_class: Any) -> None:
    transport = MockTransport(lambda request: MockResponse())
    samples = Samples()
    session = session_class(base_url="http://shop.test", recorder=samples, transport=transport)
    asyncio.run(every_verb(session))
    tags = [sent.headers.get("X-Tag") for sent in transport.sent]
    assert tags == ["GET", "GET", "POST", "PUT", "DELETE", "GET"]
    assert [sample[1] for sample in samples] == ["/get", "named", "/post", "/put", "/delete", "caught"]


@pytest.mark.parametrize("session_class", [HttpSession, FastHttpSession, UserSession, FastUserSession])
def test_the_verbs_send_what_they_are_given_without_a_wrapper(session_class: Any) -> None:
    transport = MockTransport(lambda request: MockResponse())
    samples = Samples()
    session = session_class(base_url="http://shop.test", recorder=samples, transport=transport)
    asyncio.run(every_verb(session))
    assert [(sent.method, sent.path, sent.body) for sent in transport.sent] == [
        ("GET", "/get", b""),
        ("GET", "/named", b""),
        ("POST", "/post", b'{"a":1}'),
        ("PUT", "/put", b"x"),
        ("DELETE", "/delete", b""),
        ("GET", "/caught", b""),
    ]
    assert transport.sent[2].headers["Content-Type"] == "application/json"
    assert [sample[1] for sample in samples] == ["/get", "named", "/post", "/put", "/delete", "caught"]
    failures = [sample[6] for sample in samples]
    assert failures[:5] == [None] * 5 and "not what we wanted" in str(failures[5])


class RecordingSession(HttpSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keywords: list[dict[str, Any]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        self.keywords.append(dict(kwargs))
        return super().request(method, url, **kwargs)


def test_an_overridden_request_gets_the_keywords_locusts_verbs_pass() -> None:
    # Locust 2.47's HttpSession verbs: data and json always (get/options/head/delete as None),
    # allow_redirects=True from get and options, False from head.
    session = RecordingSession("http://shop.test", transport=MockTransport(lambda request: MockResponse()))

    async def calls() -> None:
        await session.get("/", name="x")
        await session.options("/")
        await session.head("/")
        await session.post("/", json={})
        await session.put("/", b"x")
        await session.patch("/", json=[1])
        await session.delete("/", allow_redirects=False)

    asyncio.run(calls())
    assert session.keywords == [
        {"data": None, "json": None, "allow_redirects": True, "name": "x"},
        {"data": None, "json": None, "allow_redirects": True},
        {"data": None, "json": None, "allow_redirects": False},
        {"data": None, "json": {}},
        {"data": b"x", "json": None},
        {"data": None, "json": [1]},
        {"data": None, "json": None, "allow_redirects": False},
    ]
