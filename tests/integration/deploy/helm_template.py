"""``helm template`` in a process of its own, on Helm's own Go code (the helm-python-sdk wheel).

PyPI, Debian and npm carry no helm binary for Linux; the wheel binds Helm's Go SDK (v4) through
a C ABI, and a client-side dry-run install into in-memory storage is what ``helm template`` does.
It runs here, not in the test process, so that the Go runtime's threads and signal handlers never
share a process with the tests that fork.

    python helm_template.py CHART RELEASE NAMESPACE [VALUES.yaml] [OVERRIDES.json]

prints {"manifest": ..., "notes": ..., "values": ..., "lint": ...} as JSON (values: the chart's
defaults merged with the given ones, by Helm); a chart that fails to render exits 1 with Helm's
message on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import helm_python as helm


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``-f file --set ...``: maps merge key by key, anything else is replaced."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def main(chart: str, release: str, namespace: str, values_file: str = "", overrides: str = "{}") -> None:
    values = helm.values_from_yaml(Path(values_file).read_text()) if values_file else {}
    values = merged(values, json.loads(overrides))
    config = helm.Config(namespace=namespace, storage_driver="memory")
    try:
        release_data = config.install(chart, release, values, namespace=namespace, dry_run="client")
    except helm.HelmError as error:
        sys.exit(f"helm template failed: {error}")
    finally:
        config.close()
    with helm.Chart.load(chart) as loaded:
        effective = loaded.merge_values(values)
    output = {
        "manifest": release_data["manifest"],
        "notes": release_data.get("notes", ""),
        "values": effective,
        "lint": helm.lint(chart, values, strict=True, namespace=namespace),
    }
    json.dump(output, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:])
