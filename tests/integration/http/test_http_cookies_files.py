"""Cookies per session and multipart uploads, against a real server."""

from __future__ import annotations

import io
from typing import Any

from horde.http import HttpSession


def test_cookies_persist_per_session_and_are_not_shared(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            alice = HttpSession(server.url, recorder)
            bob = HttpSession(server.url, recorder)
            set_response = await alice.get("/cookies/set", params={"sid": "alice-1", "theme": "dark"})
            alice_seen = (await alice.get("/echo")).json()["cookies"]
            bob_seen = (await bob.get("/echo")).json()["cookies"]
            alice.close()
            bob.close()
            assert set_response.cookies.get_dict() == {"sid": "alice-1", "theme": "dark"}
            assert alice_seen == {"sid": "alice-1", "theme": "dark"}
            assert bob_seen == {}
            assert alice.cookies["sid"] == "alice-1" and "sid" not in bob.cookies

    run(scenario())


def test_cookie_set_by_a_redirect_is_sent_on_the_next_hop(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            response = await session.post("/login-redirect", data={"u": "x"})
            session.close()
            assert response.json()["cookies"] == {"session": "from-redirect"}
            assert response.json()["method"] == "GET"

    run(scenario())


def test_manual_and_per_request_cookies(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            session.cookies.set("token", "abc")
            both = (await session.get("/echo", cookies={"extra": "1", "token": "override"})).json()
            only_jar = (await session.get("/echo")).json()
            del session.cookies["token"]
            none_left = (await session.get("/echo")).json()
            session.close()
            assert both["cookies"] == {"token": "override", "extra": "1"}
            assert only_jar["cookies"] == {"token": "abc"}  # per-request cookies are not kept
            assert none_left["cookies"] == {}

    run(scenario())


def test_multipart_files_in_every_requests_shape(run: Any, serve: Any, recorder: Any, tmp_path: Any) -> None:
    report = tmp_path / "report.csv"
    report.write_text("a,b\n1,2\n")

    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            with report.open("rb") as handle:
                response = await session.post(
                    "/multipart",
                    data={"title": "Quarterly", "tags": ["x", "y"]},
                    files={
                        "report": handle,
                        "raw": b"raw bytes",
                        "named": ("notes.txt", "some notes"),
                        "typed": ("img.png", io.BytesIO(b"PNG..."), "image/png"),
                        "extra": ("e.bin", b"E", "application/octet-stream", {"X-Extra": "yes"}),
                    },
                )
            session.close()
            echoed = response.json()
            assert echoed["fields"] == [["title", "Quarterly"], ["tags", "x"], ["tags", "y"]]
            files = {item["name"]: item for item in echoed["files"]}
            assert files["report"]["filename"] == "report.csv"
            assert files["report"]["content"] == "a,b\n1,2\n"
            assert files["raw"]["filename"] == "raw" and files["raw"]["content"] == "raw bytes"
            assert files["named"]["filename"] == "notes.txt" and files["named"]["content"] == "some notes"
            assert files["typed"]["content_type"] == "image/png" and files["typed"]["content"] == "PNG..."
            assert files["extra"]["extra"] == "yes"
            assert response.request.headers["Content-Type"].startswith("multipart/form-data; boundary=")

    run(scenario())
