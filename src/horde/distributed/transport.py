"""ZeroMQ sockets as Locust 2.47 uses them, on asyncio: the master's ROUTER bound to one port, each
worker's DEALER whose identity is its client id. Frames are :mod:`horde.distributed.protocol`'s.

What arrives malformed (garbage, a frame over the size limit, the wrong number of parts) is
dropped and counted, with at most one warning line a minute: nothing a network delivers stops the
master, nor floods its log.
"""

from __future__ import annotations

import logging
import time

import zmq
import zmq.asyncio

from horde.distributed.protocol import MAX_FRAME, Message, ProtocolError, decode, encode

logger = logging.getLogger("locust.rpc")  # Locust's logger name: scripts and filters match it

KEEPALIVE_IDLE = 30  # seconds, as Locust: a dead peer's TCP connection is noticed
WARN_EVERY = 60.0  # seconds between two warnings about malformed frames


def _socket(kind: int) -> zmq.asyncio.Socket:
    socket = zmq.asyncio.Context.instance().socket(kind)
    socket.setsockopt(zmq.TCP_KEEPALIVE, 1)
    socket.setsockopt(zmq.TCP_KEEPALIVE_IDLE, KEEPALIVE_IDLE)
    socket.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME)  # a bigger frame drops that peer's connection
    socket.setsockopt(zmq.LINGER, 0)
    return socket


class _Warnings:
    """Counts what was dropped; says so once every ``WARN_EVERY`` seconds at most."""

    def __init__(self) -> None:
        self._last = -WARN_EVERY
        self.dropped = 0

    def drop(self, peer: bytes | str, why: str) -> None:
        self.dropped += 1
        now = time.monotonic()
        if now - self._last >= WARN_EVERY:
            self._last = now
            name = peer if isinstance(peer, str) else repr(peer[:40])  # an identity may be any bytes
            logger.warning(
                "Dropped a malformed message from %s: %s (%d dropped so far; the next such line comes "
                "after a minute at the earliest)",
                name,
                why,
                self.dropped,
            )


class MasterSocket:
    """The master's end: every worker's messages arrive here with the worker's client id."""

    def __init__(self, host: str, port: int) -> None:
        self.socket = _socket(zmq.ROUTER)
        # A worker that reconnects (after a network cut, or to a restarted master) with the same
        # identity takes its place at once instead of being refused as a duplicate.
        self.socket.setsockopt(zmq.ROUTER_HANDOVER, 1)
        if ":" in host:
            self.socket.setsockopt(zmq.IPV6, 1)
        address = f"tcp://{'[' + host + ']' if ':' in host else host}"
        try:
            if port == 0:
                self.port = self.socket.bind_to_random_port(address)
            else:
                self.socket.bind(f"{address}:{port}")
                self.port = port
        except zmq.ZMQError as error:
            self.socket.close()
            raise OSError(f"cannot bind the master to {host}:{port}: {error}") from None
        self._warnings = _Warnings()

    @property
    def dropped(self) -> int:
        """Malformed messages dropped so far."""
        return self._warnings.dropped

    async def recv(self) -> tuple[str, Message]:
        """The next well-formed message and the client id it came from."""
        while True:
            parts = await self.socket.recv_multipart()
            peer = parts[0] if parts else b""
            if len(parts) != 2:
                self._warnings.drop(peer, f"{len(parts)} parts, expected an identity and one frame")
                continue
            try:
                client_id = parts[0].decode()
                return client_id, decode(parts[1])
            except UnicodeDecodeError:
                self._warnings.drop(peer, "its identity is not UTF-8")
            except ProtocolError as error:
                self._warnings.drop(peer, str(error))

    def close(self, linger: float = 1.0) -> None:
        """Close, after up to ``linger`` seconds of sending what is queued (the workers' quit)."""
        self.socket.close(linger=int(linger * 1000))

    def send(self, client_id: str, message: Message) -> bool:
        """Queue ``message`` for one worker; False when it cannot be queued (its queue is full)."""
        try:
            self.socket.send_multipart([client_id.encode(), encode(message)], zmq.NOBLOCK)
        except zmq.Again:
            return False
        return True


class WorkerSocket:
    """A worker's end, connected to the master; its identity is its client id."""

    def __init__(self, host: str, port: int, client_id: str) -> None:
        self.client_id = client_id
        self.socket = _socket(zmq.DEALER)
        self.socket.setsockopt(zmq.IDENTITY, client_id.encode())
        if ":" in host:
            self.socket.setsockopt(zmq.IPV6, 1)
        self.socket.connect(f"tcp://{'[' + host + ']' if ':' in host else host}:{port}")
        self._warnings = _Warnings()

    async def recv(self) -> Message:
        while True:
            parts = await self.socket.recv_multipart()
            if len(parts) != 1:
                self._warnings.drop("the master", f"{len(parts)} parts, expected one frame")
                continue
            try:
                return decode(parts[0])
            except ProtocolError as error:
                self._warnings.drop("the master", str(error))

    def send(self, message: Message) -> bool:
        """Queue ``message`` for the master; False when it cannot be queued (its queue is full)."""
        try:
            self.socket.send(encode(message), zmq.NOBLOCK)
        except zmq.Again:
            return False
        return True

    def close(self, linger: float = 1.0) -> None:
        """Close, after up to ``linger`` seconds of sending what is queued (the last report)."""
        self.socket.close(linger=int(linger * 1000))
