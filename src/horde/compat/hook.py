"""Makes ``import locust`` (and its public submodules) resolve to Horde inside a Horde run.

A meta-path finder placed first on ``sys.meta_path`` answers for ``locust`` and ``locust.*`` with the
module of the same path under ``horde.compat.locust``. The very same module object is registered
under both names, so ``locust.events is horde.events``. Nothing happens at import time: the CLI (or
a test) calls :func:`install`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import CodeType, ModuleType

_ALIAS = "locust"
_TARGET = "horde.compat.locust"


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self._original_spec = module.__spec__
        return module

    def get_code(self, fullname: str) -> CodeType | None:
        """For ``python -m locust``: runpy runs the code of ``locust.__main__`` itself."""
        spec = importlib.util.find_spec(self.target)
        loader = spec.loader if spec is not None else None
        return loader.get_code(self.target) if isinstance(loader, importlib.abc.InspectLoader) else None

    def exec_module(self, module: ModuleType) -> None:
        # importlib stamped the alias spec on the shared module; give it back its own.
        module.__spec__ = self._original_spec
        # Every layer module loaded with it gets its alias now: importing one later would make
        # importlib set it on its parent package, over a name the package exports (locust.user.task
        # is the decorator, not the module).
        for name, loaded in list(sys.modules.items()):
            if name.startswith(_TARGET + "."):
                sys.modules.setdefault(_ALIAS + name[len(_TARGET) :], loaded)


class LocustAliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
            return None
        real_name = _TARGET + fullname[len(_ALIAS) :]
        real_spec = importlib.util.find_spec(real_name)
        if real_spec is None:
            return None
        return importlib.machinery.ModuleSpec(
            fullname,
            _AliasLoader(real_name),
            origin=real_spec.origin,  # runpy's sys.argv[0] for python -m locust
            is_package=real_spec.submodule_search_locations is not None,
        )


def install() -> None:
    """Route ``import locust`` to Horde from now on in this process (idempotent)."""
    if not any(isinstance(finder, LocustAliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, LocustAliasFinder())
    for name in [n for n in sys.modules if n == _ALIAS or n.startswith(_ALIAS + ".")]:
        if not getattr(sys.modules[name], "__name__", "").startswith(_TARGET):
            del sys.modules[name]  # a real Locust imported earlier must not shadow Horde


def uninstall() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, LocustAliasFinder)]
    for name in [n for n in sys.modules if n == _ALIAS or n.startswith(_ALIAS + ".")]:
        del sys.modules[name]
