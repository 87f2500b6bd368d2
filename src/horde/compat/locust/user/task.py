"""``locust.user.task``."""

from horde.user.task import (
    DefaultTaskSet,
    TaskSet,
    TaskSetMeta,
    filter_tasks_by_tags,
    get_tasks_from_base_classes,
    tag,
    task,
)

__all__ = (
    "DefaultTaskSet",
    "TaskSet",
    "TaskSetMeta",
    "filter_tasks_by_tags",
    "get_tasks_from_base_classes",
    "tag",
    "task",
)
