"""One-shot HTTP requests from the benchmark itself: status counters, set-up checks.

A fresh connection per call, closed at once, so the benchmark never holds a keep-alive
connection that would count against the target's.
"""

from __future__ import annotations

import http.client
import ssl

_INSECURE = ssl.create_default_context()
_INSECURE.check_hostname = False
_INSECURE.verify_mode = ssl.CERT_NONE  # the targets' certificates are throwaway self-signed ones


def request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    tls: bool = False,
    timeout: float = 5.0,
) -> tuple[int, bytes]:
    """Status and body of one request to ``127.0.0.1:PORT``; raises OSError when it cannot connect."""
    conn: http.client.HTTPConnection
    if tls:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=_INSECURE)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
