"""FastHttpSession: Locust's FastHttpUser client, where it differs from HttpSession."""

from __future__ import annotations

import base64
from typing import Any

from horde.http import FastHttpSession, FastResponse


def test_defaults_naming_and_urls(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = FastHttpSession(None, server.url, None, recorder)
            response = await session.get("/redirect/2?status=302")
            with_params = await session.get("/echo", params={"q": "x"})
            session.close()
            assert isinstance(response, FastResponse)
            assert response.status_code == 200 and len(response.history) == 2
            # response.url is the URL requested, not the final one (as in Locust's FastResponse)
            assert response.url == f"{server.url}/redirect/2?status=302"
            assert recorder.samples[0]["name"] == "/redirect/2?status=302"
            assert recorder.samples[1]["name"] == "/echo"  # the URL string as passed
            assert with_params.json()["query"] == [["q", "x"]]
            headers = with_params.json()["headers"]
            assert headers["Accept-Encoding"].startswith("gzip, deflate")

    run(scenario())


def test_status_outside_valid_set_fails_and_raise_for_status(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = FastHttpSession(base_url=server.url, recorder=recorder)
            missing = await session.get("/status/404")
            created = await session.post("/status/201", json={"a": 1})
            session.close()
            assert missing.error is not None and missing.error.code == 404
            assert recorder.samples[0]["exception"] is missing.error
            assert recorder.samples[1]["exception"] is None and created.ok
            try:
                missing.raise_for_status()
            except Exception as error:
                assert error is missing.error
            else:
                raise AssertionError("raise_for_status did not raise")

    run(scenario())


def test_json_auth_default_headers_and_class_settings(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = FastHttpSession(
                base_url=server.url.replace("://", "://u:p@"),
                recorder=recorder,
                default_headers={"X-Team": "blue"},
                network_timeout=5.0,
                connection_timeout=5.0,
                max_redirects=1,
                insecure=True,
                concurrency=2,
                max_retries=0,
                proxy_host=None,
                proxy_port=None,
                client_pool=None,
            )
            echoed = (await session.post("/echo", json={"n": 1})).json()
            explicit = (await session.get("/echo", auth=("ann", "pw"))).json()
            too_many = await session.get("/redirect/3")
            session.close()
            assert echoed["headers"]["Content-Type"] == "application/json"
            assert echoed["body"] == '{"n":1}' and echoed["headers"]["X-Team"] == "blue"
            assert echoed["headers"]["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
            assert explicit["headers"]["Authorization"] == "Basic " + base64.b64encode(b"ann:pw").decode()
            assert too_many.status_code == 0 and type(too_many.error).__name__ == "TooManyRedirects"

    run(scenario())


def test_failure_response_has_no_body(run: Any, recorder: Any, free_port: int) -> None:
    async def scenario() -> None:
        session = FastHttpSession(base_url=f"http://127.0.0.1:{free_port}", recorder=recorder)
        response = await session.get("/")
        session.close()
        assert response.status_code == 0 and response.content is None and response.text is None
        assert response.error.category == "connect"

    run(scenario())


def test_environment_request_event_is_used_without_recorder(run: Any, serve: Any) -> None:
    fired: list[dict[str, Any]] = []

    class Hook:
        def fire(self, **kwargs: Any) -> None:
            fired.append(kwargs)

    class Events:
        request = Hook()

    class Environment:
        events = Events()

    async def scenario() -> None:
        async with serve() as server:
            session = FastHttpSession(Environment(), server.url, None)
            await session.get("/echo")
            session.close()
            assert fired[0]["name"] == "/echo" and fired[0]["exception"] is None
            assert set(fired[0]) == {
                "request_type", "name", "response_time", "response_length", "response",
                "context", "exception", "start_time", "url",
            }  # fmt: skip

    run(scenario())


def test_iter_lines_and_stream(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = FastHttpSession(base_url=server.url, recorder=recorder)
            response = await session.get("/chunked", stream=True)
            session.close()
            assert list(response.iter_lines(delimiter=b",")) == [b"first", b"second", b"third"]
            assert recorder.last["response_length"] == 0  # chunked: no Content-Length to report

    run(scenario())
