"""The per-request modules that hatch_build.py compiles with mypyc are the ones that run.

Only asserted where HORDE_REQUIRE_COMPILED is set (``.ci/run`` sets it): an editable install, or a
machine without a C compiler, runs the same code as pure Python on purpose.
"""

from __future__ import annotations

import ast
import importlib
import os
import sysconfig
from pathlib import Path

import pytest

HATCH_BUILD = Path(__file__).parents[3] / "hatch_build.py"


def compiled_modules() -> list[str]:
    tree = ast.parse(HATCH_BUILD.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "COMPILED" for t in node.targets):
            paths = ast.literal_eval(node.value)
            return [path.removesuffix(".py").replace("/", ".") for path in paths]
    raise AssertionError("hatch_build.py has no COMPILED list")


def test_the_compiled_list_names_real_modules() -> None:
    names = compiled_modules()
    assert "horde.http.connection" in names
    for name in names:
        assert importlib.import_module(name) is not None


@pytest.mark.skipif(not os.environ.get("HORDE_REQUIRE_COMPILED"), reason="HORDE_REQUIRE_COMPILED is not set")
def test_the_installed_per_request_path_is_compiled() -> None:
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for name in compiled_modules():
        module = importlib.import_module(name)
        assert str(module.__file__).endswith(suffix), f"{name} runs as pure Python: {module.__file__}"
