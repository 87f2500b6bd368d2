"""ZeroMQ sockets as Locust 2.47 uses them, on asyncio: the master's ROUTER bound to one port, each
worker's DEALER whose identity is its client id. Frames are :mod:`horde.distributed.protocol`'s.

What arrives malformed (garbage, a frame over the size limit, the wrong number of parts) is
dropped and counted, with at most one warning line a minute: nothing a network delivers stops the
master, nor floods its log.

With a shared secret (``--master-secret``) every frame travels with a second part, its HMAC-SHA256
under the secret, and frames without the right one are refused: a worker without the secret
cannot join, nor can anyone else who reaches the port send orders or reports.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections import deque
from typing import Any

import zmq
import zmq.asyncio

from horde.concurrency.cooperative import original
from horde.distributed.protocol import MAX_FRAME, Message, ProtocolError, decode, encode

logger = logging.getLogger("locust.rpc")  # Locust's logger name: scripts and filters match it

KEEPALIVE_IDLE = 30  # seconds, as Locust: a dead peer's TCP connection is noticed
WARN_EVERY = 60.0  # seconds between two warnings about malformed frames


def master_secret(environment: Any) -> bytes | None:
    """``--master-secret`` (or HORDE_MASTER_SECRET), as the key of the frames' signatures."""
    secret = getattr(environment.parsed_options, "master_secret", None)
    return secret.encode() if isinstance(secret, str) and secret else None


def sign(secret: bytes, frame: bytes) -> bytes:
    return hmac.new(secret, frame, hashlib.sha256).digest()


def _checked(secret: bytes | None, parts: list[bytes]) -> tuple[bytes | None, str, bool]:
    """The frame of a message's ``parts`` (without the identity), or None, why not, and whether
    that is a refusal (the secret) rather than a malformed message."""
    if secret is None:
        if len(parts) == 2:
            return None, "a signed frame, but this side has no --master-secret", True
        if len(parts) != 1:
            return None, f"{len(parts)} parts, expected one frame", False
        return parts[0], "", False
    if len(parts) != 2:
        return None, "not signed: the sender lacks the --master-secret", True
    if not hmac.compare_digest(parts[1], sign(secret, parts[0])):
        return None, "a wrong signature: the sender's --master-secret differs", True
    return parts[0], "", False


def _socket(kind: int) -> zmq.asyncio.Socket:
    socket = zmq.asyncio.Context.instance().socket(kind)
    _configure(socket)
    return socket


def _configure(socket: zmq.Socket[Any]) -> None:
    """Keepalive as Locust sets it, a size limit, and no lingering unless close() asks for it."""
    socket.setsockopt(zmq.TCP_KEEPALIVE, 1)
    socket.setsockopt(zmq.TCP_KEEPALIVE_IDLE, KEEPALIVE_IDLE)
    socket.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME)  # a bigger frame drops that peer's connection
    socket.setsockopt(zmq.LINGER, 0)


def ask(
    host: str,
    port: int,
    client_id: str,
    question: Message,
    secret: bytes | None,
    timeout: float,
    every: float = 1.0,
) -> Message | None:
    """Send ``question`` every ``every`` seconds until the master answers; the answer, or None after
    ``timeout`` seconds. A throwaway socket in this thread, for before the event loop runs (a
    worker's ``-f -``)."""
    context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    socket = context.socket(zmq.DEALER)
    _configure(socket)
    socket.setsockopt(zmq.IDENTITY, client_id.encode())
    if ":" in host:
        socket.setsockopt(zmq.IPV6, 1)
    socket.connect(f"tcp://{'[' + host + ']' if ':' in host else host}:{port}")
    frame = encode(question)
    parts = [frame] if secret is None else [frame, sign(secret, frame)]
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            socket.send_multipart(parts)
            asked = time.monotonic()
            while (left := min(asked + every, deadline) - time.monotonic()) > 0:
                if not socket.poll(int(left * 1000) + 1, zmq.POLLIN):
                    continue
                answer, _, _ = _checked(secret, socket.recv_multipart())
                if answer is None:
                    continue
                try:
                    return decode(answer)
                except ProtocolError:
                    continue
        return None
    finally:
        socket.close(linger=0)
        context.term()


class _Warnings:
    """Counts what was dropped; says so once every ``WARN_EVERY`` seconds at most, for malformed
    frames and for refused ones (a missing or wrong signature) apart."""

    def __init__(self) -> None:
        self._last = {False: -WARN_EVERY, True: -WARN_EVERY}
        self.dropped = 0

    def drop(self, peer: bytes | str, why: str, refused: bool = False) -> None:
        self.dropped += 1
        now = time.monotonic()
        if now - self._last[refused] >= WARN_EVERY:
            self._last[refused] = now
            name = peer if isinstance(peer, str) else repr(peer[:40])  # an identity may be any bytes
            logger.warning(
                "%s from %s: %s (%d dropped so far; the next such line comes after a minute at the earliest)",
                "Refused a message" if refused else "Dropped a malformed message",
                name,
                why,
                self.dropped,
            )


