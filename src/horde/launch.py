"""The ``horde`` command's entry point: patch with gevent first, as ``import locust`` does, then run."""

from __future__ import annotations


def main() -> None:
    from horde.concurrency.cooperative import patch

    patch()
    from horde.cli.main import main as run_cli

    run_cli()
