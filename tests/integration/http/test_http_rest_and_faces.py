"""rest()/rest_() on both sessions, and the two faces of every call (sync in the bridge, async)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from horde.concurrency.bridge import call_sync
from horde.exception import StopUser
from horde.http import FastHttpSession, HttpSession, RestMixin


class ApiUser(RestMixin):
    def __init__(self, client: Any) -> None:
        self.client = client


def sessions(url: str, recorder: Any) -> list[Any]:
    return [HttpSession(url, recorder), FastHttpSession(base_url=url, recorder=recorder)]


def test_rest_parses_json_and_sends_json_headers(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            for session in sessions(server.url, recorder):
                user = ApiUser(session)
                async with user.rest("POST", "/echo", json={"x": 1}) as resp:
                    assert resp.js["method"] == "POST"
                    assert resp.js["headers"]["Accept"] == "application/json"
                    assert resp.js["headers"]["Content-Type"] == "application/json"
                    assert resp.js["body"] == '{"x":1}'
                async with user.rest("GET", "/echo", headers={"Accept": "text/plain"}) as resp:
                    assert resp.js["headers"]["Accept"] == "text/plain"
                session.close()
            assert all(s["exception"] is None for s in recorder.samples)

    run(scenario())


def test_rest_turns_exceptions_into_failures(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            user = ApiUser(HttpSession(server.url, recorder))
            # explicit raises: pytest rewrites the messages of assert statements in test files
            async with user.rest("GET", "/json") as resp:
                if resp.js["n"] != 4:
                    raise AssertionError("wrong n")
            async with user.rest("GET", "/json") as resp:
                if resp.js["n"] != 4:
                    raise AssertionError("wrong n,")
            async with user.rest("GET", "/json") as resp:
                raise AssertionError
            async with user.rest("GET", "/json") as resp:
                resp.js["missing"]
            async with user.rest("GET", "/json-invalid") as resp:
                assert resp.js is None
            with pytest.raises(StopUser):
                async with user.rest("GET", "/json"):
                    raise StopUser()
            user.client.close()
            messages = [str(s["exception"]) for s in recorder.samples]
            assert messages[0] == "wrong n"
            assert messages[1] == 'wrong n, response was {"ok": true, "n": 3}'
            assert messages[2] == "Assertion failed"
            pattern = r"KeyError: 'missing' at .+test_http_rest_and_faces\.py:\d+ in scenario\. Response was"
            assert re.match(pattern, messages[3])
            assert messages[4].startswith("Could not parse response as JSON. this is not json {")
            assert len(recorder.samples) == 5  # StopUser propagated without a verdict: not reported

    run(scenario())


def test_rest_transport_failure(run: Any, recorder: Any, free_port: int) -> None:
    async def scenario() -> None:
        user = ApiUser(FastHttpSession(base_url=f"http://127.0.0.1:{free_port}", recorder=recorder))
        async with user.rest("GET", "/x") as resp:
            assert resp.js is None
        user.client.close()
        assert str(recorder.last["exception"]).startswith("response body None, error could not connect")

    run(scenario())


def test_rest_underscore_cache_buster(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            user = ApiUser(HttpSession(server.url, recorder))
            async with user.rest_("GET", "/echo") as resp:
                query = dict(resp.js["query"])
            async with user.rest_("GET", "/echo?a=1", name="custom") as resp:
                pass
            user.client.close()
            assert query["_"].isdigit() and int(query["_"]) > 1_600_000_000_000
            assert recorder.samples[0]["name"] == "/echo?_=..."
            assert recorder.samples[1]["name"] == "custom"

    run(scenario())


def test_sync_face_inside_the_bridge(run: Any, serve: Any, recorder: Any) -> None:
    def task(http: HttpSession, fast: FastHttpSession) -> list[Any]:
        user = ApiUser(fast)
        seen = [http.get("/echo").status_code, fast.get("/echo").status_code]
        with http.post("/echo", data="x", catch_response=True) as r:
            seen.append(r.json()["body"])
        with user.rest("GET", "/json") as resp:
            seen.append(resp.js["n"])
        with ApiUser(http).rest("GET", "/json") as resp:
            assert resp.js["n"] == 0
        return seen

    async def scenario() -> None:
        async with serve() as server:
            http = HttpSession(server.url, recorder)
            fast = FastHttpSession(base_url=server.url, recorder=recorder)
            seen = await call_sync(task, http, fast)
            http.close()
            fast.close()
            assert seen == [200, 200, "x", 3]
            assert len(recorder.samples) == 5
            assert "3 == 0" in str(recorder.last["exception"])  # the failed assert, as a failure

    run(scenario())


def test_async_face_returns_awaitables(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            pending = session.get("/echo")
            assert hasattr(pending, "__await__")
            response = await pending
            session.close()
            assert response.status_code == 200

    run(scenario())
