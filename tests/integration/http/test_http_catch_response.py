"""catch_response=True: Locust's rules, in both faces (sync inside the bridge, async with)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from horde.concurrency.bridge import call_sync
from horde.exception import CatchResponseError, LocustError, ResponseError
from horde.http import FastHttpSession, HttpSession


def test_verdicts_in_sync_code(run: Any, serve: Any, recorder: Any) -> None:
    marker = ValueError("custom")

    def task(client: HttpSession) -> None:
        with client.get("/status/404", catch_response=True) as r:
            r.success()
        with client.get("/echo", catch_response=True) as r:
            r.failure("bad content")
        with client.get("/echo", catch_response=True) as r:
            r.failure(marker)
        with client.get("/echo", catch_response=True) as r:
            r.failure("first")
            r.success()
        with client.get("/status/500", catch_response=True) as r:
            r.success()
            r.failure("last")
        with client.get("/status/404", catch_response=True):
            pass
        with client.get("/echo", catch_response=True):
            pass
        with client.get("/echo", catch_response=True):
            raise ResponseError("raised in block")

    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            await call_sync(task, session)
            session.close()
            errors = [s["exception"] for s in recorder.samples]
            assert errors[0] is None
            assert isinstance(errors[1], CatchResponseError) and str(errors[1]) == "bad content"
            assert errors[2] is marker
            assert errors[3] is None
            assert isinstance(errors[4], CatchResponseError) and str(errors[4]) == "last"
            assert str(errors[5]) == "404 Client Error: Not Found for url: /status/404"
            assert errors[6] is None
            assert isinstance(errors[7], ResponseError) and str(errors[7]) == "raised in block"

    run(scenario())


def test_verdicts_in_async_code(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            async with session.get("/status/404", catch_response=True) as r:
                assert r.status_code == 404
                r.success()
            async with session.get("/echo", catch_response=True) as r:
                r.failure("nope")
            response = await session.get("/status/503", catch_response=True)
            with response:
                pass
            session.close()
            errors = [s["exception"] for s in recorder.samples]
            assert errors[0] is None and str(errors[1]) == "nope"
            assert "503 Server Error" in str(errors[2])

    run(scenario())


def test_other_exceptions_propagate_and_are_not_reported(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            with pytest.raises(KeyError):
                async with session.get("/echo", catch_response=True):
                    raise KeyError("boom")
            assert recorder.samples == []
            with pytest.raises(KeyError):
                async with session.get("/echo", catch_response=True) as r:
                    r.success()
                    raise KeyError("after verdict")
            session.close()
            assert len(recorder.samples) == 1 and recorder.last["exception"] is None

    run(scenario())


def test_request_meta_is_editable_and_time_excludes_the_block(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            async with session.get("/echo", catch_response=True, context={"a": 1}) as r:
                r.request_meta["name"] = "renamed"
                r.request_meta["context"]["b"] = 2
                await asyncio.sleep(0.3)
            session.close()
            sample = recorder.last
            assert sample["name"] == "renamed" and sample["context"] == {"a": 1, "b": 2}
            assert sample["response_time"] < 250
            assert sample["response"] is r

    run(scenario())


def test_connection_error_default_rule(run: Any, recorder: Any, free_port: int) -> None:
    async def scenario() -> None:
        session = HttpSession(f"http://127.0.0.1:{free_port}", recorder)
        async with session.get("/", catch_response=True) as r:
            assert r.status_code == 0
        session.close()
        assert recorder.last["exception"] is r.error and r.error.category == "connect"

    run(scenario())


def test_guard_rails(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            plain = await session.get("/echo")
            with plain as entered:  # a with-block alone is fine, as with requests' responses
                assert entered is plain and entered.status_code == 200
                with pytest.raises(LocustError, match="catch_response=True"):
                    entered.success()
            with pytest.raises(LocustError, match="catch_response=True"):
                plain.failure("x")
            unentered = await session.get("/echo", catch_response=True)
            with pytest.raises(LocustError, match="with-block"):
                unentered.success()
            with pytest.raises(LocustError, match="async with"), session.get("/echo", catch_response=True):
                pass
            session.close()

    run(scenario())


def test_fast_session_default_rule_is_its_valid_status_set(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = FastHttpSession(base_url=server.url, recorder=recorder)
            for path in ("/status/201", "/status/226", "/status/404", "/status/500", "/status/299"):
                async with session.get(path, catch_response=True):
                    pass
            async with session.get("/redirect/1", allow_redirects=False, catch_response=True) as r:
                assert r.status_code == 302
            async with session.get("/status/404", catch_response=True) as r:
                r.success()
            session.close()
            errors = [s["exception"] for s in recorder.samples]
            assert errors[0] is None and errors[1] is None
            assert repr(errors[2]) == f"BadStatusCode('{server.url}/status/404', code=404)"
            assert errors[3].code == 500 and errors[4].code == 299
            assert errors[5] is None and errors[6] is None

    run(scenario())
