"""The HTML report: one self-contained file (``--html FILE``, the UI's download, ``/stats/report``).

The page is the front end's report build (``static/report``: one script, one stylesheet) inlined
next to the run's data as JSON, so it opens offline, from a CI artifact or an e-mail, with no CDN.
"""

from __future__ import annotations

import html
import time
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from horde.exception import UsageError
from horde.runtime.result import RunResult
from horde.user.inspect_ratio import ratio_report
from horde.version import __version__
from horde.web import payloads

PERCENTILES_FOR_HTML_REPORT = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
"""The report's response-time columns, as in Locust's report."""

BUSIEST_NAMES = 20
"""Request names that get their own charts in the report (the most requested)."""

_ASSETS = ("static", "report")


class AssetsMissing(UsageError):
    """The front end was not built into this installation (a source checkout without npm)."""


def asset(*parts: str) -> str:
    """A built front-end file's text; a clear error when the build is missing."""
    node = resources.files("horde.web").joinpath(*parts)
    try:
        return node.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssetsMissing(
            "the web UI's front end is not built in this installation: reinstall Horde with "
            "`pip install .` (it needs Node.js and npm), or run `npm --prefix frontend ci && "
            "npm --prefix frontend run build` in a source checkout"
        ) from None


def report_data(result: RunResult) -> dict[str, Any]:
    """Everything the report shows, as the front end's report script reads it."""
    info = result.info
    stats = result.stats
    series = result.series
    health = payloads.health(result.health)
    entries = payloads.sorted_entries(stats)
    busiest = sorted(entries, key=lambda e: -e.num_requests)[:BUSIEST_NAMES]
    percentile_columns = list(PERCENTILES_FOR_HTML_REPORT)
    return {
        "meta": {
            "version": __version__,
            "locustfile": info.locustfile or "",
            "host": info.host,
            "profile": result.profile,
            "start": info.start_epoch,
            "end": info.end_epoch or time.time(),
            "verdict": health["verdict"] if health else None,
            "verdict_text": (
                f"{health['limitedWindows']} of {health['windows']} windows limited by the load generator"
                if health
                else None
            ),
        },
        "stats": payloads.stats_table(stats),
        "percentiles": {
            "columns": percentile_columns,
            "rows": [
                [e.method, e.name, e.num_requests, *e.get_response_time_percentiles(percentile_columns)]
                for e in [*entries, stats.total]
            ],
        },
        "failures": payloads.failures(stats)["failures"],
        "exceptions": payloads.exceptions(result.exceptions)["exceptions"],
        "history": stats.history.to_dicts(),
        "distribution": payloads.distribution(stats.total.response_times),
        "entries": [
            {
                "method": e.method,
                "name": e.name,
                **series.get(e.name, e.method),
                "distribution": payloads.distribution(e.response_times),
            }
            for e in busiest
        ],
        "ratios": ratio_report(list(result.user_classes), info.users or None),
        "thresholds": payloads.thresholds(result.thresholds),
        "comparison": dict(result.comparison) if result.comparison is not None else None,
    }


def render_report(data: dict[str, Any]) -> str:
    """The whole HTML document."""
    script = asset(*_ASSETS, "report.js")
    style = asset(*_ASSETS, "report.css")
    # Inside <script>, "</" would end the element: JSON keeps its meaning with "<" escaped.
    payload = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS, default=str).decode().replace("<", "\\u003c")
    safe_script = script.replace("</script", "<\\/script")
    title = f"Horde report: {Path(data['meta']['locustfile']).name or 'test'}"
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        '<div id="app"></div>\n'
        f'<script id="horde-report" type="application/json">{payload}</script>\n'
        f"<script>{safe_script}</script>\n"
        "</body>\n</html>\n"
    )


def html_file_name(pattern: str, users: int | None, spawn_rate: float | None, run_time: int | None) -> str:
    """``--html`` names with ``{u}``, ``{r}``, ``{t}`` replaced as Locust does (12.0 -> "12")."""
    for tag, value in (("{u}", users), ("{r}", spawn_rate), ("{t}", run_time)):
        if value is not None:
            text = str(int(value)) if float(value).is_integer() else str(value)
            pattern = pattern.replace(tag, text)
    return pattern


def write_report(path: str | Path, result: RunResult) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(report_data(result)), encoding="utf-8")
    return target
