"""``horde``: run a locustfile from the command line, the way ``locust`` does."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from horde import __version__
from horde.cli.argparser import HordeArgumentParser
from horde.cli.demo import demo_arguments, start_demo_target
from horde.cli.early_exit import EarlyExit
from horde.cli.headless import attach_controls, run_headless
from horde.cli.logging_setup import setup_logging
from horde.cli.options import EarlyOptions, build_parser, extended_parser, parse_early_options, parse_options
from horde.cli.preflight import check_hosts, check_output_paths, check_user_classes
from horde.cli.processes import fork_workers, reap
from horde.cli.runs import comparison_text, runs_command
from horde.cli.threshold_watch import ThresholdWatch
from horde.cli.web_run import make_web_ui, run_web
from horde.compat.hook import install as install_locust_alias
from horde.compat.locust import __version__ as LOCUST_VERSION
from horde.compat.locust import log as locust_log
from horde.concurrency import cooperative
from horde.distributed.locustfile import fetch_locustfiles
from horde.exception import UsageError
from horde.http.limits import ResponseLimits
from horde.http.limits import configure as configure_response_limits
from horde.outputs.compare import compare_sides, comparison_json, regressed
from horde.outputs.history import History, HistoryError, Windows, current_sides
from horde.outputs.influxdb import Destination, InfluxError, InfluxWriter
from horde.outputs.prometheus import MetricsServer
from horde.reports import console
from horde.reports.locust_json import stats_json
from horde.reports.summary_json import build_summary, write_summary
from horde.runtime.environment import Environment
from horde.runtime.events import events as global_events
from horde.runtime.health import Verdict
from horde.runtime.limits import raise_open_files_limit, users_beyond_capacity
from horde.runtime.loading import LoadedFiles, expand_locustfile_option, load_locustfiles
from horde.stats.percentiles import validate_settings as validate_percentile_settings
from horde.stats.thresholds import (
    Threshold,
    ThresholdError,
    ThresholdResult,
    WindowJudge,
    evaluate,
    parse_all,
)
from horde.user.http_users import needs_host
from horde.user.inspect_ratio import ratio_report, ratio_text
from horde.user.task import filter_tasks_by_tags
from horde.user.users import User
from horde.web.report import html_file_name, write_report
from horde.web.server import WebUI

logger = logging.getLogger("locust.main")  # Locust's logger name: scripts and filters match it

_NOT_YET = {
    "web_login": "--web-login (a login page from the locustfile; --web-token or --web-user protect the UI)",
}


def main() -> None:
    parent = os.getpid()
    code = run(sys.argv[1:])
    if os.getpid() != parent:
        _end_forked_worker(code)
    sys.exit(code)


def _end_forked_worker(code: int) -> None:
    """A worker forked by ``--processes`` ends as multiprocessing's children do: its output
    flushed, then ``os._exit``. The interpreter's own shutdown would wait on what the fork copied
    from the parent (its threads' locks, through the gevent hub it left behind) and print a
    traceback at every exit."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run(argv: list[str], environ: dict[str, str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line ``argv``; returns the process exit code (Locust's rules)."""
    environ = dict(os.environ if environ is None else environ)
    out = out or sys.stdout
    demo = None
    started_by = os.getpid()  # with --processes, forked workers return through here too
    try:
        if argv[:1] == ["runs"]:
            return runs_command(argv[1:], out)
        if argv[:1] == ["demo"]:
            demo = start_demo_target()
            argv = demo_arguments(argv[1:], demo.url)
        return _run(argv, environ, out)
    except EarlyExit as done:
        out.write(done.text if done.text.endswith("\n") else done.text + "\n")
        return done.exit_code
    except UsageError as error:
        print(f"horde: error: {error}", file=sys.stderr)
        return error.exit_code
    finally:
        if demo is not None and os.getpid() == started_by:
            demo.stop()


def _run(argv: list[str], environ: dict[str, str], out: TextIO) -> int:
    install_locust_alias()
    cwd, home = Path.cwd(), Path.home()
    early = parse_early_options(argv, environ, cwd, home)
    locustfile_option = early.locustfile
    try:
        loaded = load_locustfiles(_locustfile_paths(early))
    except UsageError:
        if early.help_requested:  # help works without a locustfile; custom options are then missing
            parse_options(["--help"], environ, cwd, home, build_parser())
        raise

    parser = extended_parser(global_events)
    options = parse_options(argv, environ, cwd, home, parser)
    if not options.skip_log_setup:
        setup_logging(options.loglevel, options.logfile)
    logger.info("Starting Locust %s (Horde %s)", LOCUST_VERSION, __version__)  # scripts wait for it

    validate_percentile_settings()  # the locustfile may have patched them
    user_classes = _select_user_classes(loaded, options)
    if options.list_commands:
        out.write("\n".join(sorted(loaded.user_classes)) + "\n")
        return 0
    _apply_task_filters(user_classes, options)
    if options.show_task_ratio or options.show_task_ratio_json:
        report = ratio_report(user_classes, options.num_users)
        out.write(json.dumps(report, indent=4) + "\n" if options.show_task_ratio_json else ratio_text(report))
        return 0
    _refuse_unavailable(options)
    configure_response_limits(
        ResponseLimits(
            options.max_header_line,
            options.max_headers,
            options.max_head,
            options.max_body,
            options.max_decompressed,
            options.max_ratio,
        )
    )
    check_user_classes(user_classes)
    check_hosts(user_classes, options.host)
    check_output_paths(options)
    _warn_shape_ignores(loaded, options)
    if options.arrival_rate and loaded.shape_classes:
        raise UsageError(
            f"--arrival-rate and the shape {next(iter(loaded.shape_classes))} both set the load: keep one "
            "(a shape drives arrivals by returning horde.shapes.ArrivalRate(rate, users))"
        )
    if loaded.gevent_users and not cooperative.patched():
        logger.warning(
            "%s uses gevent, but %s=1 left the standard library unpatched: its greenlets run "
            "only while something waits in gevent, and that wait stops every user. Unset it to run "
            "as under Locust.",
            ", ".join(loaded.gevent_users),
            cooperative.OFF_VARIABLE,
        )
    warning = raise_open_files_limit(options.num_users)
    connections = any(needs_host(c) for c in user_classes)
    if warning and not connections:  # users of other clients may not hold a file each
        logger.warning(warning)
    too_many = users_beyond_capacity(options.num_users or 0, connections=connections)
    if too_many:
        raise UsageError(f"-u {options.num_users}: {too_many}")
    children: list[int] = []
    if options.processes:
        forked = fork_workers(options)
        if isinstance(forked, int):  # --worker --processes: the children have ended
            return forked
        children = forked  # none in a child, which goes on as a worker
    thresholds = _thresholds(options, loaded)
    environment = _make_environment(loaded, user_classes, options, locustfile_option)
    try:
        return _run_test(environment, options, out, parser, thresholds)
    finally:
        reap(children)


def _locustfile_paths(early: EarlyOptions) -> list[str]:
    if early.locustfile != "-":
        return expand_locustfile_option(early.locustfile)
    if early.help_requested:
        raise UsageError("-f - fetches the locustfile from a master")  # help without it, below
    if not early.worker:
        raise UsageError("-f - (fetch the locustfile from the master) needs --worker")
    return fetch_locustfiles(early.master_host, early.master_port, early.master_secret)


def _thresholds(options: argparse.Namespace, loaded: LoadedFiles) -> list[Threshold]:
    """``--threshold`` (and a config file's list), then the locustfiles' ``thresholds``."""
    try:
        return parse_all([*(options.threshold or []), *loaded.thresholds])
    except ThresholdError as error:
        raise UsageError(f"{error} (in the locustfile's thresholds)") from None


def _select_user_classes(loaded: LoadedFiles, options: argparse.Namespace) -> list[type[User]]:
    if not loaded.user_classes:
        files = ", ".join(loaded.paths)
        raise UsageError(
            f"No User class found in {files}. Define a class that subclasses User, HttpUser or "
            "FastHttpUser (and is not marked abstract)."
        )
    wanted: list[str] = list(options.user_classes or [])
    unknown = [name for name in wanted if name not in loaded.user_classes]
    if unknown:
        available = ", ".join(sorted(loaded.user_classes))
        raise UsageError(f"Unknown User class(es): {', '.join(unknown)}. Available: {available}")
    names = wanted or list(loaded.user_classes)
    return [loaded.user_classes[name] for name in names]


def _apply_task_filters(user_classes: list[type[User]], options: argparse.Namespace) -> None:
    tags = set(options.tags) if options.tags else None
    exclude = set(options.exclude_tags) if options.exclude_tags else None
    if tags is None and exclude is None:
        for user_class in user_classes:
            if not user_class.tasks:  # Locust's words; its users then fail at each turn
                logger.warning(
                    "%s had no tasks left after filtering, instantiating it will fail!", user_class.__name__
                )
        return
    checked: dict[Any, bool] = {}
    for user_class in user_classes:
        filter_tasks_by_tags(user_class, tags, exclude, checked)
    # Locust starts such users anyway, each fails with "No tasks defined", and the run exits 1.
    empty = [user_class.__name__ for user_class in user_classes if not user_class.tasks]
    if empty:
        for name in empty:  # Locust's warning, which scripts match, then why the run cannot start
            logger.warning("%s had no tasks left after filtering, instantiating it will fail!", name)
        chosen = " ".join(
            [*(f"-T {t}" for t in sorted(tags or ())), *(f"-E {t}" for t in sorted(exclude or ()))]
        )
        raise UsageError(f"No tasks defined on {', '.join(empty)} after filtering by tags ({chosen})")


def _warn_shape_ignores(loaded: LoadedFiles, options: argparse.Namespace) -> None:
    """Locust's words when a shape drives the run and -u, -r or -t were given as well."""
    shape = next(iter(loaded.shape_classes.values()), None)
    if shape is None or shape.use_common_options:
        return
    given = {"num_users": "--users", "spawn_rate": "--spawn-rate", "run_time": "--run-time"}
    ignored = [flag for dest, flag in given.items() if getattr(options, dest, None)]
    if ignored:
        logger.warning(
            "--run-time, --users or --spawn-rate have no impact on LoadShapes unless the shape class "
            "explicitly reads them. See: docs.locust.io/en/stable/custom-load-shape.html#use-common-options"
        )
        logger.warning("The following option(s) will be ignored: %s", ", ".join(ignored))


def _refuse_unavailable(options: argparse.Namespace) -> None:
    for dest, what in _NOT_YET.items():
        if getattr(options, dest, None):
            raise UsageError(f"{what} is not available in Horde {__version__} yet")
    if options.run_time and not options.headless and not options.autostart:
        raise UsageError("--run-time can only be used together with --headless or --autostart")
    if options.arrival_rate:
        _check_arrival_rate(options)
    if options.influxdb:
        _influx_destination(options)
    if options.baseline and options.no_history:
        raise UsageError("--baseline compares with the run history: leave out --no-history")
    if options.fail_on_regression and not options.baseline:
        raise UsageError("--fail-on-regression needs --baseline (last, or a run id from horde runs list)")
    if options.otlp_endpoint:
        _otlp_class()
        if urlsplit(options.otlp_endpoint).scheme not in ("http", "https"):
            raise UsageError(
                f"--otlp-endpoint {options.otlp_endpoint!r}: expected a URL such as http://127.0.0.1:4318/v1/metrics"
            )


def _otlp_class() -> Any:
    try:
        from horde.outputs.otel import OtlpExporter
    except ImportError:
        raise UsageError(
            "--otlp-endpoint needs OpenTelemetry's SDK and OTLP exporter: pip install 'horde[otel]'"
        ) from None
    return OtlpExporter


def _influx_destination(options: argparse.Namespace) -> Destination:
    try:
        return Destination.from_options(
            options.influxdb, options.influxdb_org, options.influxdb_bucket, options.influxdb_token
        )
    except InfluxError as error:
        raise UsageError(str(error)) from None


def _check_arrival_rate(options: argparse.Namespace) -> None:
    if options.master or options.worker or options.processes:
        raise UsageError(
            f"--arrival-rate runs in one process in Horde {__version__}: leave out --master, --worker "
            "and --processes"
        )
    if options.num_users is None and (options.headless or options.autostart):
        raise UsageError(
            "--arrival-rate needs -u/--users: the pool of users that run the arrivals (about the rate "
            "times an iteration's seconds, plus a margin)"
        )


def _make_environment(
    loaded: LoadedFiles,
    user_classes: list[type[User]],
    options: argparse.Namespace,
    locustfile_option: str,
) -> Environment:
    shape = next(iter(loaded.shape_classes.values()), None)
    environment = Environment(
        user_classes=user_classes,
        shape_class=shape() if shape is not None else None,
        tags=options.tags,
        exclude_tags=options.exclude_tags,
        locustfile=locustfile_option,
        events=global_events,
        host=options.host,
        reset_stats=options.reset_stats,
        stop_timeout=options.stop_timeout,
        parsed_options=options,
        parsed_locustfiles=loaded.paths,
        available_user_classes=loaded.user_classes,
        available_shape_classes={n: c() for n, c in loaded.shape_classes.items()},
        profile=options.profile,
    )
    if options.equal_weights:
        environment.assign_equal_weights()
    missing = [c.__name__ for c in user_classes if needs_host(c) and not c.host]
    if missing and (options.headless or options.autostart):  # the web UI's form asks for it
        raise UsageError(
            f"No host for {', '.join(missing)}: pass --host (e.g. --host http://127.0.0.1:8080) "
            "or set `host` on the class"
        )
    return environment


def _run_test(
    environment: Environment,
    options: argparse.Namespace,
    out: TextIO,
    parser: HordeArgumentParser,
    thresholds: list[Threshold],
) -> int:
    """Run the test; ``out`` gets data (``--json``), ``locust.stats_logger`` the tables and summary,
    as Locust's."""
    judge = WindowJudge(thresholds)
    web_ui = (
        None
        if options.headless or options.worker
        else make_web_ui(environment, options, parser, thresholds, judge)
    )
    runner = _create_runner(environment, web_ui, options, parser)
    watch = ThresholdWatch(runner, judge, thresholds, options.threshold_abort, options.threshold_grace)
    if thresholds and not options.worker:
        runner.ticker.add(watch.on_tick)
    history, windows = None, None
    if not options.no_history and not options.worker:  # a worker's run is its master's
        history, windows = History(Path(options.history_dir), options.history_keep), Windows(runner)
        if web_ui is not None:  # each test started from the UI is a run
            record = partial(_record_web_test, history, windows, runner, options)
            environment.events.test_stop.add_listener(lambda **_: record())
    outputs: list[Any] = []  # each with start(), async close() and summary()
    if options.influxdb and not options.worker:  # a worker's requests are the master's to write
        outputs.append(InfluxWriter(runner, _influx_destination(options)))
    if options.otlp_endpoint and not options.worker:
        outputs.append(_otlp_class()(runner, options.otlp_endpoint))
    cooperative.run(_drive(environment, options, web_ui, outputs, windows))
    watch.finish()
    environment.events.quitting.fire(environment=environment, reverse=True)
    if options.worker:  # its statistics went to the master, which reports and judges the run
        code = exit_code(environment, options)
        logger.info("Shutting down (exit code %s)", code)
        environment.events.quit.fire(exit_code=code)
        return code
    judged = evaluate(thresholds, runner.stats, windows=judge)
    code = exit_code(environment, options, judged)
    delivered = {output.name: output.summary() for output in outputs}
    result = replace(runner.result(code), thresholds=judged, outputs=delivered)
    verdicts: Any = None
    if options.baseline and history is not None:
        baseline_id, verdicts = _compare_with_baseline(history, options.baseline, result, windows)
        if verdicts is not None:
            result = replace(result, comparison=comparison_json(verdicts, baseline_id))
            if options.fail_on_regression and code == 0 and regressed(verdicts):
                code = 1
                result = replace(result, info=replace(result.info, exit_code=code))
    if options.summary_json:
        write_summary(options.summary_json, result)
    if options.html_file:
        name = html_file_name(options.html_file, options.num_users, options.spawn_rate, options.run_time)
        logger.info("Writing the HTML report to %s", write_report(name, result))
    # Locust's order, which scripts that read its output follow: the line, the JSON, the tables.
    logger.info("Shutting down (exit code %s)", code)
    if options.json:
        out.write(json.dumps(stats_json(result.stats), indent=4) + "\n")
    if options.json_file:
        path = Path(f"{options.json_file}.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stats_json(result.stats), indent=4))
    else:
        console.log_final(result, options.exit_code_on_invalid)
    if verdicts is not None:
        baseline = (result.comparison or {}).get("baseline")
        console.log_text(comparison_text(verdicts, f"this run against run {baseline}") + "\n")
    if history is not None and web_ui is None:
        _record(history, result, windows, options)
    environment.events.quit.fire(exit_code=code)
    return code


def _compare_with_baseline(
    history: History, which: str, result: Any, windows: Windows | None
) -> tuple[int, Any]:
    """The baseline's id and the comparison; (0, None) and a warning when there is none."""
    try:
        baseline_id = history.resolve(which)
        return baseline_id, compare_sides(history.sides(baseline_id), current_sides(result.stats, windows))
    except HistoryError as error:
        logger.warning("--baseline %s: %s; no comparison", which, error)
        return 0, None


def _record_web_test(history: History, windows: Windows, runner: Any, options: argparse.Namespace) -> None:
    windows.take(runner.clock.monotonic())  # the test's last, partial window
    _record(history, runner.result(), windows, options)


def _record(history: History, result: Any, windows: Windows | None, options: argparse.Namespace) -> None:
    run_id = history.record(result, build_summary(result), windows, _recorded_options(options))
    if run_id is not None:
        logger.info("Recorded as run %d in %s (horde runs list)", run_id, history.path)


def _recorded_options(options: argparse.Namespace) -> dict[str, Any]:
    """The options as the history keeps them: tokens, secrets, passwords (in URLs too) left out."""
    kept: dict[str, Any] = {}
    for name, value in vars(options).items():
        if value and any(word in name for word in ("token", "secret", "password", "web_user")):
            value = "(hidden)"
        elif isinstance(value, str) and "://" in value and "@" in value.split("://", 1)[1].split("/", 1)[0]:
            scheme, rest = value.split("://", 1)
            value = f"{scheme}://(hidden)@{rest.split('@', 1)[1]}"
        kept[name] = value
    return kept


def _create_runner(
    environment: Environment, web_ui: WebUI | None, options: argparse.Namespace, parser: HordeArgumentParser
) -> Any:
    """The runner, and ``init`` fired as Locust fires it: in the main greenlet, before the loop runs
    (a listener may block, or ``gevent.spawn`` a greenlet that watches the run)."""
    if options.master:
        runner = environment.create_master_runner(options.master_bind_host, options.master_bind_port)
    elif options.worker:
        runner = environment.create_worker_runner(options.master_host, options.master_port)
        runner.custom_option_names = {action.dest for action in parser.custom_actions()}
    else:
        runner = environment.create_local_runner()
    init = environment.events.init
    errors_before = init.listener_errors
    init.fire(environment=environment, runner=runner, web_ui=web_ui)
    if init.listener_errors > errors_before:
        raise UsageError("an init event listener failed (its traceback is logged above); not starting")
    return runner


async def _drive(
    environment: Environment,
    options: argparse.Namespace,
    web_ui: WebUI | None,
    outputs: Sequence[Any],
    windows: Windows | None,
) -> None:
    """The run itself, to its end."""
    runner: Any = environment.runner  # a WorkerRunner or MasterRunner with --worker or --master
    if options.worker:
        detach_controls = attach_controls(runner)
        try:
            await runner.serve()
        finally:
            detach_controls()
        return
    if options.master:
        await runner.serve()
        logger.info("The master waits for workers on %s:%d", options.master_bind_host, runner.bind_port)
    metrics = None
    if options.metrics_port is not None:
        metrics = MetricsServer(runner, options.metrics_host, options.metrics_port)
        await metrics.start()
    for output in outputs:
        output.start()
    if windows is not None:
        windows.start()
    try:
        if options.master and (options.headless or options.autostart):
            await runner.wait_for_workers(options.expect_workers, options.expect_workers_max_wait or None)
        if web_ui is None:
            await run_headless(environment, options)
        else:
            await run_web(environment, options, web_ui)
    finally:
        if windows is not None:
            if web_ui is None:
                windows.take(runner.clock.monotonic())  # the last, partial window
            windows.stop()
        for output in outputs:
            await output.close()
        if metrics is not None:
            await metrics.stop()
        if options.master:
            runner.close()


def exit_code(
    environment: Environment, options: argparse.Namespace, thresholds: Sequence[ThresholdResult] = ()
) -> int:
    """Locust's rules: the script's code, else a failed threshold (``--exit-code-on-threshold``),
    else failures/exceptions, else crashes (2), else 0; with ``--exit-code-on-invalid``, that code
    before 0 when the generator was the bottleneck."""
    runner = environment.runner
    assert runner is not None
    if environment.process_exit_code is not None:
        return int(environment.process_exit_code)
    if any(not judged.passed for judged in thresholds):
        return int(options.exit_code_on_threshold)
    if runner.stats.errors or runner.exceptions:
        return int(options.exit_code_on_error)
    if (
        runner.unhandled_errors
        or environment.events.listener_errors()
        or locust_log.unhandled_greenlet_exception
    ):
        return 2
    if options.exit_code_on_invalid is not None and runner.health.verdict() is Verdict.INVALID:
        return int(options.exit_code_on_invalid)
    return 0
