"""``--influxdb URL``: the run, second by second, in InfluxDB's line protocol.

Once a second, for each request name that had requests in that second, one point::

    horde_requests,method=GET,name=/cart count=52i,failures=1i,avg=12.5,p50=11.2,p95=30.1,p99=41,max=52 <ms>

``count`` and ``failures`` are that second's deltas (their sum over a run is the run's count); the
times are milliseconds, of that second's requests (from the difference of Horde's histograms, so
exact to their 1 %). While a test runs, one ``horde_users,user_class=... users=Ni`` point per
class too.

* InfluxDB 1.x: the URL's path is the database (``http://influx:8086/horde``), written with
  ``/write?db=horde``.
* InfluxDB 2.x: ``--influxdb-org``, ``--influxdb-bucket`` and ``--influxdb-token`` (or
  ``HORDE_INFLUXDB_TOKEN``), written with ``/api/v2/write``.

The lines are made on the runner's tick and sent by a task of their own, in batches: a slow or
absent InfluxDB never holds a user or the tick. A failed write is retried, backing off to 30 s,
with the points kept in a bounded buffer (the oldest are dropped beyond it); an InfluxDB that
refuses a batch (a 4xx: no such database, a bad token) drops it. Either way one warning line a
minute at most, and the run's summary says how many points were written and dropped.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import aiohttp

from horde.concurrency.cooperative import event_loop
from horde.outputs.deltas import Delta, Deltas

if TYPE_CHECKING:
    from horde.runtime.runner import Runner
    from horde.runtime.ticker import Tick

logger = logging.getLogger("horde.outputs.influxdb")

MAX_PENDING = 100_000
"""Lines kept while InfluxDB does not take them; beyond, the oldest are dropped."""
BATCH = 5_000
"""Lines per write (InfluxDB advises 5,000 to 10,000)."""
MAX_BACKOFF = 30.0
WARN_EVERY = 60.0
CLOSE_WAIT = 5.0
"""At the end, how long the last lines may take to go before they count as dropped."""
TIMEOUT = 10.0


class InfluxError(ValueError):
    """Bad ``--influxdb`` options; the message says what is missing."""


@dataclass(frozen=True)
class Destination:
    """Where and how the lines are written."""

    url: str  # the write endpoint, with its query
    headers: dict[str, str]
    shown: str  # for messages: the URL without credentials

    @classmethod
    def from_options(
        cls, url: str, org: str | None = None, bucket: str | None = None, token: str | None = None
    ) -> Destination:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InfluxError(f"--influxdb {url!r}: expected a URL such as http://127.0.0.1:8086/horde")
        base = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], "", "", ""))
        if org or bucket or token:
            missing = [flag for flag, value in (("--influxdb-org", org), ("--influxdb-bucket", bucket),
                       ("--influxdb-token (or HORDE_INFLUXDB_TOKEN)", token)) if not value]  # fmt: skip
            if missing:
                raise InfluxError(f"InfluxDB 2.x needs {', '.join(missing)} too")
            query = urlencode({"org": org, "bucket": bucket, "precision": "ms"})
            headers = {"Authorization": f"Token {token}"}
            return cls(f"{base}/api/v2/write?{query}", headers, f"{base} (bucket {bucket})")
        database = parts.path.strip("/")
        if not database or "/" in database:
            raise InfluxError(
                f"--influxdb {url!r}: for InfluxDB 1.x the path is the database (http://influx:8086/horde); "
                "for 2.x give --influxdb-org, --influxdb-bucket and --influxdb-token"
            )
        headers = {}
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        query = urlencode({"db": database, "precision": "ms"})
        return cls(f"{base}/write?{query}", headers, f"{base}/{database}")


def _tag(value: str) -> str:
    """A tag value (or key) as line protocol escapes it; an empty one would be invalid."""
    escaped = value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")
    return escaped.replace("\n", "\\n") or "-"


class Seconds:
    """Each name's requests since the previous call, as points (see the module docstring)."""

    def __init__(self) -> None:
        self._deltas = Deltas()

    def lines(self, runner: Runner, epoch_ms: int) -> list[str]:
        lines = [_point(delta, epoch_ms) for delta in self._deltas.take(runner.stats)]
        if runner.state in ("spawning", "running"):
            for user_class, count in sorted(runner.user_classes_count.items()):
                lines.append(f"horde_users,user_class={_tag(user_class)} users={count}i {epoch_ms}")
        return lines


