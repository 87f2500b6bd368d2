"""Task ratios of user classes (``--show-task-ratio``), computed from weights and fixed counts."""

from __future__ import annotations

import inspect
from typing import Any

from horde.shapes.dispatch import target_counts
from horde.user.task import TaskSet


def _task_name(entry: Any) -> str:
    return str(getattr(entry, "__name__", entry))


def task_ratios(tasks: list[Any], parent_ratio: float) -> dict[str, Any]:
    """``{name: {"ratio": r, "tasks": {...}}}`` for a tasks list (weights are list repetitions)."""
    result: dict[str, Any] = {}
    if not tasks:
        return result
    share: dict[Any, int] = {}
    for entry in tasks:
        share[entry] = share.get(entry, 0) + 1
    for entry, count in share.items():
        ratio = parent_ratio * count / len(tasks)
        node: dict[str, Any] = {"ratio": ratio}
        if inspect.isclass(entry) and issubclass(entry, TaskSet):
            node["tasks"] = task_ratios(entry.tasks, ratio)
        name = _task_name(entry)
        if name in result:
            result[name]["ratio"] += ratio
        else:
            result[name] = node
    return result


def class_ratios(user_classes: list[type], user_count: int | None) -> dict[type, float]:
    if user_count:
        counts = target_counts(user_classes, user_count)
        total = sum(counts.values()) or 1
        return {c: counts[c] / total for c in user_classes}
    weights = {c: float(c.weight) for c in user_classes}  # type: ignore[attr-defined]
    total_weight = sum(weights.values()) or 1.0
    return {c: w / total_weight for c, w in weights.items()}


def ratio_report(user_classes: list[type], user_count: int | None = None) -> dict[str, Any]:
    """Locust's shape: ``{"per_class": {...}, "total": {...}}``."""
    per_class = {
        c.__name__: {"ratio": 1.0, "tasks": task_ratios(c.tasks, 1.0)}  # type: ignore[attr-defined]
        for c in user_classes
    }
    total = {
        c.__name__: {"ratio": r, "tasks": task_ratios(c.tasks, r)}  # type: ignore[attr-defined]
        for c, r in class_ratios(user_classes, user_count).items()
    }
    return {"per_class": per_class, "total": total}


def _render(tree: dict[str, Any], depth: int, lines: list[str]) -> None:
    for name, node in sorted(tree.items(), key=lambda kv: -kv[1]["ratio"]):
        lines.append(f"{'    ' * depth}{node['ratio'] * 100:5.1f}% {name}")
        if node.get("tasks"):
            _render(node["tasks"], depth + 1, lines)


def ratio_text(report: dict[str, Any]) -> str:
    lines = ["", " Task ratio per User class", "-" * 60]
    _render(report["per_class"], 0, lines)
    lines += ["", " Total task ratio", "-" * 60]
    _render(report["total"], 0, lines)
    return "\n".join(lines) + "\n"
