"""A web UI run: serve the UI, start tests from it (or at once with --autostart), quit on a signal."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from horde.cli.argparser import HordeArgumentParser, option_label
from horde.cli.headless import PeriodicOutput, attach_controls, users_and_rate
from horde.outputs.history import History
from horde.runtime.environment import Environment
from horde.stats.thresholds import Threshold, WindowJudge
from horde.web.security import Access
from horde.web.server import WebUI
from horde.web.swarm import CustomOption, SwarmRequest

logger = logging.getLogger("locust.main")  # Locust's logger name: scripts and filters match it


def make_web_ui(
    environment: Environment,
    options: argparse.Namespace,
    parser: HordeArgumentParser | None = None,
    thresholds: Sequence[Threshold] = (),
    judge: WindowJudge | None = None,
) -> WebUI:
    """The WebUI the options describe (raises UsageError for a bind it must refuse); the form shows
    the options the locustfile added to ``parser``."""
    history_csv = (
        Path(f"{options.csv_prefix}_stats_history.csv")
        if options.csv_prefix and options.stats_history_enabled
        else None
    )
    web_ui = WebUI(
        environment,
        options.web_host,
        options.web_port,
        base_path=options.web_base_path,
        access=Access.from_options(options.web_token, options.web_user, options.web_open),
        tls_cert=options.tls_cert,
        tls_key=options.tls_key,
        autoquit=options.autoquit if options.autostart and options.autoquit >= 0 else None,
        stats_history_csv=history_csv,
        custom_options=custom_options(parser) if parser is not None else (),
        thresholds=thresholds,
        windows=judge,
        history=None if options.no_history else History(Path(options.history_dir), options.history_keep),
    )
    environment.web_ui = web_ui
    return web_ui


def custom_options(parser: HordeArgumentParser) -> list[CustomOption]:
    """The locustfile's own options, as the start form shows them (ConfigArgParse's keywords)."""
    found = []
    for action in parser.custom_actions():
        if not action.option_strings or action.dest == argparse.SUPPRESS:
            continue
        hidden = action.help == argparse.SUPPRESS
        flag = action.nargs == 0 and (
            isinstance(action.const, bool) or isinstance(action, argparse.BooleanOptionalAction)
        )
        found.append(
            CustomOption(
                name=action.dest,
                label=option_label(action),
                help="" if hidden or action.help is None else str(action.help),
                flag=flag,
                choices=[str(choice) for choice in action.choices] if action.choices else None,
                secret=bool(getattr(action, "is_secret", False)),
                required=bool(getattr(action, "is_required", False)),
                multiple=bool(getattr(action, "is_multiple", False)) or action.nargs in ("*", "+"),
                in_form=bool(getattr(action, "include_in_web_ui", True)) and not hidden,
                convert=action.type if callable(action.type) else None,
            )
        )
    return found


async def run_web(environment: Environment, options: argparse.Namespace, web_ui: WebUI) -> None:
    runner = environment.runner
    assert runner is not None
    detach_controls = attach_controls(runner)
    output = PeriodicOutput(runner, options, console_table=options.print_stats)
    await web_ui.start()
    try:
        output.start()
        if options.autostart:
            users, rate = users_and_rate(options)
            shaped = environment.shape_class is not None
            if not options.run_time and not shaped:
                logger.info("No run time limit set, use CTRL+C to interrupt")
            web_ui.control.swarm(
                SwarmRequest(
                    None if shaped else users,
                    rate,
                    None,
                    options.run_time,
                    None,
                    None,
                    arrival_rate=options.arrival_rate,
                )
            )
        await runner.quit_event.wait()
    finally:
        detach_controls()
        output.finish()
        await web_ui.stop()
