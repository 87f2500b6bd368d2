"""Checks and adjustments that need several options at once, run after all sources are merged.

Single values are checked where they are converted (types in option_types); what is here are the
combinations Locust refuses, with Locust's exit codes.
"""

from __future__ import annotations

import argparse

from horde.cli.argparser import USAGE_EXIT_CODE
from horde.exception import UsageError

STARTUP_ERROR_EXIT_CODE = 1
"""Locust's code for refusals made after parsing (it writes a message and exits 1)."""

MODE_CONFLICT_EXIT_CODE = 255
"""Locust exits with -1 when asked to be master and worker at once; the shell sees 255."""

# Options that Locust removed or renamed but still recognises, to explain what replaced them.
_RETIRED = (
    ("hatch_rate", "--hatch-rate has been renamed --spawn-rate"),
    ("slave", "--slave has been renamed --worker"),
    ("expect_slaves", "--expect-slaves has been renamed --expect-workers"),
    (
        "web_auth",
        "--web-auth has been replaced by --web-login (authentication is supplied by the locustfile)",
    ),
    ("legacy_ui", "--legacy-ui has been removed: there is only one web UI"),
)


def finalize_options(options: argparse.Namespace) -> None:
    """Refuse impossible combinations and apply overrides (``--headful`` beats ``headless``), in place."""
    _refuse_retired(options)
    if getattr(options, "headful", False):
        # --headful exists to switch off a headless = true inherited from a config file.
        options.headless = False
    if options.stats_history_enabled and not options.csv_prefix:
        raise UsageError("--csv-full-history requires --csv", USAGE_EXIT_CODE)
    if options.num_users is not None and options.num_users < 0:
        raise UsageError(f"--users cannot be negative, got {options.num_users}", USAGE_EXIT_CODE)
    if options.autoquit != -1 and not options.autostart:
        raise UsageError("--autoquit only makes sense together with --autostart", STARTUP_ERROR_EXIT_CODE)
    if options.master and options.worker:
        raise UsageError("--master and --worker cannot be used together", MODE_CONFLICT_EXIT_CODE)
    if options.processes is not None and options.master:
        raise UsageError("--processes cannot be combined with --master", STARTUP_ERROR_EXIT_CODE)


def _refuse_retired(options: argparse.Namespace) -> None:
    for dest, message in _RETIRED:
        if getattr(options, dest, None):
            raise UsageError(message, STARTUP_ERROR_EXIT_CODE)
