"""HttpSession against a real server: URLs, params, bodies, headers, auth, and what gets reported."""

from __future__ import annotations

import base64
from typing import Any

from horde.http import HttpSession, Response


def test_relative_and_absolute_urls(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server, serve() as other:
            session = HttpSession(server.url, recorder)
            relative = await session.get("/echo")
            absolute = await session.get(f"{other.url}/echo?x=1")
            session.close()
            assert relative.json()["path"] == "/echo"
            assert relative.url == f"{server.url}/echo"
            assert absolute.url == f"{other.url}/echo?x=1"
            assert server.connections == 1 and other.connections == 1
            assert [s["name"] for s in recorder.samples] == ["/echo", "/echo?x=1"]
            assert recorder.samples[1]["url"] == f"{other.url}/echo?x=1"

    run(scenario())


def test_base_url_with_path_and_trailing_slash(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            with_path = HttpSession(f"{server.url}/api", recorder)
            trailing = HttpSession(f"{server.url}/", recorder)
            assert (await with_path.get("/echo")).json()["path"] == "/api/echo"
            assert (await trailing.get("/echo")).json()["path"] == "/echo"
            with_path.close()
            trailing.close()

    run(scenario())


def test_params_like_requests(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            as_dict = await session.get("/echo", params={"q": "laptop bag", "page": 2, "skip": None})
            as_list = await session.get("/echo?a=0", params=[("tag", "x"), ("tag", "y")])
            as_multi = await session.get("/echo", params={"tag": ["x", "y"]})
            as_str = await session.get("/echo", params="raw=1&b=%2F")
            session.close()
            assert as_dict.json()["query"] == [["q", "laptop bag"], ["page", "2"]]
            assert as_list.json()["query"] == [["a", "0"], ["tag", "x"], ["tag", "y"]]
            assert as_multi.json()["query"] == [["tag", "x"], ["tag", "y"]]
            assert as_str.json()["query"] == [["raw", "1"], ["b", "/"]]
            # the default stats name is the path with the query of the request actually sent
            assert recorder.samples[0]["name"] == "/echo?q=laptop+bag&page=2"

    run(scenario())


def test_unsafe_characters_in_path_are_quoted(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            response = await session.get("/echo?q=hello world&x=ü")
            session.close()
            assert response.json()["query"] == [["q", "hello world"], ["x", "ü"]]
            assert recorder.last["name"] == "/echo?q=hello%20world&x=%C3%BC"

    run(scenario())


def test_bodies_form_raw_json(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            form = (await session.post("/echo", data={"user": "ann", "tags": ["a", "b"]})).json()
            raw_text = (await session.post("/echo", data="plain text")).json()
            raw_bytes = (await session.put("/echo", data=b"\x00\x01")).json()
            as_json = (await session.patch("/echo", json={"n": 1, "s": "é"})).json()
            empty_post = (await session.post("/echo")).json()
            session.close()
            assert form["body"] == "user=ann&tags=a&tags=b"
            assert form["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
            assert raw_text["body"] == "plain text" and "Content-Type" not in raw_text["headers"]
            assert raw_bytes["method"] == "PUT" and raw_bytes["headers"]["Content-Length"] == "2"
            assert as_json["method"] == "PATCH"
            assert as_json["headers"]["Content-Type"] == "application/json"
            assert as_json["body"] == '{"n":1,"s":"é"}'
            assert empty_post["headers"]["Content-Length"] == "0"

    run(scenario())


def test_session_and_request_headers(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            before = (await session.get("/echo")).json()["headers"]
            session.headers["Authorization"] = "Bearer abc"
            after = (await session.get("/echo")).json()["headers"]
            overridden = (
                await session.get("/echo", headers={"authorization": "Bearer per-request", "X-Extra": "1"})
            ).json()["headers"]
            removed = (await session.get("/echo", headers={"User-Agent": None})).json()["headers"]
            session.close()
            assert before["Accept-Encoding"].startswith("gzip, deflate")
            assert before["User-Agent"].startswith("horde/")
            assert "Authorization" not in before
            assert after["Authorization"] == "Bearer abc"
            assert overridden["Authorization"] == "Bearer per-request" and overridden["X-Extra"] == "1"
            assert "User-Agent" not in removed and removed["Authorization"] == "Bearer abc"

    run(scenario())


def test_basic_auth_from_argument_session_and_base_url(run: Any, serve: Any, recorder: Any) -> None:
    def basic(user: str, password: str) -> str:
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            per_request = (await session.get("/echo", auth=("ann", "s3cret"))).json()["headers"]
            session.auth = ("bob", "pw")
            from_session = (await session.get("/echo")).json()["headers"]
            session.close()
            with_creds = HttpSession(server.url.replace("://", "://carl:p%40ss@"), recorder)
            from_url = (await with_creds.get("/echo")).json()["headers"]
            with_creds.close()
            assert per_request["Authorization"] == basic("ann", "s3cret")
            assert from_session["Authorization"] == basic("bob", "pw")
            assert from_url["Authorization"] == basic("carl", "p@ss")
            assert with_creds.base_url == server.url

    run(scenario())


def test_callable_auth_like_requests_authbase(run: Any, serve: Any, recorder: Any) -> None:
    def token_auth(request: Any) -> Any:
        request.headers["Authorization"] = "Token xyz"
        return request

    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            headers = (await session.get("/echo", auth=token_auth)).json()["headers"]
            session.close()
            assert headers["Authorization"] == "Token xyz"

    run(scenario())


def test_reported_sample(run: Any, serve: Any, recorder: Any) -> None:
    class User:
        def context(self) -> dict[str, Any]:
            return {"user_id": 7, "tier": "gold"}

    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder, User())
            response = await session.get("/echo?a=1", name="echo", context={"tier": "platinum"})
            session.request_name = "grouped"
            await session.get("/echo")
            session.request_name = None
            with session.rename_request("renamed"):
                await session.post("/echo", data="x")
            await session.get("/status/503")
            session.close()
            first = recorder.samples[0]
            assert first["request_type"] == "GET" and first["name"] == "echo"
            assert first["response"] is response and first["exception"] is None
            assert first["response_length"] == len(response.content) > 0
            assert 0 < first["response_time"] < 5000
            assert first["context"] == {"user_id": 7, "tier": "platinum"}
            assert first["start_time"] > 1_600_000_000
            assert [s["name"] for s in recorder.samples[1:3]] == ["grouped", "renamed"]
            assert recorder.samples[2]["request_type"] == "POST"
            failed = recorder.samples[3]
            assert failed["name"] == "/status/503"
            assert str(failed["exception"]) == "503 Server Error: Service Unavailable for url: /status/503"
            assert failed["exception"].category == "http-status"

    run(scenario())


def test_response_model(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            ok = await session.get("/json")
            missing = await session.get("/status/404")
            latin = await session.get("/charset")
            not_json = await session.get("/json-invalid")
            session.close()
            assert isinstance(ok, Response) and ok.ok and bool(ok)
            assert ok.status_code == 200 and ok.reason == "OK"
            assert ok.json() == {"ok": True, "n": 3}
            assert (
                ok.headers["content-type"] == ok.headers["Content-Type"] == "application/json; charset=utf-8"
            )
            assert ok.encoding == "utf-8" and ok.elapsed.total_seconds() > 0
            assert ok.request.method == "GET" and ok.request.url == f"{server.url}/json"
            assert ok.request.headers["Host"] == f"127.0.0.1:{server.port}"
            assert ok.timings is not None and ok.timings.ttfb > 0
            assert not missing.ok and missing.reason == "Not Found"
            try:
                missing.raise_for_status()
            except Exception as error:
                assert error.response is missing  # type: ignore[attr-defined]
            else:
                raise AssertionError("raise_for_status did not raise")
            assert latin.encoding == "latin-1" and latin.text == "café"
            latin.encoding = "utf-8"
            assert latin.text == "caf\ufffd"
            try:
                not_json.json()
            except ValueError as error:
                assert "not valid JSON" in str(error) and "this is not json" in str(error)
            else:
                raise AssertionError("json() accepted invalid JSON")

    run(scenario())
