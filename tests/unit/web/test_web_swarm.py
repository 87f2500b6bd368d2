"""The start form's parsing and the bind rule, without a server."""

from __future__ import annotations

import pytest

from horde.exception import UsageError
from horde.web.security import Access, check_bind, is_loopback
from horde.web.swarm import SwarmError, SwarmRequest, parse_swarm


def test_a_full_form() -> None:
    form = {
        "user_count": "10",
        "spawn_rate": "2.5",
        "host": " http://h:8080 ",
        "run_time": "1h30m",
        "profile": "p",
    }
    assert parse_swarm(form, ["A"], ["A", "B"]) == SwarmRequest(10, 2.5, "http://h:8080", 5400, ["A"], "p")


def test_an_arrival_rate_is_kept_as_typed_once_checked() -> None:
    form = {"user_count": "5", "spawn_rate": "1", "arrival_rate": " 10,30s:100 "}
    assert parse_swarm(form, [], ["A"]).arrival_rate == "10,30s:100"


def test_empty_fields_are_none() -> None:
    form = {"user_count": "", "spawn_rate": " ", "host": "", "run_time": ""}
    assert parse_swarm(form, [], ["A"]) == SwarmRequest(None, None, None, None, None, None)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"user_count": "1.5"}, "user_count must be a whole number, got '1.5'"),
        ({"user_count": "-1"}, "user_count cannot be negative"),
        ({"spawn_rate": "fast"}, "spawn_rate must be a number, got 'fast'"),
        ({"spawn_rate": "inf"}, "spawn_rate must be a number above 0"),
        ({"run_time": "0s"}, "run_time must be above 0"),
        ({"host": "ftp://x"}, "host must start with http:// or https://, got 'ftp://x'"),
        (
            {"arrival_rate": "fast"},
            "arrival_rate 'fast': use e.g. 50, 50/s, 600/m, or stages 30s:100,1m:100,30s:0",
        ),
    ],
)
def test_bad_values_give_one_readable_message(form: dict[str, str], message: str) -> None:
    with pytest.raises(SwarmError) as raised:
        parse_swarm(form, [], ["A"])
    assert str(raised.value) == message


def test_unknown_classes_are_named_with_the_available_ones() -> None:
    with pytest.raises(SwarmError, match=r"unknown user class\(es\): C; available: A, B"):
        parse_swarm({}, ["A", "C"], ["A", "B"])


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("0.0.0.0", False), ("", False), ("*", False), ("192.168.1.5", False), ("my-host", False)],
)  # fmt: skip
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_wider_bind_needs_credentials() -> None:
    check_bind("127.0.0.1", Access())
    check_bind("0.0.0.0", Access(token="t"))
    check_bind("", Access.from_options(None, "u:p"))
    with pytest.raises(
        UsageError, match="refusing to serve the web UI on every interface without authentication"
    ):
        check_bind("*", Access())


def test_web_open_serves_everywhere_without_a_login_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    check_bind("*", Access.from_options(None, None, web_open=True))
    assert "The web UI on every interface answers anyone who reaches it, without a login" in caplog.text
    assert not Access.from_options("t", None, web_open=True).open  # a token still protects it


@pytest.mark.parametrize(
    ("token", "user", "message"),
    [(" ", None, "--web-token cannot be empty"),
     (None, "nopassword", "--web-user must look like USER:PASSWORD"),
     (None, ":p", "--web-user must look like USER:PASSWORD")],
)  # fmt: skip
def test_bad_credentials_options(token: str | None, user: str | None, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Access.from_options(token, user)
