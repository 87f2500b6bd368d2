"""``python -m locust``: the ``horde`` command."""

from horde.launch import main

main()
