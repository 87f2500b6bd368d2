"""Names Locust 2.47 exports that locustfiles use, each doing what it does under Locust."""

from __future__ import annotations

import csv
import logging
import types
from pathlib import Path

import pytest

from horde.runtime.environment import Environment

pytestmark = pytest.mark.usefixtures("alias")


def test_the_renamed_0x_classes_fail_with_locusts_words() -> None:
    from locust import HttpLocust, Locust
    from locust.contrib.fasthttp import FastHttpLocust

    for old, new, base in [("Locust", "User", Locust), ("HttpLocust", "HttpUser", HttpLocust)]:
        with pytest.raises(ImportError, match=f"The {old} class has been renamed to {new} in version 1.0"):
            type("Mine", (base,), {})
    with pytest.raises(ImportError, match="renamed to FastHttpUser"):
        type("Mine", (FastHttpLocust,), {})


def test_markov_task_set_raises_locusts_exception_classes() -> None:
    from locust import MarkovTaskSet, tag, transition
    from locust.user.markov_taskset import (
        InvalidTransitionError,
        MarkovTaskTagError,
        NoMarkovTasksError,
        NonMarkovTaskTransitionError,
    )

    with pytest.raises(NoMarkovTasksError):
        type("Empty", (MarkovTaskSet,), {"plain": lambda self: None})
    with pytest.raises(InvalidTransitionError):
        type("Lost", (MarkovTaskSet,), {"a": transition("nowhere")(lambda self: None)})
    with pytest.raises(NonMarkovTaskTransitionError):
        type("Dead", (MarkovTaskSet,), {"a": transition("b")(lambda self: None), "b": lambda self: None})
    with pytest.raises(MarkovTaskTagError):
        type("Tagged", (MarkovTaskSet,), {"a": tag("x")(transition("a")(lambda self: None))})


def test_rest_response_context_managers_are_the_response_managers() -> None:
    from locust.clients import ResponseContextManager, RestResponseContextManager
    from locust.contrib.fasthttp import FastResponseContextManager
    from locust.contrib.fasthttp import RestResponseContextManager as FastRest

    assert issubclass(RestResponseContextManager, ResponseContextManager)
    assert issubclass(FastRest, FastResponseContextManager)


def test_local_runner_counts_one_worker() -> None:
    from locust.env import Environment as LocustEnvironment

    assert LocustEnvironment is Environment
    assert Environment(user_classes=[]).create_local_runner().worker_count == 1


def test_csv_request_logger_writes_a_row_per_request(tmp_path: Path) -> None:
    from locust.contrib.csv_request_logger import CsvRequestLogger

    environment = Environment(user_classes=[])
    logger = CsvRequestLogger(str(tmp_path / "requests.csv"))
    logger.register(environment)
    fire = environment.events.request.fire
    fire(request_type="GET", name="/a", response_time=1.234, response_length=10, exception=None,
         response=type("R", (), {"status_code": 200})(), start_time=1.5, context={})  # fmt: skip
    fire(request_type="GET", name="/b", response_time=None, response_length=0, exception=OSError("refused"),
         response=None, context={})  # fmt: skip
    environment.events.quitting.fire(environment=environment)
    with (tmp_path / "requests.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["timestamp", "request_type", "name", "response_time_ms", "response_length",
                       "status_code", "exception"]  # fmt: skip
    assert rows[1] == ["1.5", "GET", "/a", "1.23", "10", "200", ""]
    assert rows[2][1:] == ["GET", "/b", "", "0", "0", "refused"]


