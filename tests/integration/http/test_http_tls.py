"""HTTPS with a throwaway CA (trustme): verification on, off, and failing."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
import trustme

from horde.http import FastHttpSession, HttpSession


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def test_verified_https_with_the_test_ca(
    run: Any, serve: Any, recorder: Any, server_context: ssl.SSLContext, ca_file: str
) -> None:
    async def scenario() -> None:
        async with serve(server_context) as server:
            session = HttpSession(server.url, recorder)
            session.verify = ca_file
            first = await session.get("/echo")
            second = await session.get("/echo")
            session.close()
            assert server.url.startswith("https://")
            assert first.status_code == 200 and second.status_code == 200
            assert first.timings.connect is not None and first.timings.tls is not None
            assert first.timings.tls > 0
            assert second.timings.tls is None and server.connections == 1

    run(scenario())


def test_verify_false_accepts_an_untrusted_certificate(
    run: Any, serve: Any, recorder: Any, server_context: ssl.SSLContext
) -> None:
    async def scenario() -> None:
        async with serve(server_context) as server:
            session = HttpSession(server.url, recorder)
            response = await session.get("/echo", verify=False)
            session.close()
            assert response.status_code == 200

    run(scenario())


def test_verification_failure_is_a_tls_category_failure(
    run: Any, serve: Any, recorder: Any, server_context: ssl.SSLContext
) -> None:
    async def scenario() -> None:
        async with serve(server_context) as server:
            session = HttpSession(server.url, recorder)
            response = await session.get("/echo")  # system CAs do not know the test CA
            session.close()
            assert response.status_code == 0
            assert response.error.category == "tls"
            assert "certificate" in str(response.error).lower()
            assert recorder.last["exception"] is response.error

    run(scenario())


def test_wrong_host_name_fails_verification(
    run: Any, serve: Any, recorder: Any, ca: trustme.CA, ca_file: str
) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("other.example").configure_cert(context)

    async def scenario() -> None:
        async with serve(context) as server:
            session = HttpSession(server.url, recorder)
            response = await session.get("/echo", verify=ca_file)
            session.close()
            assert response.status_code == 0 and response.error.category == "tls"

    run(scenario())


def test_fast_session_is_insecure_by_default_and_can_verify(
    run: Any, serve: Any, recorder: Any, server_context: ssl.SSLContext, ca_file: str
) -> None:
    async def scenario() -> None:
        async with serve(server_context) as server:
            insecure = FastHttpSession(base_url=server.url, recorder=recorder)
            strict = FastHttpSession(base_url=server.url, recorder=recorder, insecure=False)
            custom = FastHttpSession(
                base_url=server.url,
                recorder=recorder,
                ssl_context_factory=lambda: ssl.create_default_context(cafile=ca_file),
            )
            results = [await s.get("/echo") for s in (insecure, strict, custom)]
            for s in (insecure, strict, custom):
                s.close()
            assert [r.status_code for r in results] == [200, 0, 200]
            assert results[1].error.category == "tls"

    run(scenario())
