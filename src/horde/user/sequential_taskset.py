"""A TaskSet whose tasks run in declaration order, cycling."""

from __future__ import annotations

from typing import Any

from horde.exception import LocustError
from horde.user.task import TaskSet, TaskSetMeta, _expand


class SequentialTaskSetMeta(TaskSetMeta):
    """Keeps ``@task`` methods and inline ``tasks`` entries in the order they were written."""

    def __new__(mcs, classname: str, bases: tuple[type, ...], class_dict: dict[str, Any]) -> Any:
        ordered: list[Any] = []
        for base in bases:
            ordered.extend(getattr(base, "tasks", None) or [])
        for key, value in class_dict.items():
            if key == "tasks":
                ordered.extend(_expand(value))
            elif "locust_task_weight" in dir(value):
                ordered.extend([value] * int(value.locust_task_weight))
        class_dict["tasks"] = ordered
        return type.__new__(mcs, classname, bases, class_dict)


class SequentialTaskSet(TaskSet, metaclass=SequentialTaskSetMeta):
    """Runs its tasks one after the other, forever; leave it with ``interrupt()`` or StopUser."""

    def __init__(self, parent: Any) -> None:
        super().__init__(parent)
        self._task_index = 0

    def get_next_task(self) -> Any:
        if not self.tasks:
            raise LocustError(f"No tasks defined on {type(self).__name__}. Use @task or set 'tasks'")
        entry = self.tasks[self._task_index % len(self.tasks)]
        self._task_index += 1
        return entry
