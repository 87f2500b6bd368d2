"""``locust.user``.

Imported from its own submodules, as Locust's is: loading a submodule sets it as an attribute of
this package, and the names imported after it (``task`` the decorator, not ``task`` the module)
must be the ones that stay.
"""

from horde.compat.locust.user.task import TaskSet, tag, task
from horde.compat.locust.user.users import HttpUser, User

__all__ = ("HttpUser", "TaskSet", "User", "tag", "task")
