"""``locust.user.task``."""

from horde.user.task import (
    STATE_RUNNING,
    STATE_STOPPING,
    STATE_WAITING,
    DefaultTaskSet,
    TaskSet,
    TaskSetMeta,
    filter_tasks_by_tags,
    get_tasks_from_base_classes,
    tag,
    task,
)

# Locust's names for a user's states (``user._state``), which debugging scripts set and compare.
LOCUST_STATE_RUNNING = STATE_RUNNING
LOCUST_STATE_WAITING = STATE_WAITING
LOCUST_STATE_STOPPING = STATE_STOPPING

__all__ = (
    "LOCUST_STATE_RUNNING",
    "LOCUST_STATE_STOPPING",
    "LOCUST_STATE_WAITING",
    "DefaultTaskSet",
    "TaskSet",
    "TaskSetMeta",
    "filter_tasks_by_tags",
    "get_tasks_from_base_classes",
    "tag",
    "task",
)