class MasterSocket:
    """The master's end: every worker's messages arrive here with the worker's client id."""

    def __init__(self, host: str, port: int, secret: bytes | None = None) -> None:
        self.secret = secret
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
            frame, why, refused = _checked(self.secret, parts[1:])
            if frame is None:
                self._warnings.drop(peer, why, refused)
                continue
            try:
                client_id = parts[0].decode()
                return client_id, decode(frame)
            except UnicodeDecodeError:
                self._warnings.drop(peer, "its identity is not UTF-8")
            except ProtocolError as error:
                self._warnings.drop(peer, str(error))

    def close(self, linger: float = 1.0) -> None:
        """Close, after up to ``linger`` seconds of sending what is queued (the workers' quit)."""
        self.socket.close(linger=int(linger * 1000))

    def send(self, client_id: str, message: Message) -> bool:
        """Queue ``message`` for one worker; False when it cannot be queued (its queue is full)."""
        frame = encode(message)
        parts = (
            [client_id.encode(), frame]
            if self.secret is None
            else [client_id.encode(), frame, sign(self.secret, frame)]
        )
        try:
            self.socket.send_multipart(parts, zmq.NOBLOCK)
        except zmq.Again:
            return False
        return True


class WorkerSocket:
    """A worker's end, connected to the master; its identity is its client id.

    A thread of its own (a real one, not a greenlet) owns the socket: it sends what the loop
    queues, hands what arrives to the loop, and sends :attr:`heartbeat` every second by itself,
    so user code that holds the loop (CPU-heavy tasks, blocking calls) does not make the worker
    look dead to its master.
    """

    def __init__(
        self, host: str, port: int, client_id: str, heartbeat_every: float = 1.0, secret: bytes | None = None
    ) -> None:
        self.client_id = client_id
        self.secret = secret
        self.heartbeat: Message | None = None
        """Sent every ``heartbeat_every`` seconds while set (the loop keeps it current)."""
        self._heartbeat_every = heartbeat_every
        self._address = f"tcp://{'[' + host + ']' if ':' in host else host}:{port}"
        self._ipv6 = ":" in host
        self._outgoing: deque[list[bytes]] = deque()  # appends and pops are atomic: no lock needed
        self._incoming: asyncio.Queue[Message] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._warnings = _Warnings()
        self._closing = False
        self.last_heard = time.monotonic()
        """When the last message from the master arrived (set by the socket's thread, so it is
        true even while user code holds the loop)."""
        self._running = original("_thread", "allocate_lock")()  # an OS lock: held by the thread
        self._running.acquire()
        original("_thread", "start_new_thread")(self._run, ())

    def send(self, message: Message) -> bool:
        """Queue ``message`` for the master (the socket's thread sends it within 50 ms)."""
        if self._closing:
            return False
        self._outgoing.append(self._parts(message))
        return True

    def _parts(self, message: Message) -> list[bytes]:
        frame = encode(message)
        return [frame] if self.secret is None else [frame, sign(self.secret, frame)]

    async def recv(self) -> Message:
        return await self._incoming.get()

    def close(self, linger: float = 1.0) -> None:
        """Send what is queued (for up to ``linger`` seconds), then close."""
        self._closing = True
        self._linger = linger
        if self._running.acquire(timeout=linger + 1.0):  # the thread has ended
            self._running.release()

    # The socket's thread ---------------------------------------------------------------------
    _linger = 1.0

    def _run(self) -> None:
        context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()  # this thread's own
        socket = context.socket(zmq.DEALER)
        _configure(socket)
        socket.setsockopt(zmq.IDENTITY, self.client_id.encode())
        if self._ipv6:
            socket.setsockopt(zmq.IPV6, 1)
        socket.connect(self._address)
        next_beat = time.monotonic() + self._heartbeat_every
        try:
            while True:
                self._flush(socket)
                if self._closing:
                    break
                now = time.monotonic()
                if now >= next_beat:
                    next_beat = now + self._heartbeat_every
                    if self.heartbeat is not None:
                        self._outgoing.append(self._parts(self.heartbeat))
                        continue
                if socket.poll(50, zmq.POLLIN):
                    self._receive(socket)
        finally:
            socket.close(linger=int(self._linger * 1000))
            context.term()
            self._running.release()

    def _flush(self, socket: zmq.Socket[bytes]) -> None:
        outgoing = self._outgoing
        while outgoing:
            try:
                socket.send_multipart(outgoing[0], zmq.NOBLOCK)
            except zmq.Again:
                return  # the queue to the master is full: later
            outgoing.popleft()

    def _receive(self, socket: zmq.Socket[bytes]) -> None:
        while True:
            try:
                parts = socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            frame, why, refused = _checked(self.secret, parts)
            if frame is None:
                self._warnings.drop("the master", why, refused)
                continue
            try:
                message = decode(frame)
            except ProtocolError as error:
                self._warnings.drop("the master", str(error))
                continue
            self.last_heard = time.monotonic()
            try:
                self._loop.call_soon_threadsafe(self._incoming.put_nowait, message)
            except RuntimeError:  # the loop has closed
                return
