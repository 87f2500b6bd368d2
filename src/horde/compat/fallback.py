"""``import locust`` outside the ``horde`` command, when no real Locust is installed.

``horde_locust.pth`` (installed next to the package) puts a finder first on ``sys.meta_path`` when
the interpreter starts, in one line that imports nothing of Horde: it calls :func:`find_spec`
here only for ``locust`` and its submodules (pytest, for one, must find Horde's plugin not yet
imported). :func:`find_spec` answers for ``locust`` only after the normal search found no Locust:
a real Locust install is never shadowed. Then, as Locust does when imported, it patches the
standard library with gevent, so that a script using Locust as a library (``python locustfile.py``
with ``run_single_user``, an ``Environment`` and its runner driven by greenlets) behaves as under
Locust.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType


def find_spec(
    fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
) -> ModuleSpec | None:
    """``locust`` and its submodules, from Horde, when no real Locust was found."""
    if fullname == "locust":
        installed = PathFinder.find_spec(fullname)
        # A real Locust is a package; a folder named locust (of locustfiles, say) is only a
        # namespace portion, which a real package would win over too.
        if installed is not None and installed.origin is not None:
            return None
        from horde.concurrency.cooperative import patch

        patch()
    elif fullname.startswith("locust."):
        parent = sys.modules.get("locust")
        if parent is None or not parent.__name__.startswith("horde."):
            return None
    else:
        return None
    from horde.compat.hook import LocustAliasFinder

    return LocustAliasFinder().find_spec(fullname, path, target)
