"""Redirects, compressed and chunked bodies, HEAD and bodiless statuses."""

from __future__ import annotations

from typing import Any

import pytest

from horde.http import HttpSession


def test_redirect_chain_keeps_history_and_reports_once(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            response = await session.get("/redirect/3")
            session.close()
            assert response.status_code == 200 and response.url == f"{server.url}/echo"
            assert [r.status_code for r in response.history] == [302, 302, 302]
            assert response.history[0].url == f"{server.url}/redirect/3"
            assert len(recorder.samples) == 1
            sample = recorder.last
            assert sample["name"] == "/redirect/3" and sample["url"] == f"{server.url}/redirect/3"
            assert sample["exception"] is None

    run(scenario())


@pytest.mark.parametrize(
    ("status", "method", "expected_method", "body_kept"),
    [
        (301, "POST", "GET", False),
        (302, "POST", "GET", False),
        (303, "POST", "GET", False),
        (303, "PUT", "GET", False),
        (307, "POST", "POST", True),
        (308, "PUT", "PUT", True),
        (301, "PUT", "PUT", False),
    ],
)
def test_redirect_method_rules(
    run: Any, serve: Any, recorder: Any, status: int, method: str, expected_method: str, body_kept: bool
) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            response = await session.request(method, f"/redirect/1?status={status}", data={"k": "payload"})
            session.close()
            echoed = response.json()
            assert echoed["method"] == expected_method
            assert (echoed["body"] == "k=payload") is body_kept
            assert ("Content-Type" in echoed["headers"]) is body_kept

    run(scenario())


def test_redirect_limits_and_opt_out(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            not_followed = await session.get("/redirect/2", allow_redirects=False)
            head = await session.head("/redirect/2")
            session.max_redirects = 3
            too_many = await session.get("/redirect/5")
            session.close()
            assert not_followed.status_code == 302 and not_followed.history == []
            assert not_followed.headers["Location"] == "/redirect/1?status=302"
            assert head.status_code == 302  # head() does not follow redirects by default
            assert too_many.status_code == 0
            assert too_many.error is not None and type(too_many.error).__name__ == "TooManyRedirects"
            assert recorder.last["exception"] is too_many.error

    run(scenario())


def test_redirect_to_another_host_drops_authorization(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            target = f"http://localhost:{server.port}/echo"
            same_host = (await session.get("/redirect/1", auth=("u", "p"))).json()["headers"]
            other_host = (await session.get("/redirect-to", params={"url": target}, auth=("u", "p"))).json()
            session.close()
            assert same_host["Authorization"].startswith("Basic ")
            assert "Authorization" not in other_host["headers"]

    run(scenario())


def test_compressed_and_chunked_bodies(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            gz = await session.get("/gzip")
            deflate = await session.get("/deflate")
            raw_deflate = await session.get("/raw-deflate")
            chunked = await session.get("/chunked")
            session.close()
            assert gz.content == b"gzipped hello" * 50 and gz.headers["Content-Encoding"] == "gzip"
            assert deflate.text == "deflated hello" * 50
            assert raw_deflate.text == "raw deflate"
            assert chunked.text == "first,second,third"
            assert chunked.headers["Transfer-Encoding"] == "chunked"
            # the reported length is the decoded body, as Locust reports it
            assert recorder.samples[0]["response_length"] == len(b"gzipped hello" * 50)

    run(scenario())


def test_head_and_bodiless_statuses_keep_the_connection_usable(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            head = await session.head("/json")
            after_head = await session.get("/json")
            no_content = await session.get("/nocontent")
            after_204 = await session.get("/json")
            session.close()
            assert head.status_code == 200 and head.content == b""
            assert int(head.headers["Content-Length"]) > 0
            assert after_head.json()["ok"] is True
            assert no_content.status_code == 204 and no_content.content == b""
            assert after_204.json()["ok"] is True
            assert server.connections == 1

    run(scenario())


def test_stream_true_reports_content_length(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            response = await session.get("/json", stream=True)
            chunks = list(response.iter_content(chunk_size=4))
            session.close()
            assert recorder.last["response_length"] == int(response.headers["Content-Length"])
            assert b"".join(chunks) == response.content

    run(scenario())
