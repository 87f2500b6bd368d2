"""Reading option settings out of config files: Locust's INI-ish ``key = value`` files and TOML tables.

Readers only turn text into :class:`Setting` records (key, raw value, where it came from). Which keys
exist and what their values mean is decided later against the parser, so a file can set options a
locustfile adds.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from horde.exception import UsageError

CONFIG_ERROR_EXIT_CODE = 2
"""Config mistakes exit like command-line ones, as in Locust (ConfigArgParse reports them via argparse)."""

SettingValue = str | bool | list[str]


@dataclass(frozen=True, slots=True)
class Setting:
    """One ``key = value`` from a file; ``origin`` names the file (and line) for error messages."""

    key: str
    value: SettingValue
    origin: str


# key, then an optional separator ('=', ':' or blanks) and value, as ConfigArgParse's INI-ish format.
_LINE = re.compile(r"(?P<key>[A-Za-z0-9][A-Za-z0-9_.-]*)(?:\s*[=:]\s*|\s+|$)(?P<value>.*)")
_INLINE_COMMENT = re.compile(r"\s+[#;].*$")
_QUOTED = re.compile(r"(?P<quote>[\"'])(?P<text>.*?)(?P=quote)(?:\s+[#;].*)?")


def read_ini_settings(path: Path) -> list[Setting]:
    """Settings of an INI-ish file: ``key = value``, ``key: value``, bare ``key`` (meaning true).

    Blank lines, ``#``/``;`` comments and ``[section]`` headers are skipped, as Locust does. A list is
    written ``[a, b]`` (or ``a b`` for options that take several values).
    """
    settings = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;" or (stripped[0] == "[" and stripped[-1] == "]"):
            continue
        match = _LINE.fullmatch(stripped)
        origin = f"{path}, line {number}"
        if match is None:
            raise UsageError(
                f"cannot read {origin}: expected 'key = value', got {stripped!r}", CONFIG_ERROR_EXIT_CODE
            )
        settings.append(Setting(match["key"], _ini_value(match["value"]), origin))
    return settings


def _ini_value(text: str) -> SettingValue:
    quoted = _QUOTED.fullmatch(text)
    if quoted:
        return quoted["text"]
    text = _INLINE_COMMENT.sub("", text).strip()
    if not text:
        return "true"  # a bare key switches a flag on
    if text.startswith("[") and text.endswith("]"):
        return split_bracket_list(text)
    return text


def split_bracket_list(text: str) -> list[str]:
    """``[a, "b", c]`` -> ``["a", "b", "c"]`` (items unquoted, empty items dropped)."""
    items = (item.strip() for item in text.strip()[1:-1].split(","))
    return [
        item[1:-1] if len(item) > 1 and item[0] == item[-1] and item[0] in "\"'" else item
        for item in items
        if item
    ]


def read_toml_tables(path: Path) -> dict[str, object]:
    """The whole TOML document; a syntax error names the file."""
    try:
        return tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"cannot read {path}: {exc}", CONFIG_ERROR_EXIT_CODE) from None


def table_at(document: Mapping[str, object], dotted: Sequence[str]) -> Mapping[str, object]:
    """The table at ``tool.locust``-style path, or an empty one when it is missing."""
    node: object = document
    for part in dotted:
        node = node.get(part) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}


def settings_from_table(table: Mapping[str, object], origin: str) -> list[Setting]:
    """Settings of one TOML table: lists stay lists, booleans stay booleans, ``None`` is skipped,
    other scalars become text (``users = 10`` -> ``"10"``), as Locust treats pyproject.toml."""
    settings = []
    for key, value in table.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            raise UsageError(
                f"{key!r} in {origin} is a table; options take a value or a list", CONFIG_ERROR_EXIT_CODE
            )
        if isinstance(value, list):
            settings.append(Setting(key, [_toml_scalar_text(item) for item in value], origin))
        elif isinstance(value, bool):
            settings.append(Setting(key, value, origin))
        else:
            settings.append(Setting(key, _toml_scalar_text(value), origin))
    return settings


def _toml_scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # tolerate a BOM from Windows editors
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read config file {path}: {exc}", CONFIG_ERROR_EXIT_CODE) from None