def test_stats_csv_file_writer_appends_history_on_its_ticks_only(tmp_path: Path) -> None:
    import threading

    from locust.stats import StatsCSVFileWriter

    environment = Environment(user_classes=[])
    environment.stats.log_request("GET", "/", 10, 1)
    writer = StatsCSVFileWriter(environment, None, str(tmp_path / "t"))
    ticking = threading.Thread(target=writer)  # ticks at once, then every CSV_STATS_INTERVAL_SEC (1 s)
    ticking.start()
    threading.Event().wait(0.5)
    environment.stats.log_request("GET", "/", 20, 1)
    writer.close_files()  # Locust's close adds no history row; the whole-run files are current
    ticking.join()
    with (tmp_path / "t_stats_history.csv").open() as f:
        assert [row["Total Request Count"] for row in csv.DictReader(f)] == ["1"]
    with (tmp_path / "t_stats.csv").open() as f:
        assert [row["Request Count"] for row in csv.DictReader(f)] == ["2", "2"]


def test_stats_csv_file_writer_full_history_has_current_percentiles_with_no_test_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from locust import stats as locust_stats
    from locust.stats import StatsCSVFileWriter

    monkeypatch.setattr(locust_stats, "CSV_STATS_INTERVAL_SEC", 0.2)
    environment = Environment(user_classes=[])
    environment.create_local_runner()  # created, not started: nothing samples the stats
    for _ in range(10):
        environment.stats.log_request("GET", "/", 100, 666)
    writer = StatsCSVFileWriter(environment, None, str(tmp_path / "t"), full_history=True)
    ticking = threading.Thread(target=writer)
    ticking.start()
    threading.Event().wait(0.5)
    writer.close_files()
    ticking.join()
    with (tmp_path / "t_stats_history.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [row["Name"] for row in rows[:2]] == ["/", "Aggregated"]
    assert {row["95%"] for row in rows} == {"100"}  # the last 10 s, sampled by the writer itself


@pytest.mark.parametrize(
    ("module", "package"),
    [("postgres", "psycopg"), ("mongodb", "pymongo"), ("mqtt", "paho-mqtt"), ("socketio", "python-socketio"),
     ("oai", "openai"), ("dns", "dnspython"), ("milvus", "pymilvus"), ("qdrant", "qdrant-client")],
)  # fmt: skip
def test_contrib_users_for_other_protocols_say_what_is_missing(module: str, package: str) -> None:
    with pytest.raises(
        ImportError, match=f"locust.contrib.{module} .* is not available in Horde yet.*{package}"
    ):
        __import__(f"locust.contrib.{module}")


def test_mount_keeps_the_adapter_and_says_it_is_not_used(caplog: pytest.LogCaptureFixture) -> None:
    from locust.clients import HttpSession

    session = HttpSession("http://127.0.0.1:1")
    adapter = object()
    session.mount("https://", adapter)
    assert session.adapters == {"https://": adapter}
    assert "does not use requests' transport adapters" in caplog.text


def test_get_parser_reads_the_config_files_it_is_given_under_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from locust.argument_parser import get_parser

    conf = tmp_path / "team.conf"
    conf.write_text(
        "locustfile = ./test_locustfile.py\nweb-port = 45787\nheadless\ntags = [Critical, Normal]\n"
    )
    toml = tmp_path / "team.toml"
    toml.write_text('[tool.locust]\nhost = "http://from-toml"\nusers = 7\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOCUST_SPAWN_RATE", "3")
    options = get_parser(default_config_files=[str(conf), str(toml)]).parse_args(
        ["-H", "https://example.com"]
    )
    assert (options.locustfile, options.web_port, options.headless) == ("./test_locustfile.py", 45787, True)
    assert options.tags == ["Critical", "Normal"] and options.num_users == 7 and options.spawn_rate == 3
    assert options.host == "https://example.com"  # the command line over the files
    (tmp_path / "locust.conf").write_text("users = 9\n")  # read when no files are named, as Locust's
    assert get_parser().parse_args([]).num_users == 9


def test_argument_parser_functions_read_the_command_line_as_locust(monkeypatch: pytest.MonkeyPatch) -> None:
    from locust import events
    from locust.argument_parser import LocustArgumentParser, default_args_dict, parse_options, timespan

    def add_option(parser: LocustArgumentParser, **_: object) -> None:
        parser.add_argument("--greeting", default="hi", include_in_web_ui=True)

    events.init_command_line_parser.add_listener(add_option)
    monkeypatch.setenv("LOCUST_SPAWN_RATE", "7")
    try:
        options = parse_options(["-f", "x.py", "-u", "3", "--greeting", "hello", "-t", "1m"])
    finally:
        events.init_command_line_parser.remove_listener(add_option)
    assert (options.locustfile, options.num_users, options.spawn_rate) == ("x.py", 3, 7.0)
    assert (options.greeting, options.run_time) == ("hello", 60)
    defaults = default_args_dict()
    assert defaults["web_port"] == 8089 and "greeting" not in defaults
    assert timespan("1h2m3s") == 3723


def test_argument_parser_mistakes_and_help_exit_as_locusts(capsys: pytest.CaptureFixture[str]) -> None:
    import locust
    from locust.argument_parser import parse_options, ui_extra_args_dict

    from horde.runtime.events import Events

    with pytest.raises(SystemExit) as exited:
        parse_options(["-f", "x.py", "--unknown-flag"])
    assert exited.value.code == 2
    assert capsys.readouterr().err == "locust: error: unrecognized arguments: --unknown-flag\n"

    original = locust.events  # Locust's own tests replace it; the parser reads it when called
    locust.events = Events()
    try:
        locust.events.init_command_line_parser.add_listener(
            lambda parser, **_: (
                parser.add_argument("--a1", help="a1 help"),
                parser.add_argument("--a2", include_in_web_ui=False),
                parser.add_argument("--a3", is_secret=True),
            )
        )
        with pytest.raises(SystemExit) as exited:
            parse_options(["--help"])
        assert exited.value.code == 0 and "a1 help" in capsys.readouterr().out
        extra = ui_extra_args_dict(["-u", "3", "--a1", "v1", "--a2", "v2"])
    finally:
        locust.events = original
    assert list(extra) == ["a1", "a3"]
    assert extra["a1"] == {
        "default_value": "v1",
        "is_secret": False,
        "is_required": False,
        "help_text": "a1 help",
        "is_multiple": False,
        "choices": None,
    }
    assert extra["a3"]["is_secret"] is True


def test_parse_locustfile_paths_expands_directories_to_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from locust.argument_parser import parse_locustfile_paths

    (tmp_path / "sub").mkdir()
    for name in ("a.py", "sub/b.py", "_private.py", "notes.txt"):
        (tmp_path / name).write_text("")
    monkeypatch.chdir(tmp_path)
    assert parse_locustfile_paths(["."]) == [str(tmp_path / "a.py"), str(tmp_path / "sub" / "b.py")]
    for wrong in (["notes.txt"], ["missing_dir/"], ["a.py", "notes.txt"]):
        with pytest.raises(SystemExit) as exited:
            parse_locustfile_paths(wrong)
        assert exited.value.code == 1
        assert capsys.readouterr().err.startswith("locust: error: Could not find")


def test_percentile_settings_set_on_locust_stats_reach_horde(monkeypatch: pytest.MonkeyPatch) -> None:
    import locust.stats as stats

    from horde.reports.csv_files import stats_csv
    from horde.stats import RequestStats, percentiles

    for name in ("PERCENTILES_TO_REPORT", "CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW"):  # restored after
        monkeypatch.setattr(percentiles, name, getattr(percentiles, name))
        monkeypatch.setattr(stats, name, getattr(stats, name))
    stats.PERCENTILES_TO_REPORT = [0.5, 0.9]  # as Locust's docs show
    stats.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW = 5
    assert percentiles.PERCENTILES_TO_REPORT == [0.5, 0.9] == stats.PERCENTILES_TO_REPORT
    assert percentiles.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW == 5
    assert stats_csv(RequestStats()).splitlines()[0].endswith("Failures/s,50%,90%")


def test_util_timespan_and_rounding() -> None:
    from locust.util.rounding import proper_round
    from locust.util.timespan import parse_timespan

    assert [parse_timespan(text) for text in ("7", "7s", "1m", "2h", "1h3m7s")] == [7, 7, 60, 7200, 3787]
    with pytest.raises(ValueError):
        parse_timespan("soon")
    assert [proper_round(v) for v in (1.499999999, 2.05, 1.5, 2.5, 4.5, -2.5)] == [1, 2, 2, 3, 5, -3]
    assert proper_round(1.25, 1) == 1.3 and proper_round(1234.5678, 2) == 1234.57


def test_greenlet_exception_logger_logs_in_locusts_words(caplog: pytest.LogCaptureFixture) -> None:
    import gevent
    from locust import log

    def boom() -> None:
        raise ValueError("Boom!?")

    logger = logging.getLogger("greenlet_test_logger")
    assert log.unhandled_greenlet_exception is False
    try:
        with caplog.at_level(logging.INFO, logger="greenlet_test_logger"):
            greenlet = gevent.spawn(boom)
            greenlet.link_exception(log.greenlet_exception_logger(logger))
            greenlet.join()
            gevent.sleep(0)  # links run in the next turn of the hub
            # A greenlet that called sys.exit (gevent passes SystemExit on to the main greenlet).
            exited = types.SimpleNamespace(exc_info=(SystemExit, SystemExit(3), None))
            log.greenlet_exception_logger(logger)(exited)
        crash, exit_line = caplog.records[0], caplog.records[1]
        assert crash.levelno == logging.CRITICAL
        assert crash.getMessage().startswith("Unhandled exception in greenlet: ")
        assert crash.exc_info is not None and str(crash.exc_info[1]) == "Boom!?"
        assert exit_line.levelno == logging.INFO
        assert exit_line.getMessage() == "sys.exit(3) called (use log level DEBUG for callstack)"
        assert log.unhandled_greenlet_exception is True  # the run's exit code becomes 2
    finally:
        log.unhandled_greenlet_exception = False


def test_log_reader_keeps_the_last_lines_that_get_logs_returns() -> None:
    from locust.log import LogReader, get_logs

    reader = LogReader()
    reader.name = "log_reader"
    root = logging.getLogger()
    assert get_logs() == []
    root.addHandler(reader)
    try:
        for n in range(502):
            root.warning("line %d", n)
        assert len(reader.logs) == 500 and reader.logs[-1].endswith("line 501")
        assert get_logs() == list(reader.logs)
    finally:
        root.removeHandler(reader)


def test_locusts_user_state_names_compare_with_a_users_state() -> None:
    from locust.user.task import LOCUST_STATE_RUNNING, LOCUST_STATE_STOPPING, LOCUST_STATE_WAITING

    from horde.user import task

    states = (LOCUST_STATE_RUNNING, LOCUST_STATE_WAITING, LOCUST_STATE_STOPPING)
    assert states == (task.STATE_RUNNING, task.STATE_WAITING, task.STATE_STOPPING)


def test_locusts_runner_is_the_base_every_runner_shares_and_its_states_are_locusts_strings() -> None:
    import json

    from locust.runners import (
        STATE_CLEANUP,
        STATE_INIT,
        STATE_MISSING,
        STATE_RUNNING,
        STATE_SPAWNING,
        STATE_STOPPED,
        STATE_STOPPING,
        LocalRunner,
        Runner,
    )

    states = [
        STATE_INIT,
        STATE_SPAWNING,
        STATE_RUNNING,
        STATE_CLEANUP,
        STATE_STOPPING,
        STATE_STOPPED,
        STATE_MISSING,
    ]
    assert states == ["ready", "spawning", "running", "cleanup", "stopping", "stopped", "missing"]
    assert json.dumps({"state": STATE_RUNNING}) == '{"state": "running"}' and f"{STATE_STOPPED}" == "stopped"
    assert issubclass(LocalRunner, Runner)
    with pytest.raises(TypeError, match="abstract"):
        Runner(Environment())  # type: ignore[abstract]
