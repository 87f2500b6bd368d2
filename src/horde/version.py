"""Horde's version, in a module of its own so that any module can import it at the top
(``horde/__init__`` imports much of the package, so importing it from there makes cycles)."""

__version__ = "0.1.0"

LOCUST_VERSION = "2.47.0"
"""The Locust version Horde follows: its API (``locust.__version__``) and its master/worker
protocol, where a worker announces it (``client_ready``)."""
