"""The greenlet bridge: sync code on the loop, in greenlets borrowed from a per-thread pool."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import threading
import weakref
from typing import Any

import greenlet
import pytest

from horde.concurrency import bridge
from horde.concurrency.bridge import await_, call_sync, idle_greenlets, in_sync_context


def test_sync_code_waits_on_the_loop_and_returns_its_value(in_new_thread: Any) -> None:
    def work(x: int) -> tuple[int, bool]:
        loop_value = await_(asyncio.sleep(0, result=x * 2))
        return loop_value, in_sync_context()

    async def main() -> tuple[Any, bool, int]:
        return await call_sync(work, 21), in_sync_context(), idle_greenlets()

    assert in_new_thread(main) == ((42, True), False, 1)


def test_a_greenlet_serves_call_after_call_even_after_an_error(in_new_thread: Any) -> None:
    seen: list[int] = []

    def fails() -> None:
        seen.append(id(greenlet.getcurrent()))
        await_(asyncio.sleep(0))
        raise ValueError("boom")

    def works() -> str:
        seen.append(id(greenlet.getcurrent()))
        return "ok"

    async def main() -> tuple[str, str, int]:
        with pytest.raises(ValueError, match="boom"):
            await call_sync(fails)
        first = await call_sync(works)
        second = await call_sync(works)
        return first, second, idle_greenlets()

    assert in_new_thread(main) == ("ok", "ok", 1)
    assert len(set(seen)) == 1


def test_errors_from_the_loop_are_raised_inside_the_sync_code(in_new_thread: Any) -> None:
    async def broken() -> None:
        raise KeyError("from the loop")

    def work() -> str:
        try:
            await_(broken())
        except KeyError as error:
            return f"caught {error}"
        return "not raised"

    async def main() -> str:
        return await call_sync(work)

    assert in_new_thread(main) == "caught 'from the loop'"


def test_concurrent_calls_get_their_own_greenlets_and_the_pool_is_bounded(
    monkeypatch: pytest.MonkeyPatch, in_new_thread: Any
) -> None:
    monkeypatch.setattr(bridge, "POOL_LIMIT", 2)
    owners: list[int] = []

    def work(gate: asyncio.Event) -> None:
        owners.append(id(greenlet.getcurrent()))
        await_(gate.wait())

    async def main() -> int:
        gate = asyncio.Event()
        calls = [asyncio.ensure_future(call_sync(work, gate)) for _ in range(3)]
        await asyncio.sleep(0.01)
        gate.set()
        await asyncio.gather(*calls)
        return idle_greenlets()

    assert in_new_thread(main) == 2
    assert len(set(owners)) == 3


def test_an_idle_greenlet_keeps_nothing_of_the_last_call(in_new_thread: Any) -> None:
    class Payload:
        pass

    refs: list[weakref.ref[Payload]] = []

    def work(argument: Payload) -> Payload:
        payload = Payload()
        refs.append(weakref.ref(payload))
        await_(asyncio.sleep(0))
        return payload

    def fails() -> None:
        payload = Payload()
        refs.append(weakref.ref(payload))
        raise RuntimeError(payload)

    async def main() -> list[Payload | None]:
        argument = Payload()
        refs.insert(0, weakref.ref(argument))
        await call_sync(work, argument)  # the result is dropped at once
        del argument
        gc.collect()
        alive = [refs[0](), refs[1]()]
        with pytest.raises(RuntimeError):
            await call_sync(fails)
        gc.collect()
        return [*alive, refs[2]()]

    assert in_new_thread(main) == [None, None, None]


def test_context_variables_do_not_pass_from_one_call_to_the_next(in_new_thread: Any) -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    def sets() -> None:
        var.set("user one")

    def reads() -> str:
        return var.get()

    async def main() -> str:
        await call_sync(sets)
        return await call_sync(reads)

    assert in_new_thread(main) == "unset"


def test_a_loop_run_inside_another_greenlet_gets_control_back() -> None:
    def work() -> str:
        await_(asyncio.sleep(0))
        return "done"

    async def main() -> str:
        return await call_sync(work)

    def scenario() -> list[str]:
        results = [asyncio.run(main())]  # fills the pool from the thread's main greenlet
        results.append(greenlet.greenlet(lambda: asyncio.run(main())).switch())
        results.append(asyncio.run(main()))
        return results

    done: list[list[str]] = []
    worker = threading.Thread(target=lambda: done.append(scenario()))
    worker.start()
    worker.join(5)
    assert done == [["done", "done", "done"]]


def test_blocking_calls_outside_a_user_say_what_to_do() -> None:
    waiting = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="await the call instead"):
        await_(waiting)
    waiting.close()


def test_greenlets_beyond_the_pool_are_freed_at_once(
    monkeypatch: pytest.MonkeyPatch, in_new_thread: Any, live_bridge_greenlets: Any
) -> None:
    monkeypatch.setattr(bridge, "POOL_LIMIT", 1)

    def work(gate: asyncio.Event) -> None:
        await_(gate.wait())

    async def main() -> int:
        gate = asyncio.Event()
        calls = [asyncio.ensure_future(call_sync(work, gate)) for _ in range(5)]
        await asyncio.sleep(0.01)
        gate.set()
        await asyncio.gather(*calls)
        # Reference counting alone must free the four the pool had no room for.
        return live_bridge_greenlets()

    gc.collect()
    before = live_bridge_greenlets()
    gc.disable()
    try:
        alive = in_new_thread(main)
    finally:
        gc.enable()
    assert alive - before == 1
