"""The master's and the workers' ZeroMQ sockets on 127.0.0.1: messages both ways, and what
garbage, oversized frames and a stray TCP client do to the master (nothing)."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest
import zmq
import zmq.asyncio

from horde.distributed.protocol import MAX_FRAME, Message
from horde.distributed.transport import MasterSocket, WorkerSocket


async def within(awaitable, seconds: float = 5.0):  # type: ignore[no-untyped-def]
    return await asyncio.wait_for(awaitable, seconds)


def test_messages_go_both_ways_and_a_worker_reconnecting_under_its_id_takes_its_place() -> None:
    async def main() -> None:
        master = MasterSocket("127.0.0.1", 0)
        first = WorkerSocket("127.0.0.1", master.port, "host_1")
        other = WorkerSocket("127.0.0.1", master.port, "host_2")
        try:
            assert first.send(Message("client_ready", "2.47.0", "host_1"))
            assert await within(master.recv()) == ("host_1", Message("client_ready", "2.47.0", "host_1"))
            other.send(Message("client_ready", "2.47.0", "host_2"))
            assert (await within(master.recv()))[0] == "host_2"
            master.send("host_1", Message("ack", {"index": 0}, "host_1"))
            master.send("host_2", Message("ack", {"index": 1}, "host_2"))
            assert await within(first.recv()) == Message("ack", {"index": 0}, "host_1")
            assert await within(other.recv()) == Message("ack", {"index": 1}, "host_2")
            first.close()  # gone; a new process with the same id comes
            again = WorkerSocket("127.0.0.1", master.port, "host_1")
            again.send(Message("client_ready", "2.47.0", "host_1"))
            assert (await within(master.recv()))[0] == "host_1"
            master.send("host_1", Message("ack", {"index": 0}, "host_1"))
            assert await within(again.recv()) == Message("ack", {"index": 0}, "host_1")
            again.close()
        finally:
            other.close()
            master.close()

    asyncio.run(main())


def test_garbage_oversized_frames_and_a_stray_tcp_client_never_stop_the_master(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> int:
        master = MasterSocket("127.0.0.1", 0)
        worker = WorkerSocket("127.0.0.1", master.port, "host_1")
        raw = zmq.asyncio.Context.instance().socket(zmq.DEALER)
        raw.setsockopt(zmq.IDENTITY, b"evil")
        raw.setsockopt(zmq.LINGER, 0)
        raw.connect(f"tcp://127.0.0.1:{master.port}")
        try:
            await raw.send(b"\x00 not msgpack at all")
            await raw.send_multipart([b"two", b"parts"])
            await raw.send(b"\x93\xa5stats")  # truncated
            await raw.send(b"\x00" * (MAX_FRAME + 1))  # ZeroMQ drops this peer's connection
            _, writer = await asyncio.open_connection("127.0.0.1", master.port)
            writer.write(random.Random(7).randbytes(4096))  # not even ZeroMQ's handshake
            await writer.drain()
            writer.close()
            await asyncio.sleep(0.3)
            worker.send(Message("heartbeat", {"state": "running"}, "host_1"))
            assert await within(master.recv()) == (
                "host_1",
                Message("heartbeat", {"state": "running"}, "host_1"),
            )
            with pytest.raises(TimeoutError):  # drains what is left: all of it garbage
                await asyncio.wait_for(master.recv(), 0.5)
            return master.dropped
        finally:
            raw.close()
            worker.close()
            master.close()

    with caplog.at_level(logging.WARNING, logger="locust.rpc"):
        # The three malformed frames, and whatever ZeroMQ made of the random bytes (it may read
        # them as frames of its oldest protocol version).
        assert asyncio.run(main()) >= 3
    # One line for all of it, not one per frame.
    assert caplog.text.count("Dropped a malformed message from ") == 1


def test_with_a_master_secret_only_signed_frames_pass(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> tuple[int, list[str]]:
        master = MasterSocket("127.0.0.1", 0, secret=b"s3cret")
        good = WorkerSocket("127.0.0.1", master.port, "good", secret=b"s3cret")
        unsigned = WorkerSocket("127.0.0.1", master.port, "unsigned")
        wrong = WorkerSocket("127.0.0.1", master.port, "wrong", secret=b"guess")
        try:
            unsigned.send(Message("client_ready", "2.47.0", "unsigned"))
            wrong.send(Message("client_ready", "2.47.0", "wrong"))
            await asyncio.sleep(0.3)
            good.send(Message("client_ready", "2.47.0", "good"))
            assert await within(master.recv()) == ("good", Message("client_ready", "2.47.0", "good"))
            master.send("good", Message("ack", {"index": 0}, "good"))
            assert await within(good.recv()) == Message("ack", {"index": 0}, "good")
            for other in (unsigned, wrong):
                master.send(other.client_id, Message("stop", None, other.client_id))
            with pytest.raises(TimeoutError):  # neither takes the master's signed orders either
                await asyncio.wait_for(asyncio.gather(unsigned.recv(), wrong.recv()), 0.5)
            return master.dropped, [unsigned._warnings.dropped, wrong._warnings.dropped]
        finally:
            for worker in (good, unsigned, wrong):
                worker.close(linger=0)
            master.close(linger=0)

    with caplog.at_level(logging.WARNING, logger="locust.rpc"):
        dropped, refused = asyncio.run(main())
    assert dropped == 2 and refused == [1, 1]
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Refused a message from b'")]
    assert len(lines) == 1  # the master's: one line a minute
    assert "not signed: the sender lacks" in lines[0] or "a wrong signature: the sender's" in lines[0]
    assert (
        "Refused a message from the master: a signed frame, but this side has no --master-secret"
        in caplog.text
    )
