"""Every command-line option of Locust 2.47 (with its names, dests, defaults, env vars) and Horde's extras.

A locustfile written for Locust reads ``environment.parsed_options.<dest>``, so the dests here are a
compatibility surface as much as the flags are. Help texts are Horde's own. One function per ``--help``
section keeps each readable; :func:`build_parser` assembles them.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path
from typing import Any

from horde.cli.argparser import HordeArgumentGroup, HordeArgumentParser, _AcceptsExtraKeywords
from horde.cli.early_exit import HelpRequested, VersionRequested
from horde.cli.option_types import (
    arrival_rate,
    byte_size,
    log_level,
    port_number,
    positive_number,
    spawn_rate,
    threshold_expression,
    timespan_seconds,
    whole_number,
    window_seconds,
)
from horde.http.limits import ResponseLimits, size_text

HIDDEN = argparse.SUPPRESS
DEFAULT_LOCUSTFILE = "locustfile.py"

_DESCRIPTION = """\
Run a load test written as a Locust locustfile (or with Horde's own API) on Horde's asyncio engine.
To try it on the bundled demo shop first: horde demo (it takes the same options).

Every long option can also be set in a config file (key = long name without dashes, e.g.
spawn-rate = 10): ~/.locust.conf, ./locust.conf, ./pyproject.toml [tool.locust], ./horde.toml,
./pyproject.toml [tool.horde] and --config FILE, in rising priority; then LOCUST_* and HORDE_*
environment variables; the command line wins over all of them.
"""


def version_text() -> str:
    """The ``--version`` line: ``horde <version> from <package dir> (Python <version>)``."""
    import horde

    return (
        f"horde {horde.__version__} from {Path(horde.__file__).parent} (Python {platform.python_version()})"
    )


class _HelpAction(argparse.Action):
    """``-h``: hand the finished help text to the caller instead of printing and exiting."""

    command_line_only = True

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        raise HelpRequested(parser.format_help())


class _VersionAction(argparse.Action):
    """``-V``: hand the version line to the caller instead of printing and exiting."""

    command_line_only = True

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, *_: object, **__: object) -> None:
        raise VersionRequested(version_text())


def add_locustfile_argument(container: _AcceptsExtraKeywords) -> None:
    """``-f``: shared with the first-phase parser that runs before the locustfile is imported."""
    container.add_argument(
        "-f",
        "--locustfile",
        metavar="<filename>",
        default=DEFAULT_LOCUSTFILE,
        env_var="LOCUST_LOCUSTFILE",
        help="Python file(s) with the User classes: a path, a comma-separated list, a directory "
        "(all *.py files in it), or '-' on a worker: fetch them from the master. Default: "
        "%(default)s. (Locust's http(s) URLs are not available in this version of Horde yet.)",
    )


def add_master_connection_arguments(container: _AcceptsExtraKeywords) -> None:
    """``--worker`` and the master's address: shared with the first-phase parser, which fetches the
    locustfile from the master for ``-f -`` (with the secret, :func:`add_master_secret_argument`)."""
    container.add_argument(
        "--worker",
        action="store_true",
        env_var="LOCUST_MODE_WORKER",
        help="Run as a worker: take orders and send statistics to a master.",
    )
    container.add_argument(
        "--master-host",
        default="127.0.0.1",
        metavar="<hostname>",
        env_var="LOCUST_MASTER_NODE_HOST",
        help="Host or address of the master to connect to. Default: %(default)s",
    )
    container.add_argument(
        "--master-port",
        type=port_number,
        default=5557,
        metavar="<port number>",
        env_var="LOCUST_MASTER_NODE_PORT",
        help="Port of the master to connect to. Default: %(default)s",
    )


def add_master_secret_argument(container: _AcceptsExtraKeywords) -> None:
    container.add_argument(
        "--master-secret",
        metavar="<secret>",
        env_var="HORDE_MASTER_SECRET",
        help="A secret master and workers share: every frame is signed with it (HMAC-SHA256), and "
        "frames without the right signature are refused. Give it to both sides. Locust's own masters "
        "and workers cannot join a run that has one.",
    )


def add_config_argument(container: _AcceptsExtraKeywords) -> None:
    """``--config``: shared with the pre-scan that finds the file before anything else is read."""
    action = container.add_argument(
        "--config",
        metavar="<filename>",
        help="Extra config file, read after the default ones (INI-ish or .toml).",
    )
    action.command_line_only = True  # type: ignore[attr-defined]  # a config file cannot name another


def add_version_argument(container: _AcceptsExtraKeywords) -> None:
    """``-V``: shared with the first-phase parser, since the version needs no locustfile."""
    container.add_argument("--version", "-V", action=_VersionAction, help="Print Horde's version and exit.")


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Locust's "Usage:" heading."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "Usage: ")


def command_name() -> str:
    """``horde``, or ``locust`` under ``python -m locust``: the name the user typed."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("horde")
    typed = script.parent.name if script.name == "__main__.py" else script.stem
    return "locust" if typed == "locust" else "horde"


def build_parser() -> HordeArgumentParser:
    """A parser with all of Locust 2.47's options; locustfiles may add more before parsing."""
    prog = command_name()
    parser = HordeArgumentParser(
        prog=prog,
        usage=f"{prog} [options] [UserClass ...]",
        description=_DESCRIPTION,
        formatter_class=_HelpFormatter,
        add_help=False,
    )
    _add_common_options(parser.add_argument_group("Common options"))
    _add_web_ui_options(parser.add_argument_group("Web UI options"))
    _add_master_options(parser.add_argument_group("Master options", "For a distributed run: the controller."))
    _add_worker_options(
        parser.add_argument_group("Worker options", "For a distributed run: load generators.")
    )
    _add_tag_options(parser.add_argument_group("Tag options", "Run only some tasks, chosen by @tag."))
    _add_statistics_options(parser.add_argument_group("Request statistics options"))
    _add_logging_options(parser.add_argument_group("Logging options"))
    _add_other_options(parser.add_argument_group("Other options"))
    _add_horde_options(parser.add_argument_group("Horde options", "Not in Locust."))
    _add_user_classes(parser.add_argument_group("User classes"))
    parser.mark_builtin()
    return parser


def _add_common_options(group: HordeArgumentGroup) -> None:
    group.add_argument(
        "-h", "--help", action=_HelpAction, help="Show this help (with the locustfile's options) and exit."
    )
    add_locustfile_argument(group)
    add_config_argument(group)
    group.add_argument(
        "-H",
        "--host",
        metavar="<base url>",
        env_var="LOCUST_HOST",
        help="Base URL of the system under test, e.g. http://10.0.0.1; replaces every User class's host.",
    )
    group.add_argument(
        "-u",
        "--users",
        type=int,
        dest="num_users",
        metavar="<int>",
        env_var="LOCUST_USERS",
        help="Peak number of concurrent users. Headless runs default to 1. (Locust's w/W and s/S keys, "
        "to change it during a headless run, are not available in this version of Horde yet.)",
    )
    group.add_argument(
        "-r",
        "--spawn-rate",
        type=spawn_rate,
        metavar="<float>",
        env_var="LOCUST_SPAWN_RATE",
        help="Users started (or stopped) per second while ramping. Headless runs default to 1.",
    )
    group.add_argument(
        "--hatch-rate", env_var="LOCUST_HATCH_RATE", metavar="<float>", type=float, default=0, help=HIDDEN
    )
    group.add_argument(
        "-t",
        "--run-time",
        type=timespan_seconds,
        metavar="<time string>",
        env_var="LOCUST_RUN_TIME",
        help="Stop after this long, counted from the start (20, 20s, 3m, 2h, 1h30m ...). Needs --headless "
        "or --autostart. Default: run until stopped.",
    )
    group.add_argument(
        "-l",
        "--list",
        action="store_true",
        dest="list_commands",
        help="List the runnable User classes and exit.",
    )
    group.add_argument(
        "--config-users",
        type=str,
        nargs="*",
        metavar="<json>",
        env_var="LOCUST_CONFIG_USERS",
        help="User class settings as JSON (object, list, or path to a .json file) with 'user_class_name' and "
        "the attributes to set (fixed_count, weight, host, tasks, ...). Experimental.",
    ).keep_whole = True  # type: ignore[attr-defined]  # JSON has spaces: never split it into words


def _add_web_ui_options(group: HordeArgumentGroup) -> None:
    group.add_argument(
        "--web-host",
        default="127.0.0.1",
        metavar="<ip>",
        env_var="LOCUST_WEB_HOST",
        help="Interface the web UI binds to. Default: %(default)s, this machine only ('' or '*': all "
        "interfaces).",
    )
    group.add_argument("--web-host-display-name", env_var="LOCUST_WEB_HOST_DISPLAY_NAME", help=HIDDEN)
    group.add_argument(
        "--web-port",
        "-P",
        type=port_number,
        default=8089,
        metavar="<port number>",
        env_var="LOCUST_WEB_PORT",
        help="Port of the web UI. Default: %(default)s",
    )
    group.add_argument(
        "--headless",
        action="store_true",
        env_var="LOCUST_HEADLESS",
        help="No web UI: start the test at once and print statistics to the console.",
    )
    group.add_argument(
        "--autostart",
        action="store_true",
        env_var="LOCUST_AUTOSTART",
        help="Start the test at once but keep the web UI (see --autoquit).",
    )
    group.add_argument(
        "--autoquit",
        type=int,
        default=-1,
        metavar="<seconds>",
        env_var="LOCUST_AUTOQUIT",
        help="With --autostart: exit this many seconds after the test ends. Default: never.",
    )
    group.add_argument("--headful", action="store_true", env_var="LOCUST_HEADFUL", help=HIDDEN)
    group.add_argument("--web-auth", type=str, env_var="LOCUST_WEB_AUTH", help=HIDDEN)
    group.add_argument(
        "--web-login",
        action="store_true",
        env_var="LOCUST_WEB_LOGIN",
        help="Protect the web UI with a login page; the locustfile supplies the authentication."
        " Not available in this version of Horde yet.",
    )
    group.add_argument(
        "--tls-cert",
        default="",
        metavar="<filename>",
        env_var="LOCUST_TLS_CERT",
        help="Certificate file: serve the web UI over HTTPS (with --tls-key).",
    )
    group.add_argument(
        "--tls-key",
        default="",
        metavar="<filename>",
        env_var="LOCUST_TLS_KEY",
        help="Private key file for --tls-cert.",
    )
    group.add_argument(
        "--web-token",
        metavar="<token>",
        env_var="HORDE_WEB_TOKEN",
        help="Require this token (Authorization: Bearer, or ?token= once in a browser) for the web UI. "
        "Needed to bind beyond 127.0.0.1.",
    )
    group.add_argument(
        "--web-user",
        metavar="<user:password>",
        env_var="HORDE_WEB_USER",
        help="Require HTTP basic authentication with this user and password for the web UI. Needed (or "
        "--web-token) to bind beyond 127.0.0.1.",
    )
    group.add_argument(
        "--web-open",
        action="store_true",
        env_var="HORDE_WEB_OPEN",
        help="Serve the web UI beyond 127.0.0.1 without a login, as Locust does, to anyone who "
        "reaches it: for a network you trust (the container image's `locust` command sets it).",
    )
    group.add_argument(
        "--class-picker",
        action="store_true",
        env_var="LOCUST_USERCLASS_PICKER",
        help="Let the web UI choose which User classes run (and POST /user edit their attributes).",
    )
    group.add_argument("--build-path", type=str, default="", env_var="LOCUST_BUILD_PATH", help=HIDDEN)
    group.add_argument("--legacy-ui", action="store_true", env_var="LOCUST_LEGACY_UI", help=HIDDEN)
    group.add_argument(
        "--web-base-path",
        type=str,
        default="",
        metavar="<path>",
        env_var="LOCUST_WEB_BASE_PATH",
        help="URL prefix for the web UI behind a reverse proxy; starts with '/'.",
    )


def _add_master_options(group: HordeArgumentGroup) -> None:
    group.add_argument(
        "--master",
        action="store_true",
        env_var="LOCUST_MODE_MASTER",
        help="Run as the master of a distributed test; workers connect to it.",
    )
    group.add_argument(
        "--master-bind-host",
        default="*",
        metavar="<ip>",
        env_var="LOCUST_MASTER_BIND_HOST",
        help="Interface the master listens on for workers. Default: all (*).",
    )
    group.add_argument(
        "--master-bind-port",
        type=port_number,
        default=5557,
        metavar="<port number>",
        env_var="LOCUST_MASTER_BIND_PORT",
        help="Port the master listens on for workers. Default: %(default)s",
    )
    group.add_argument(
        "--expect-workers",
        type=int,
        default=1,
        metavar="<int>",
        env_var="LOCUST_EXPECT_WORKERS",
        help="With --headless/--autostart: wait for this many ready workers before starting. Default: 1",
    )
    group.add_argument(
        "--expect-workers-max-wait",
        type=int,
        default=0,
        metavar="<seconds>",
        env_var="LOCUST_EXPECT_WORKERS_MAX_WAIT",
        help="Give up (exit 1) if the expected workers have not connected after this long. "
        "Default: wait forever.",
    )
    group.add_argument(
        "--enable-rebalancing",
        action="store_true",
        default=False,
        dest="enable_rebalancing",
        help="Redistribute running users when workers join or leave. Experimental.",
    )
    add_master_secret_argument(group)
    group.add_argument("--expect-slaves", action="store_true", help=HIDDEN)


def _add_worker_options(group: HordeArgumentGroup) -> None:
    add_master_connection_arguments(group)
    group.add_argument(
        "--processes",
        type=int,
        metavar="<int>",
        env_var="LOCUST_PROCESSES",
        help="Fork this many worker processes (-1: one per logical CPU). Without --worker this process "
        "becomes their master.",
    )
    group.add_argument("--slave", action="store_true", help=HIDDEN)


def _add_tag_options(group: HordeArgumentGroup) -> None:
    group.add_argument(
        "-T",
        "--tags",
        nargs="*",
        metavar="<tag>",
        env_var="LOCUST_TAGS",
        help="Run only tasks carrying at least one of these tags.",
    )
    group.add_argument(
        "-E",
        "--exclude-tags",
        nargs="*",
        metavar="<tag>",
        env_var="LOCUST_EXCLUDE_TAGS",
        help="Skip tasks carrying any of these tags (applied after --tags).",
    )


def _add_statistics_options(group: HordeArgumentGroup) -> None:
    group.add_argument(
        "--csv",
        dest="csv_prefix",
        metavar="<prefix>",
        env_var="LOCUST_CSV",
        help="Write <prefix>_stats.csv, _stats_history.csv, _failures.csv and _exceptions.csv.",
    )
    group.add_argument(
        "--csv-full-history",
        action="store_true",
        default=False,
        dest="stats_history_enabled",
        env_var="LOCUST_CSV_FULL_HISTORY",
        help="With --csv: history rows for every request name, not only the Aggregated line.",
    )
    group.add_argument(
        "--print-stats",
        action="store_true",
        env_var="LOCUST_PRINT_STATS",
        help="Print the periodic statistics table to the console in web UI runs too.",
    )
    group.add_argument(
        "--only-summary",
        action="store_true",
        env_var="LOCUST_ONLY_SUMMARY",
        help="Headless: print only the final summary, not the periodic table.",
    )
    group.add_argument(
        "--reset-stats",
        action="store_true",
        env_var="LOCUST_RESET_STATS",
        help="Clear statistics when the ramp-up ends (set it on master and workers alike).",
    )
    group.add_argument(
        "--html",
        metavar="<filename>",
        dest="html_file",
        env_var="LOCUST_HTML",
        help="Write an HTML report at the end; {u}, {r} and {t} in the name become users, spawn rate "
        "and run time.",
    )
    group.add_argument(
        "--json", default=False, action="store_true", help="Print the final per-request statistics as JSON."
    )
    group.add_argument(
        "--json-file",
        metavar="<filename>",
        help="Write the final statistics as JSON to <filename>.json instead of printing a summary.",
    )


def _add_logging_options(group: HordeArgumentGroup) -> None:
    group.add_argument(
        "--skip-log-setup",
        action="store_true",
        dest="skip_log_setup",
        default=False,
        env_var="LOCUST_SKIP_LOG_SETUP",
        help="Disable Locust's logging setup. Instead, the configuration is provided by the "
        "locustfile or Python defaults.",
    )
    group.add_argument(
        "--loglevel",
        "-L",
        type=log_level,
        default="INFO",
        metavar="<level>",
        env_var="LOCUST_LOGLEVEL",
        help="DEBUG, INFO, WARNING, ERROR or CRITICAL (any case). Default: INFO",
    )
    group.add_argument(
        "--logfile",
        metavar="<filename>",
        env_var="LOCUST_LOGFILE",
        help="Send the log to this file instead of the console.",
    )


def _add_other_options(group: HordeArgumentGroup) -> None:
    group.add_argument(
        "--show-task-ratio",
        action="store_true",
        help="Print the share of each User class and task and exit.",
    )
    group.add_argument(
        "--show-task-ratio-json",
        action="store_true",
        help="Print the same ratios as JSON and exit.",
    )
    add_version_argument(group)
    group.add_argument(
        "--exit-code-on-error",
        type=int,
        default=1,
        metavar="<int>",
        env_var="LOCUST_EXIT_CODE_ON_ERROR",
        help="Exit code when any request failed or a user raised. Default: %(default)s",
    )
    group.add_argument(
        "-s",
        "--stop-timeout",
        type=timespan_seconds,
        default=0,
        metavar="<time string>",
        dest="stop_timeout",
        env_var="LOCUST_STOP_TIMEOUT",
        help="On stop or ramp-down, let running tasks finish for up to this long (timespan). Default: stop "
        "at once. In a distributed run only the master needs it.",
    )
    group.add_argument(
        "--equal-weights",
        action="store_true",
        help="Pick every task equally often, whatever its weight.",
    )
    group.add_argument(
        "--profile",
        type=str,
        metavar="<name>",
        help="A label for this run, shown in the web UI and the reports, for grouping runs.",
    )
    group.add_argument(
        "--otel",
        action="store_true",
        dest="otel",
        env_var="LOCUST_ENABLE_OPENTELEMETRY",
        help="Export OpenTelemetry metrics, configured by the standard OTEL_* environment variables.",
    )


def _add_horde_options(group: HordeArgumentGroup) -> None:
    defaults = ResponseLimits()
    for flag, dest, kind, default, what in (
        ("--max-response-header-line", "max_header_line", byte_size, defaults.header_line, "one header line"),
        ("--max-response-headers", "max_headers", whole_number, defaults.headers, "header fields"),
        ("--max-response-head", "max_head", byte_size, defaults.head, "the status line and header lines"),
        ("--max-response-body", "max_body", byte_size, defaults.body, "the body as received"),
        ("--max-decompressed-body", "max_decompressed", byte_size, defaults.decompressed,
         "the body once gzip, deflate or br is undone"),
        ("--max-compression-ratio", "max_ratio", whole_number, defaults.ratio,
         "decompressed over compressed size, past 1 MiB (a gzip bomb's is about 1000)"),
    ):  # fmt: skip
        shown = size_text(default) if kind is byte_size else str(default)
        group.add_argument(
            flag,
            dest=dest,
            type=kind,
            default=default,
            metavar="<size>" if kind is byte_size else "<number>",
            env_var="HORDE_" + flag[2:].upper().replace("-", "_"),
            help=f"Most a response may hold of {what}; beyond it the request fails with "
            f"ResponseTooLarge and its connection is closed. Default: {shown}",
        )
    group.add_argument(
        "--summary-json",
        metavar="<filename>",
        env_var="HORDE_SUMMARY_JSON",
        help="Write Horde's versioned run summary (statistics with per-request phase timings) to this file.",
    )
    group.add_argument(
        "--health-window",
        type=window_seconds,
        default=10,
        metavar="<time string>",
        env_var="HORDE_HEALTH_WINDOW",
        help="Judge the load generator's own health over windows this long. Default: 10s",
    )
    group.add_argument(
        "--health-cpu",
        type=positive_number,
        default=90.0,
        metavar="<percent>",
        env_var="HORDE_HEALTH_CPU",
        help="A window where Horde's process used at least this much CPU (100 = one core) is limited by "
        "the load generator. Default: %(default)s",
    )
    group.add_argument(
        "--health-loop-lag",
        type=positive_number,
        default=20.0,
        metavar="<ms>",
        env_var="HORDE_HEALTH_LOOP_LAG",
        help="... or where the event loop's lag reached this p99, in ms. Default: %(default)s",
    )
    group.add_argument(
        "--health-schedule-lag",
        type=positive_number,
        default=50.0,
        metavar="<ms>",
        env_var="HORDE_HEALTH_SCHEDULE_LAG",
        help="... or where users woke from their waits this late (p99, ms). Default: %(default)s",
    )
    group.add_argument(
        "--exit-code-on-invalid",
        type=int,
        default=None,
        metavar="<int>",
        env_var="HORDE_EXIT_CODE_ON_INVALID",
        help="Exit with this code when the load generator was the bottleneck in more than a quarter of "
        "the windows (verdict INVALID) and no other exit code applies. Default: the verdict is "
        "reported, the exit code follows Locust's rules.",
    )
    action = group.add_argument(
        "--threshold",
        action="append",
        type=threshold_expression,
        metavar="<expr>",
        help="Judge the run: [NAME:]METRIC OP VALUE, e.g. p95<300ms, fail_ratio<0.01, rps>100, "
        "'GET /cart:p99<1s' (METRIC: pN, avg, max, min, fail_ratio, rps, requests, dropped_iterations). "
        "@60s judges every 60 s window instead of the whole run; a final ! stops the run as soon as "
        "it can no longer pass. Repeatable; a list in a config file; a locustfile's thresholds = [...] "
        "adds to them. Any failed threshold makes the exit code --exit-code-on-threshold.",
    )
    action.keep_whole = True  # type: ignore[attr-defined]  # "GET /cart:p99<1s" has a space
    group.add_argument(
        "--threshold-abort",
        action="store_true",
        help="Stop the run as soon as any threshold can no longer pass (one threshold: end it with !).",
    )
    group.add_argument(
        "--threshold-grace",
        type=timespan_seconds,
        default=0,
        metavar="<time>",
        help="Judge aborting thresholds only after this long into the test (a warm-up), e.g. 30s.",
    )
    group.add_argument(
        "--metrics-port",
        type=port_number,
        metavar="<port>",
        env_var="HORDE_METRICS_PORT",
        help="Serve Prometheus metrics at http://HOST:PORT/metrics during the run, headless too (the web "
        "UI serves them at /metrics as well): requests, failures and response times by name, users, "
        "dropped iterations, the generator's CPU and loop lag.",
    )
    group.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        metavar="<host>",
        env_var="HORDE_METRICS_HOST",
        help="The address --metrics-port binds (* or 0.0.0.0: every interface). Default: %(default)s",
    )
    group.add_argument(
        "--influxdb",
        metavar="<url>",
        env_var="HORDE_INFLUXDB",
        help="Write each second's requests per name (count, failures, avg, p50, p95, p99, max) and the users "
        "to InfluxDB: for 1.x the URL's path is the database (http://127.0.0.1:8086/horde); for 2.x add "
        "--influxdb-org, --influxdb-bucket and --influxdb-token. A sink that is down costs a warning, never "
        "the test; the summary says how many points were dropped.",
    )
    group.add_argument(
        "--influxdb-org", metavar="<org>", env_var="HORDE_INFLUXDB_ORG", help="InfluxDB 2.x organization."
    )
    group.add_argument(
        "--influxdb-bucket", metavar="<bucket>", env_var="HORDE_INFLUXDB_BUCKET", help="InfluxDB 2.x bucket."
    )
    group.add_argument(
        "--influxdb-token",
        metavar="<token>",
        env_var="HORDE_INFLUXDB_TOKEN",
        help="InfluxDB 2.x API token (prefer the HORDE_INFLUXDB_TOKEN variable: a flag shows in ps).",
    )
    group.add_argument(
        "--otlp-endpoint",
        metavar="<url>",
        env_var="HORDE_OTLP_ENDPOINT",
        help="Export the run's metrics over OTLP/HTTP every 5 s (requests, failures and durations by name, "
        "users, dropped iterations, the generator's CPU and loop lag), e.g. http://host:4318/v1/metrics. "
        "Needs pip install 'horde[otel]'.",
    )
    group.add_argument(
        "--history-dir",
        default=".horde",
        metavar="<dir>",
        env_var="HORDE_HISTORY_DIR",
        help="Where every run is recorded (SQLite), for horde runs list/show/compare. Default: %(default)s",
    )
    group.add_argument(
        "--no-history", action="store_true", env_var="HORDE_NO_HISTORY", help="Do not record this run."
    )
    group.add_argument(
        "--history-keep",
        type=whole_number,
        default=100,
        metavar="<int>",
        env_var="HORDE_HISTORY_KEEP",
        help="Keep this many runs in the history; older ones are pruned. Default: %(default)s",
    )
    group.add_argument(
        "--baseline",
        metavar="<last|id>",
        env_var="HORDE_BASELINE",
        help="After the run, compare it with this recorded run (last: the one before it): per request "
        "name, whether p50/p95/p99, the failure ratio and the throughput regressed beyond noise.",
    )
    group.add_argument(
        "--fail-on-regression",
        action="store_true",
        env_var="HORDE_FAIL_ON_REGRESSION",
        help="With --baseline: exit with code 1 when anything regressed.",
    )
    group.add_argument(
        "--arrival-rate",
        type=arrival_rate,
        metavar="<rate>",
        env_var="HORDE_ARRIVAL_RATE",
        help="Open model: start this many iterations per second (50, 50/s, 600/m), each one task of an idle "
        "user, whatever the system's speed; or stages DURATION:RATE (30s:100,1m:100,30s:0, each a linear "
        "ramp; the run ends after the last). -u is the pool of users (on_start once each); an arrival "
        "that finds none idle is dropped and counted (dropped_iterations).",
    )
    group.add_argument(
        "--arrival-process",
        choices=("constant", "poisson"),
        default="constant",
        env_var="HORDE_ARRIVAL_PROCESS",
        help="How --arrival-rate spreads arrivals: evenly (constant) or as a Poisson process (random, "
        "independent arrivals at that mean rate). Default: %(default)s",
    )
    group.add_argument(
        "--exit-code-on-threshold",
        type=int,
        default=1,
        metavar="<int>",
        help="Exit code when a threshold failed (even with --exit-code-on-error 0). Default: %(default)s",
    )


def _add_user_classes(group: HordeArgumentGroup) -> None:
    group.add_argument(
        "user_classes",
        nargs="*",
        metavar="UserClass",
        env_var="LOCUST_USER_CLASSES",
        help="Run only these User classes (space-separated; default: all of them).",
    )
