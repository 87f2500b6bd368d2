"""``python -m horde``."""

from horde.launch import main

main()
