"""``horde runs``: the run history (``list``, ``show``, ``compare``), and the comparison a run makes
with ``--baseline``. See :mod:`horde.outputs.history` and :mod:`horde.outputs.compare`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from horde.exception import UsageError
from horde.outputs.compare import Verdict, Verdicts, comparison_json, regressed
from horde.outputs.history import History, HistoryError

USAGE = """\
horde runs list                       the recorded runs, newest first
horde runs show ID [--json]           one run's totals and requests (--json: its summary JSON)
horde runs compare [A] [B]            is B slower than A? (default: the last two runs); exit 1 if so
  ID, A and B: a run id, last, or last~N (N runs before the last); --history-dir DIR (default .horde)"""


def runs_command(argv: list[str], out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="horde runs", usage=USAGE, add_help=False)
    parser.add_argument("action", nargs="?", choices=("list", "show", "compare"))
    parser.add_argument("runs", nargs="*")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--history-dir", default=".horde")
    parser.add_argument("-h", "--help", action="store_true")
    try:
        args, unknown = parser.parse_known_args(argv)
    except SystemExit:
        raise UsageError(f"horde runs: expected list, show or compare\n{USAGE}") from None
    if args.help or args.action is None:
        out.write(USAGE + "\n")
        return 0
    if unknown:
        raise UsageError(f"horde runs {args.action}: unrecognized arguments: {' '.join(unknown)}")
    history = History(Path(args.history_dir))
    try:
        if args.action == "list":
            return _list(history, out)
        if args.action == "show":
            if len(args.runs) != 1:
                raise UsageError("horde runs show: give one run id (or last)")
            return _show(history, history.resolve(args.runs[0]), args.json, out)
        if len(args.runs) > 2:
            raise UsageError("horde runs compare: give at most two runs, the baseline first")
        candidate = history.resolve(args.runs[1]) if len(args.runs) == 2 else history.resolve("last")
        first = args.runs[0] if args.runs else "last"
        baseline = history.resolve(first, before=None if args.runs else candidate)
        verdicts = history.compare(baseline, candidate)
        out.write(comparison_text(verdicts, f"run {candidate} against run {baseline}") + "\n")
        if args.json:
            out.write(json.dumps(comparison_json(verdicts, baseline), indent=2) + "\n")
        return 1 if regressed(verdicts) else 0
    except HistoryError as error:
        raise UsageError(str(error)) from None


def _list(history: History, out: TextIO) -> int:
    rows = [
        ("ID", "STARTED", "DURATION", "USERS", "REQUESTS", "FAILED", "REQ/S", "P95 MS", "EXIT", "LOCUSTFILE")
    ]
    for run in history.runs():
        duration = (run.ended or run.started) - run.started
        rows.append(
            (
                str(run.id),
                time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.started)),
                f"{duration:.0f}s",
                "" if run.users is None else str(run.users),
                f"{run.requests:,}",
                f"{run.failures / run.requests:.2%}" if run.requests else "-",
                f"{run.rps:,.1f}",
                "-" if run.p95_ms is None else f"{run.p95_ms:.1f}",
                "" if run.exit_code is None else str(run.exit_code),
                Path(run.locustfile).name if run.locustfile else "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n"
        )
    return 0


def _show(history: History, run_id: int, as_json: bool, out: TextIO) -> int:
    summary = history.summary(run_id)
    if as_json:
        out.write(json.dumps(summary, indent=2) + "\n")
        return 0
    run = summary["run"]
    out.write(
        f"Run {run_id}: {run.get('locustfile') or ''} against {run.get('host') or '-'}, "
        f"{run.get('start_time') or '?'} to {run.get('end_time') or '?'} ({run.get('duration_s') or 0:g} s), "
        f"exit code {run.get('exit_code')}\n"
    )
    out.write(
        f"{'Type':<8} {'Name':<50} {'# reqs':>9} {'# fails':>9} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}\n"
    )
    for entry in [*summary["entries"], summary["totals"]]:
        shown = entry["response_time_ms"]["percentiles_ms"]
        out.write(
            f"{entry['method']:<8} {entry['name'][:50]:<50} {entry['requests']:>9,} {entry['failures']:>9,} "
            f"{_ms(shown.get('50')):>9} {_ms(shown.get('95')):>9} {_ms(shown.get('99')):>9}\n"
        )
    return 0


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


# Comparing ----------------------------------------------------------------------------------------
def comparison_text(verdicts: Verdicts, title: str) -> str:
    """One line per name and metric that changed, then a line per name that stayed the same."""
    changed = sum(1 for _, rows in verdicts for v in rows if v.outcome in ("regressed", "improved"))
    worst = "REGRESSED" if regressed(verdicts) else ("improved" if changed else "no change beyond noise")
    lines = [f"Comparison: {title}: {worst}"]
    for (method, name), rows in verdicts:
        label = f"{method} {name}".strip()
        moved = [v for v in rows if v.outcome != "same"]
        if not moved:
            lines.append(f"  {label}: same (p50, p95, p99, failure ratio, throughput within noise)")
            continue
        for verdict in moved:
            lines.append(f"  {label} {verdict.metric}: {_described(verdict)}")
    return "\n".join(lines)


def _described(verdict: Verdict) -> str:
    if verdict.outcome == "missing":
        return verdict.why
    unit = {"fail_ratio": "", "rps": "/s"}.get(verdict.metric, " ms")
    change = f" ({verdict.change:+.0%})" if verdict.change is not None else ""
    return (
        f"{_number(verdict.baseline)}{unit} -> {_number(verdict.candidate)}{unit}{change} "
        f"{verdict.outcome.upper() if verdict.outcome == 'regressed' else verdict.outcome}: {verdict.why}"
    )


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if abs(value) < 1 else f"{value:,.1f}"
