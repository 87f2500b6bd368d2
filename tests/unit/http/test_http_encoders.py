"""Headers mapping, request bodies, multipart bytes and content decoding (pure functions)."""

from __future__ import annotations

import gzip
import io
import zlib

import brotli
import pytest

from horde.http.body import encode_body
from horde.http.decoding import ACCEPT_ENCODING, BROTLI_SLICE, STEP, Inflater, decode_body
from horde.http.errors import ProtocolError, ResponseTooLarge
from horde.http.headers import CaseInsensitiveDict, merge_headers
from horde.http.limits import RATIO_FLOOR
from horde.http.multipart import encode_multipart
from horde.http.wire import encode_headers


def test_case_insensitive_dict() -> None:
    headers = CaseInsensitiveDict({"Content-Type": "text/plain"})
    version = headers.version
    headers["X-Token"] = "1"
    assert headers["content-type"] == "text/plain" and "CONTENT-TYPE" in headers
    assert headers.version == version + 1
    headers["x-token"] = "2"
    assert list(headers) == ["Content-Type", "x-token"] and headers["X-Token"] == "2"
    del headers["X-TOKEN"]
    assert "x-token" not in headers and len(headers) == 1
    assert headers == {"content-type": "text/plain"}
    assert headers.get("missing") is None and 5 not in headers


def test_response_headers_join_repeated_fields() -> None:
    headers = CaseInsensitiveDict.from_raw([(b"Vary", b"a"), (b"vary", b"b"), (b"X", b"\xe9")])
    assert headers["VARY"] == "a, b" and headers["x"] == "é"


def test_merge_headers_overrides_and_removes() -> None:
    base = CaseInsensitiveDict({"User-Agent": "ua", "Accept": "*/*"})
    merged = dict(merge_headers(base, {"accept": "text/html", "User-Agent": None, "X": "1"}))
    assert merged == {"accept": "text/html", "X": "1"}


def test_encode_headers_rejects_injection() -> None:
    assert encode_headers([("A", "1"), ("B", b"2")]) == b"A: 1\r\nB: 2\r\n"
    with pytest.raises(ValueError):
        encode_headers([("A", "1\r\nEvil: yes")])
    for breaker in (b"\r", b"\n", b"\0"):  # each one alone, as str and as bytes
        with pytest.raises(ValueError, match="line breaks"):
            encode_headers([("A", b"1" + breaker + b"2")])
        with pytest.raises(ValueError, match="line breaks"):
            encode_headers([("A", (b"1" + breaker + b"2").decode())])
    with pytest.raises(ValueError):
        encode_headers([("Bad:Name", "1")])
    with pytest.raises(TypeError):
        encode_headers([("Num", 5)])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("data", "json", "expected"),
    [
        (None, None, (None, None)),
        ({"a": "1", "b": ["x", "y"]}, None, (b"a=1&b=x&b=y", "application/x-www-form-urlencoded")),
        ([("a", "1")], None, (b"a=1", "application/x-www-form-urlencoded")),
        ("text é", None, ("text é".encode(), None)),
        (b"\x00", {"ignored": True}, (b"\x00", None)),
        (None, {"k": [1, 2]}, (b'{"k":[1,2]}', "application/json")),
        ({}, {"k": 1}, (b'{"k":1}', "application/json")),
        (io.BytesIO(b"file body"), None, (b"file body", None)),
        ((chunk for chunk in [b"a", "b"]), None, (b"ab", None)),
    ],
)
def test_encode_body_precedence(data: object, json: object, expected: tuple[object, object]) -> None:
    assert encode_body(data, json, None) == expected


def test_json_falls_back_to_stdlib_for_what_orjson_refuses() -> None:
    body, _ = encode_body(None, {1: "int key"}, None)
    assert body == b'{"1": "int key"}'


def test_multipart_bytes() -> None:
    body, content_type = encode_multipart(
        [("field", "v"), ("num", 3)],
        {"f": ("a.txt", b"AB", "text/plain", {"X-Extra": "1"}), "g": io.BytesIO(b"G"), "skip": ("n", None)},
        boundary="BOUND",
    )
    assert content_type == "multipart/form-data; boundary=BOUND"
    assert body == (
        b'--BOUND\r\nContent-Disposition: form-data; name="field"\r\n\r\nv\r\n'
        b'--BOUND\r\nContent-Disposition: form-data; name="num"\r\n\r\n3\r\n'
        b'--BOUND\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\nX-Extra: 1\r\n\r\nAB\r\n"
        b'--BOUND\r\nContent-Disposition: form-data; name="g"; filename="g"\r\n\r\nG\r\n'
        b"--BOUND--\r\n"
    )


def test_multipart_quotes_names() -> None:
    body, _ = encode_multipart([], [('we"ird\nname', ('fi"le', b"x"))], boundary="B")
    assert b'name="we%22ird%0Aname"; filename="fi%22le"' in body


def test_decode_gzip_deflate_and_identity() -> None:
    data = b"hello world" * 10
    assert decode_body(gzip.compress(data), b"gzip") == data
    assert decode_body(gzip.compress(b"a") + gzip.compress(b"b"), b"x-gzip") == b"ab"
    assert decode_body(zlib.compress(data), b"deflate") == data
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decode_body(raw.compress(data) + raw.flush(), b"Deflate") == data
    assert decode_body(gzip.compress(zlib.compress(data)), b"deflate, gzip") == data
    assert decode_body(data, b"identity") == data
    assert decode_body(data, b"zstd-unknown") == data


def test_decode_corrupt_body_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        decode_body(b"not gzip at all", b"gzip")
    with pytest.raises(ProtocolError):
        decode_body(gzip.compress(b"abc")[:-6], b"gzip")


def test_decode_br_in_bounded_steps() -> None:
    data = b" ".join(b"%d" % n for n in range(300_000))  # 2 MiB, about 4:1
    squeezed = brotli.compress(data)
    assert ACCEPT_ENCODING == "gzip, deflate, br"
    assert decode_body(squeezed, b"br") == data
    assert decode_body(gzip.compress(squeezed), b"br, gzip") == data
    inflater = Inflater(b"br")  # read by read, as a connection feeds it
    pieces = [inflater.feed(squeezed[i : i + 65536]) for i in range(0, len(squeezed), 65536)]
    assert b"".join(pieces) + inflater.finish() == data
    with pytest.raises(ProtocolError, match="truncated br stream"):
        decode_body(squeezed[:-4], b"br")
    with pytest.raises(ProtocolError, match="could not decode br"):
        decode_body(b"not brotli at all", b"br")


def test_a_br_bomb_is_stopped_at_the_ratio_without_inflating_it() -> None:
    packer = brotli.Compressor(quality=1)
    zeros = bytes(1024 * 1024)
    bomb = b"".join(packer.process(zeros) for _ in range(1024)) + packer.finish()  # 1 GiB of zeros
    inflater = Inflater(b"br")
    with pytest.raises(ResponseTooLarge, match="br body inflates more than 200:1"):
        inflater.feed(bomb)
    assert inflater.produced <= RATIO_FLOOR + 200 * BROTLI_SLICE + 2 * STEP
