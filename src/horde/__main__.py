"""``python -m horde``."""

from horde.cli.main import main

main()
