"""Redirect rules, matching what requests does (which is what browsers do)."""

from __future__ import annotations

from urllib.parse import urljoin

from horde.http.urls import DEFAULT_PORTS, Target

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_MAX_REDIRECTS = 30


def next_method(status: int, method: str) -> str:
    """303 turns anything but HEAD into GET; so do 302 (browsers' habit) and 301 for POST."""
    if status in (302, 303) and method != "HEAD":
        return "GET"
    if status == 301 and method == "POST":
        return "GET"
    return method


def keeps_body(status: int) -> bool:
    """Only 307 and 308 resend the body; the others drop it with its Content-* headers."""
    return status in (307, 308)


def location_url(current_url: str, location: bytes) -> str:
    """Absolute URL of a ``Location`` header value, relative to the URL that answered."""
    try:
        text = location.decode("utf-8")
    except UnicodeDecodeError:
        text = location.decode("latin-1")
    return urljoin(current_url, text.strip())


def keeps_auth(old: Target, new: Target) -> bool:
    """Credentials follow a redirect on the same host, including an http->https upgrade on default
    ports; they are not sent to another host (requests' ``should_strip_auth``)."""
    if old.origin.host != new.origin.host:
        return False
    if old.origin == new.origin:
        return True
    return (
        old.origin.scheme == "http"
        and new.origin.scheme == "https"
        and old.origin.port == DEFAULT_PORTS["http"]
        and new.origin.port == DEFAULT_PORTS["https"]
    )
