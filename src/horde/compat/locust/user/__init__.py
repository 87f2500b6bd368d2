"""``locust.user``."""

from horde.user.task import TaskSet, tag, task
from horde.user.users import User

__all__ = ("TaskSet", "User", "tag", "task")
