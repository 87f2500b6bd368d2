"""A TaskSet that moves between tasks along weighted transitions (a Markov chain)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

from horde.exception import LocustError
from horde.user.task import TaskSet, TaskSetMeta

logger = logging.getLogger("locust.user.markov_taskset")  # Locust's logger name: scripts and filters match it

F = Callable[..., Any]


class MarkovTaskSetError(LocustError):
    """A MarkovTaskSet is malformed: no transitions, or a transition to an unknown state."""


# Locust's names for each case (locust.user.markov_taskset), so that code catching one keeps working.
class NoMarkovTasksError(MarkovTaskSetError):
    """No method has ``@transition`` or ``@transitions``."""


class InvalidTransitionError(MarkovTaskSetError):
    """A transition to a method the class does not have."""


class NonMarkovTaskTransitionError(MarkovTaskSetError):
    """A transition to a method without transitions of its own."""


class MarkovTaskTagError(MarkovTaskSetError):
    """Tags on a Markov task (they could cut the chain)."""


def transition(func_name: str, weight: int = 1) -> Callable[[F], F]:
    """From the decorated task, go to ``func_name`` with relative ``weight``."""

    def decorate(func: F) -> F:
        table = func.__dict__.setdefault("transitions", {})
        table[func_name] = table.get(func_name, 0) + weight
        return func

    return decorate


def transitions(weights: dict[str, int] | list[str | tuple[str, int]]) -> Callable[[F], F]:
    """Several transitions at once: ``{"a": 2, "b": 1}`` or ``["a", ("b", 2)]``."""

    def decorate(func: F) -> F:
        table = func.__dict__.setdefault("transitions", {})
        items = weights.items() if isinstance(weights, dict) else weights
        for item in items:
            name, weight = (item, 1) if isinstance(item, str) else item
            table[name] = table.get(name, 0) + weight
        return func

    return decorate


def _validate(classname: str, class_dict: dict[str, Any]) -> list[Any]:
    states = {k: v for k, v in class_dict.items() if callable(v) and hasattr(v, "transitions")}
    if "run" in class_dict:
        raise MarkovTaskSetError(f"{classname}: a MarkovTaskSet must not override run()")
    if not states:
        raise NoMarkovTasksError(f"{classname}: no @transition or @transitions found")
    for name, func in states.items():
        if hasattr(func, "locust_tag_set"):
            raise MarkovTaskTagError(f"{classname}.{name}: tags are not supported on Markov tasks")
        for target in func.transitions:
            if target not in class_dict:
                raise InvalidTransitionError(f"{classname}.{name}: transition to unknown method '{target}'")
            if target not in states:
                raise NonMarkovTaskTransitionError(
                    f"{classname}.{name}: transition to '{target}', which has no transitions of its own"
                )
    first = next(iter(states.values()))
    reachable, frontier = {first.__name__}, [first]
    while frontier:
        for target in frontier.pop().transitions:
            if target not in reachable:
                reachable.add(target)
                frontier.append(states[target])
    for name in states:
        if name not in reachable:
            logger.warning("%s.%s can never be reached from the first state", classname, name)
    return [first]


class MarkovTaskSetMeta(TaskSetMeta):
    def __new__(mcs, classname: str, bases: tuple[type, ...], class_dict: dict[str, Any]) -> Any:
        if class_dict.get("abstract"):
            class_dict["tasks"] = []
        else:
            class_dict.setdefault("abstract", False)
            class_dict["tasks"] = _validate(classname, class_dict)
        return type.__new__(mcs, classname, bases, class_dict)


class MarkovTaskSet(TaskSet, metaclass=MarkovTaskSetMeta):
    """Starts at the first decorated method, then follows weighted ``@transition``s forever."""

    abstract = True

    def __init__(self, parent: Any) -> None:
        super().__init__(parent)
        self._current: Any = None

    def get_next_task(self) -> Any:
        if self._current is None:
            self._current = self.tasks[0]
        else:
            table = self._current.transitions
            name = random.choices(list(table), weights=list(table.values()))[0]
            self._current = getattr(type(self), name)
        return self._current
