"""Response objects: ``Response`` (requests-like, for HttpSession) and ``FastResponse`` (FastHttpSession).

Construction only stores references; headers, text, cookies and ``elapsed`` are built on first
access, because most load-test code looks at the status and maybe the body, nothing else.
"""

from __future__ import annotations

import json as stdlib_json
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import orjson
from mypy_extensions import mypyc_attr

from horde.exception import LocustError
from horde.http.cookies import CookieJar
from horde.http.errors import BadStatusCode, HTTPError, JSONDecodeError, RequestError
from horde.http.exchange import RawResponse
from horde.http.headers import CaseInsensitiveDict
from horde.stats.phases import PhaseTimings

if TYPE_CHECKING:
    from horde.http.prepared import PreparedRequest

_NOT_CATCHING = (
    "If you want to change the state of the request, you must pass catch_response=True and use a "
    "with-block:\n\n    with self.client.get('/', catch_response=True) as response:\n        "
    "response.failure('...')\n"
)


# Compiled by mypyc at install (hatch_build.py): catch_response's managers subclass it in Python.
@mypyc_attr(allow_interpreted_subclasses=True)
class Response:
    """The response to one request, after redirects, shaped like ``requests.Response``.

    A transport failure gives ``status_code == 0``, ``content is None`` and the reason in
    ``error`` (a :class:`horde.http.errors.RequestError` with a ``category``).
    """

    # Lazily computed state starts as these class-level defaults: fewer stores per response.
    error: BaseException | None = None
    _headers: CaseInsensitiveDict | None = None
    _reason: str | None = None
    _encoding: str | None = None
    _encoding_set = False
    _text: str | None = None
    _cookies: CookieJar | None = None

    def __init__(
        self,
        raw: RawResponse | None,
        request: PreparedRequest,
        error: RequestError | None = None,
        history: list[Response] | None = None,
        url: str | None = None,
    ) -> None:
        self.request = request
        self.url: str = url if url is not None else request.target.url
        if error is not None:
            self.error = error
        self.history: list[Response] = history if history is not None else []
        self._raw = raw
        if raw is not None:
            self.status_code: int = raw.status
            self.content: bytes | None = raw.body
            self.timings: PhaseTimings | None = raw.timings
        else:
            self.status_code = 0
            self.content = None
            self.timings = None

    @property
    def reason(self) -> str:
        """The reason phrase the server sent ("OK", "Not Found")."""
        if self._reason is None:
            raw = self._raw
            self._reason = raw.reason.decode("latin-1") if raw is not None else ""
        return self._reason

    @reason.setter
    def reason(self, value: str) -> None:
        self._reason = value

    # -- status --------------------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        return 0 < self.status_code < 400

    def __bool__(self) -> bool:
        return self.ok

    @property
    def is_redirect(self) -> bool:
        return self.status_code in (301, 302, 303, 307, 308) and "location" in self.headers

    def raise_for_status(self) -> None:
        """Raise the transport error, or :class:`HTTPError` for a 4xx/5xx status; else nothing."""
        if self.error is not None:
            raise self.error
        error = self._status_error(self.url)
        if error is not None:
            raise error

    def _status_error(self, url: str) -> HTTPError | None:
        code = self.status_code
        if code < 400 or code >= 600:
            return None
        kind = "Client" if code < 500 else "Server"
        return HTTPError(f"{code} {kind} Error: {self.reason} for url: {url}", response=self)

    def _default_failure(self, name: str) -> BaseException | None:
        """HttpSession's rule: a transport error or a 4xx/5xx status is a failure.

        The message names the stats entry rather than the concrete URL, so failures of one entry
        group together (as Locust does).
        """
        if self.error is not None:
            return self.error
        if self.status_code >= 400:
            return self._status_error(name)
        return None

    # -- headers and body ----------------------------------------------------------------------

    @property
    def headers(self) -> CaseInsensitiveDict:
        if self._headers is None:
            raw = self._raw
            self._headers = (
                CaseInsensitiveDict.from_raw(raw.headers) if raw is not None else CaseInsensitiveDict()
            )
        return self._headers

    @headers.setter
    def headers(self, value: Any) -> None:
        self._headers = value if isinstance(value, CaseInsensitiveDict) else CaseInsensitiveDict(value or {})

    @property
    def encoding(self) -> str | None:
        """The charset declared by Content-Type (JSON defaults to UTF-8); settable, as in requests."""
        if not self._encoding_set:
            self._encoding = _declared_charset(self.headers.get("content-type"))
            self._encoding_set = True
        return self._encoding

    @encoding.setter
    def encoding(self, value: str | None) -> None:
        self._encoding = value
        self._encoding_set = True
        self._text = None

    @property
    def apparent_encoding(self) -> str:
        """Without chardet: UTF-8 when the bytes are valid UTF-8, else ISO-8859-1 (never fails)."""
        try:
            (self.content or b"").decode("utf-8")
        except UnicodeDecodeError:
            return "ISO-8859-1"
        return "utf-8"

    @property
    def text(self) -> str:
        if self._text is None:
            content = self.content
            if not content:
                return ""
            encoding = self.encoding or self.apparent_encoding
            try:
                self._text = str(content, encoding, errors="replace")
            except LookupError:
                self._text = str(content, "utf-8", errors="replace")
        return self._text

    def json(self, **kwargs: Any) -> Any:
        """The body parsed as JSON; :class:`JSONDecodeError` (a ValueError) says why it is not JSON."""
        content = self.content or b""
        try:
            if kwargs or (self.encoding or "utf-8").lower().replace("_", "-") not in ("utf-8", "utf8"):
                return stdlib_json.loads(self.text, **kwargs)
            return orjson.loads(content)
        except ValueError as error:  # both orjson's and the stdlib's errors are ValueErrors
            # No URL in the message: it becomes a stats error key, and URLs vary (query strings).
            text = self.text or ""
            what = f"{len(content)} bytes starting {text[:30]!r}" if content else "empty body"
            raise JSONDecodeError(
                f"Response body is not valid JSON (status {self.status_code}, {what})",
                text,
                getattr(error, "pos", 0) or 0,
            ) from error

    @property
    def cookies(self) -> CookieJar:
        """The cookies this response set (the session's jar is ``session.cookies``)."""
        if self._cookies is None:
            jar = CookieJar()
            raw = self._raw
            if raw is not None and raw.set_cookies:
                jar.extract(self.request.url, [v.decode("latin-1") for v in raw.set_cookies])
            self._cookies = jar
        return self._cookies

    @property
    def elapsed(self) -> timedelta:
        """Time from starting to connect/send until the first response byte, as in requests."""
        timings = self.timings
        if timings is None:
            return timedelta(0)
        return timedelta(milliseconds=(timings.connect or 0.0) + (timings.tls or 0.0) + timings.ttfb)

    @property
    def links(self) -> dict[str, dict[str, str]]:
        header = self.headers.get("link")
        if not header:
            return {}
        links = {}
        for part in header.split(","):
            url, _, params = part.partition(";")
            link = {"url": url.strip(" <>")}
            for param in params.split(";"):
                key, _, value = param.partition("=")
                if key.strip():
                    link[key.strip()] = value.strip(" \"'")
            links[link.get("rel") or link["url"]] = link
        return links

    def iter_content(self, chunk_size: int | None = 1, decode_unicode: bool = False) -> Iterator[Any]:
        """Chunks of the (already complete) body; the engine does not stream."""
        data: Any = self.text if decode_unicode else (self.content or b"")
        size = chunk_size or len(data) or 1
        for start in range(0, len(data), size):
            yield data[start : start + size]

    def iter_lines(
        self, chunk_size: int = 512, decode_unicode: bool = False, delimiter: str | bytes | None = None
    ) -> Iterator[Any]:
        data: Any = self.text if decode_unicode else (self.content or b"")
        lines = data.split(delimiter) if delimiter is not None else data.splitlines()
        yield from lines

    def close(self) -> None:
        """Nothing to release: the body is read and the connection already back in its pool."""

    # -- Locust's guard rails ------------------------------------------------------------------

    def success(self) -> None:
        raise LocustError(_NOT_CATCHING)

    def failure(self, exc: Any) -> None:
        raise LocustError(_NOT_CATCHING)

    def __enter__(self) -> Response:
        """``with client.get(...) as response:`` without ``catch_response`` is plain Python, as with
        requests' responses: only ``success()``/``failure()`` inside it are mistakes."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"


VALID_FAST_STATUSES = frozenset([*range(200, 209), 226, 301, 302, 303, 304, 307, 308])


@mypyc_attr(allow_interpreted_subclasses=True)
class FastResponse(Response):
    """FastHttpSession's response: ``url`` is the URL requested, and success is a fixed status set.

    On a transport failure ``content`` and ``text`` are None, as Locust's stand-in response has it.
    """

    def __init__(
        self,
        raw: RawResponse | None,
        request: PreparedRequest,
        error: RequestError | None = None,
        history: list[Response] | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(raw, request, error, history, url)
        if raw is not None and raw.status not in VALID_FAST_STATUSES:
            self.error = BadStatusCode(self.url, code=raw.status, response=self)

    def _default_failure(self, name: str) -> BaseException | None:
        return self.error

    @property
    def text(self) -> str:
        """None (typed as str for the override) when there is no body at all, as in Locust."""
        if self.content is None:
            return None  # type: ignore[return-value]
        return super().text

    def raise_for_status(self) -> None:
        """Raise the stored error: a transport failure or :class:`BadStatusCode`."""
        if self.error is not None:
            raise self.error

    def __repr__(self) -> str:
        return f"<FastResponse [{self.status_code}]>"


def _declared_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("'\"")
            if charset:
                return charset
    if "json" in content_type.lower():
        return "utf-8"
    return None
