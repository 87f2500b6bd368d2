"""A web UI run: serve the UI, start tests from it (or at once with --autostart), quit on a signal."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TextIO

from horde.cli.headless import PeriodicOutput, attach_controls, users_and_rate
from horde.runtime.environment import Environment
from horde.web.security import Access
from horde.web.server import WebUI
from horde.web.swarm import SwarmRequest

logger = logging.getLogger("locust.main")  # Locust's logger name: scripts and filters match it


def make_web_ui(environment: Environment, options: argparse.Namespace) -> WebUI:
    """The WebUI the options describe (raises UsageError for a bind it must refuse)."""
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
        access=Access.from_options(options.web_token, options.web_user),
        tls_cert=options.tls_cert,
        tls_key=options.tls_key,
        autoquit=options.autoquit if options.autostart and options.autoquit >= 0 else None,
        stats_history_csv=history_csv,
    )
    environment.web_ui = web_ui
    return web_ui


async def run_web(
    environment: Environment, options: argparse.Namespace, web_ui: WebUI, out: TextIO = sys.stderr
) -> None:
    runner = environment.runner
    assert runner is not None
    detach_controls = attach_controls(runner)
    output = PeriodicOutput(runner, options, out, console_table=options.print_stats)
    await web_ui.start()
    try:
        output.start()
        if options.autostart:
            users, rate = users_and_rate(options)
            shaped = environment.shape_class is not None
            web_ui.control.swarm(
                SwarmRequest(None if shaped else users, rate, None, options.run_time, None, None)
            )
        await runner.quit_event.wait()
    finally:
        detach_controls()
        output.finish()
        await web_ui.stop()
