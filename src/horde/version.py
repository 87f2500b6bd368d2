"""Horde's version, in a module of its own so that any module can import it at the top
(``horde/__init__`` imports much of the package, so importing it from there makes cycles)."""

__version__ = "0.1.0"
