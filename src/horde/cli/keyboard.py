"""Locust's keys while a test runs in a terminal: ``w``/``W`` add 1/10 users, ``s``/``S`` stop 1/10."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import termios
import tty
from collections.abc import Callable

from horde.runtime.runner import Runner, RunnerState

logger = logging.getLogger("locust.main")  # Locust's logger name: scripts and filters match it

KEY_SPAWN_RATE = 100.0  # Locust's: a key press changes the count at once
_STEPS = {"w": 1, "W": 10, "s": -1, "S": -10}


def on_key(runner: Runner, key: str) -> None:
    step = _STEPS.get(key)
    if step is None:
        return
    if runner.state == RunnerState.SPAWNING:
        if step > 0:
            logger.warning("Already spawning users, can't spawn more right now")
        else:
            logger.warning("Spawning users, can't stop right now")
        return
    runner.start(max(0, runner.user_count + step), KEY_SPAWN_RATE)


def listen(runner: Runner) -> Callable[[], None]:
    """Read single key presses from a terminal on stdin (as Locust does); returns what stops it and
    gives the terminal its settings back. Without a terminal there is nothing to read."""
    stdin = sys.stdin
    if stdin is None or not stdin.isatty():
        logger.debug("Terminal was not a tty. Keyboard input disabled")
        return lambda: None
    fd = stdin.fileno()
    if _in_background(fd):  # changing the terminal's mode would stop the job (SIGTTOU)
        logger.debug("Running in the background. Keyboard input disabled")
        return lambda: None
    try:
        saved = termios.tcgetattr(fd)
        tty.setcbreak(fd, termios.TCSANOW)
    except termios.error as error:
        logger.debug("Keyboard input disabled: %s", error)
        return lambda: None
    loop = asyncio.get_running_loop()

    def read() -> None:
        try:
            data = os.read(fd, 64)
        except OSError:
            data = b""
        if not data:  # the terminal went away
            loop.remove_reader(fd)
            return
        for key in data.decode(errors="replace"):
            on_key(runner, key)

    loop.add_reader(fd, read)

    def stop() -> None:
        loop.remove_reader(fd)
        termios.tcsetattr(fd, termios.TCSANOW, saved)

    return stop


def _in_background(fd: int) -> bool:
    """True for a job in the background of the shell whose terminal ``fd`` is."""
    try:
        return os.tcgetpgrp(fd) != os.getpgrp()
    except OSError:  # not this process's controlling terminal: no job control applies
        return False