def _point(delta: Delta, ms: int) -> str:
    fields = [f"count={delta.requests}i", f"failures={delta.failures}i"]
    if delta.timed > 0 and delta.histogram:
        p50, p95, p99 = (value / 1000 for value in delta.histogram.percentiles([0.5, 0.95, 0.99]))
        fields += [f"avg={delta.response_time / delta.timed:.3f}", f"p50={p50:.3f}", f"p95={p95:.3f}",
                   f"p99={p99:.3f}", f"max={delta.histogram.max_us / 1000:.3f}"]  # fmt: skip
    return f"horde_requests,method={_tag(delta.method)},name={_tag(delta.name)} {','.join(fields)} {ms}"


class InfluxWriter:
    """Makes the lines on ``runner``'s tick and writes them to ``destination`` in the background."""

    name = "influxdb"

    def __init__(self, runner: Runner, destination: Destination, max_pending: int = MAX_PENDING) -> None:
        self.runner = runner
        self.destination = destination
        self.written = 0
        self.dropped = 0
        self._pending: deque[str] = deque()
        self._max_pending = max_pending
        self._seconds = Seconds()
        self._last_ms = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._warned_at = -WARN_EVERY
        self._closing = False

    def start(self) -> None:
        self.runner.ticker.add(self._on_tick)
        self._task = event_loop().create_task(self._send_all())
        logger.info("Writing to InfluxDB at %s each second", self.destination.shown)

    def _on_tick(self, tick: Tick) -> None:
        self.take(tick.time)

    def take(self, epoch: float) -> None:
        """The lines of the seconds since the last take, into the queue (stamped ``epoch``)."""
        stamp = max(int(epoch * 1000), self._last_ms + 1)  # points of one series never share a time
        lines = self._seconds.lines(self.runner, stamp)
        if not lines:
            return
        self._last_ms = stamp
        pending = self._pending
        pending.extend(lines)
        overflow = len(pending) - self._max_pending
        if overflow > 0:
            for _ in range(overflow):
                pending.popleft()
            self.dropped += overflow
            self._warn(f"{overflow} points dropped: InfluxDB takes fewer than Horde makes (buffer full)")
        self._wake.set()

    async def close(self) -> None:
        """The last lines, and up to :data:`CLOSE_WAIT` seconds for them to go; what remains then
        counts as dropped."""
        self.runner.ticker.remove(self._on_tick)
        self.take(time.time())
        self._closing = True
        self._wake.set()
        task = self._task
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), CLOSE_WAIT)
            except TimeoutError:
                task.cancel()
        self.dropped += len(self._pending)
        self._pending.clear()
        if self._session is not None:
            await self._session.close()
        if self.dropped:
            shown = self.destination.shown
            logger.warning("InfluxDB at %s: %d points written, %d dropped", shown, self.written, self.dropped)

    def summary(self) -> dict[str, Any]:
        return {"url": self.destination.shown, "points_written": self.written, "points_dropped": self.dropped}

    async def _send_all(self) -> None:
        backoff = 0.0
        while True:
            if not self._pending:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = [self._pending.popleft() for _ in range(min(BATCH, len(self._pending)))]
            outcome = await self._write(batch)
            if outcome == "sent":
                self.written += len(batch)
                backoff = 0.0
            elif outcome == "refused":
                self.dropped += len(batch)
            else:  # not reached, or failing: keep the lines for later, and wait before trying
                self._pending.extendleft(reversed(batch))
                if self._closing:
                    return
                backoff = min(MAX_BACKOFF, backoff * 2 or 1.0)
                await asyncio.sleep(backoff)

    async def _write(self, batch: list[str]) -> str:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))
        body = ("\n".join(batch) + "\n").encode()
        try:
            destination = self.destination
            async with self._session.post(destination.url, data=body, headers=destination.headers) as answer:
                if answer.status < 300:
                    return "sent"
                text = (await answer.text())[:300].strip()
                if 400 <= answer.status < 500 and answer.status != 429:
                    self._warn(f"it refused {len(batch)} points, dropped: HTTP {answer.status} {text}")
                    return "refused"
                self._warn(f"HTTP {answer.status} {text}; retrying")
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            self._warn(f"cannot write ({error or type(error).__name__}); retrying, the points are kept")
        return "retry"

    def _warn(self, text: str) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            logger.warning("InfluxDB at %s: %s", self.destination.shown, text)
