"""``import locust`` outside the ``horde`` command, when no real Locust is installed.

``horde_locust.pth`` (installed next to the package) imports this module when the interpreter
starts; it puts :class:`LocustFallbackFinder` first on ``sys.meta_path``. The finder answers for
``locust`` only after the normal search found no Locust: a real Locust install is never shadowed.
Then, as Locust does when imported, it patches the standard library with gevent, so that a script
using Locust as a library (``python locustfile.py`` with ``run_single_user``, an ``Environment``
and its runner driven by greenlets) behaves as under Locust.

This runs in every interpreter of the environment: it imports nothing until ``locust`` is asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType


class LocustFallbackFinder:
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == "locust":
            if PathFinder.find_spec(fullname) is not None:  # a real Locust is installed
                return None
            from horde.runtime.cooperative import patch

            patch()
        elif fullname.startswith("locust."):
            parent = sys.modules.get("locust")
            if parent is None or not parent.__name__.startswith("horde."):
                return None
        else:
            return None
        from horde.compat.hook import LocustAliasFinder

        return LocustAliasFinder().find_spec(fullname, path, target)


def install() -> None:
    if not any(type(finder).__name__ == "LocustFallbackFinder" for finder in sys.meta_path):
        sys.meta_path.insert(0, LocustFallbackFinder())


install()
