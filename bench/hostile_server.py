"""A loopback server that answers every request with a response meant to eat its client.

    python bench/hostile_server.py --port 8090

``/endless-headers``: a status line, then header lines forever. ``/endless-body``: a chunked body
that never ends. ``/gzip-bomb``: 1 GiB of zeros gzipped to about 1 MiB. Each stream is bounded in
time (60 s), so a client that takes it all still ends. Plain asyncio, no third-party imports.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import zlib

STREAM_SECONDS = 60.0


def gzip_bomb(size: int = 1024**3) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    return b"".join(packer.compress(zeros) for _ in range(size // len(zeros))) + packer.flush()


async def stream(writer: asyncio.StreamWriter, head: bytes, piece: bytes) -> None:
    writer.write(head)
    ends = time.monotonic() + STREAM_SECONDS
    while time.monotonic() < ends:
        writer.write(piece)
        await writer.drain()


def make_handler(bomb: bytes) -> object:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1]
                if path == b"/endless-headers":
                    await stream(writer, b"HTTP/1.1 200 OK\r\n", b"X-More: " + b"m" * 100 + b"\r\n")
                elif path == b"/endless-body":
                    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    await stream(writer, head, b"10000\r\n" + b"x" * 65536 + b"\r\n")
                elif path == b"/gzip-bomb":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb)
                    )
                    writer.write(bomb)
                    await writer.drain()
                else:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    return handle


async def main(port: int) -> None:
    server = await asyncio.start_server(make_handler(gzip_bomb()), "127.0.0.1", port)  # type: ignore[arg-type]
    print(f"hostile server on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8090)
    asyncio.run(main(parser.parse_args().port))
