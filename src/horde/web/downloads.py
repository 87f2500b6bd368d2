"""The web UI's downloads: Locust's CSV files, the full-history CSV, Horde's summary JSON and the
HTML report, each named as Locust names its downloads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from horde.reports.csv_files import exceptions_csv, failures_csv, stats_csv
from horde.reports.summary_json import build_summary, summary_text
from horde.runtime.result import RunResult
from horde.runtime.runner import Runner
from horde.stats.thresholds import ThresholdResult
from horde.web.report import AssetsMissing, render_report, report_data

if TYPE_CHECKING:
    from horde.runtime.environment import Environment

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Downloads:
    def __init__(
        self,
        environment: Environment,
        stats_history_csv: Path | None,
        thresholds: Callable[[], Sequence[ThresholdResult]] = tuple,
    ) -> None:
        self.environment = environment
        self.stats_history_csv = stats_history_csv
        self.thresholds = thresholds
        """The run's thresholds judged on it so far (the web UI's)."""

    def result(self) -> RunResult:
        """The run so far, its thresholds judged on it."""
        return replace(self.runner.result(), thresholds=self.thresholds())

    def routes(self) -> list[tuple[str, Handler]]:
        """(path, GET handler) of each download."""
        return [
            ("/stats/requests/csv", self._csv("requests", lambda r: stats_csv(r.stats))),
            ("/stats/failures/csv", self._csv("failures", lambda r: failures_csv(r.stats))),
            ("/exceptions/csv", self._csv("exceptions", lambda r: exceptions_csv(r.exceptions))),
            ("/stats/requests_full_history/csv", self._history_csv),
            ("/stats/report", self._report),
            ("/api/v1/summary", self._summary),
        ]

    @property
    def runner(self) -> Runner:
        runner = self.environment.runner
        assert isinstance(runner, Runner)
        return runner

    def _csv(self, kind: str, build: Callable[[Runner], str]) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(
                text=build(self.runner),
                content_type="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{self.file_stem(kind)}.csv"'},
            )

        return handler

    async def _history_csv(self, request: web.Request) -> web.StreamResponse:
        path = self.stats_history_csv
        if path is None or not path.exists():
            return web.Response(
                status=404, text="the full history CSV needs --csv PREFIX --csv-full-history\n"
            )
        name = self.file_stem("requests_full_history")
        return web.FileResponse(path, headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})

    async def _summary(self, request: web.Request) -> web.StreamResponse:
        name = self.file_stem("summary")
        return web.Response(
            text=summary_text(build_summary(self.result())),
            content_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
        )

    async def _report(self, request: web.Request) -> web.StreamResponse:
        try:
            html = render_report(report_data(self.result()))
        except AssetsMissing as error:
            return web.Response(status=500, text=f"{error}\n")
        headers = {}
        if request.query.get("download"):
            headers["Content-Disposition"] = f'attachment; filename="{self.file_stem("report")}.html"'
        return web.Response(text=html, content_type="text/html", headers=headers)

    def file_stem(self, kind: str) -> str:
        """Locust's download names: ``Locust_<date-time>_<locustfile>_<host>_<kind>``, as Horde_."""
        stamp = datetime.now().strftime("%Y-%m-%d-%Hh%M")
        locustfile = Path(str(self.environment.locustfile or "locustfile")).stem
        host = (self.environment.host or "").split("://")[-1].replace(":", "-").replace("/", "")
        return f"Horde_{stamp}_{locustfile}_{host}_{kind}"
