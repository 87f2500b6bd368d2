"""Wait times, tags and task ratios: the pure parts of user classes."""

from __future__ import annotations

import json
import random
import statistics
from typing import Any

import pytest

from horde.user.inspect_ratio import ratio_report, ratio_text
from horde.user.task import TaskSet, filter_tasks_by_tags, tag, task
from horde.user.users import User
from horde.user.wait_time import between, constant, constant_pacing, constant_throughput, poisson


def test_between_stays_in_bounds_and_spreads() -> None:
    random.seed(1)
    values = [between(1, 5)(None) for _ in range(5000)]
    assert min(values) >= 1 and max(values) <= 5
    assert 2.8 < statistics.mean(values) < 3.2


def test_constant_and_poisson() -> None:
    assert constant(2.5)(None) == 2.5
    random.seed(2)
    values = [poisson(4)(None) for _ in range(20000)]
    assert 0.24 < statistics.mean(values) < 0.26
    with pytest.raises(ValueError):
        poisson(0)
    with pytest.raises(ValueError):
        constant_throughput(0)


def test_constant_pacing_subtracts_the_task_time(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr("horde.user.wait_time.time.monotonic", lambda: clock[0])

    class Holder:
        pass

    holder = Holder()
    pacing = constant_pacing(10)
    first = pacing(holder)
    assert first == 10
    clock[0] += first + 3  # waited, then the task ran 3 s
    assert pacing(holder) == pytest.approx(7)
    clock[0] += 7 + 15  # the task ran longer than the pace: no wait, no catch-up
    assert pacing(holder) == 0
    assert constant_throughput(0.5)(Holder()) == 2


def test_tags_filter_recursively_and_drop_empty_tasksets() -> None:
    class Nested(TaskSet):
        @tag("a")
        @task
        def tagged(self) -> None:
            pass

        @task
        def untagged(self) -> None:
            pass

    class OnlyUntagged(TaskSet):
        @task
        def plain(self) -> None:
            pass

    class U(User):
        tasks = [Nested, OnlyUntagged]

        @tag("a", "b")
        @task
        def both(self) -> None:
            pass

        @tag("b")
        @task
        def only_b(self) -> None:
            pass

    filter_tasks_by_tags(U, tags={"a"})
    assert [getattr(t, "__name__", t) for t in U.tasks] == ["Nested", "both"]
    assert [t.__name__ for t in Nested.tasks] == ["tagged"]


def test_exclude_tags() -> None:
    class U(User):
        @tag("slow")
        @task
        def slow(self) -> None:
            pass

        @task
        def fast(self) -> None:
            pass

    filter_tasks_by_tags(U, exclude_tags={"slow"})
    assert [t.__name__ for t in U.tasks] == ["fast"]


def test_exclude_tags_reaches_a_user_class_used_as_a_task() -> None:
    class Inner(User):  # Locust filters any class with tasks, not only TaskSets
        @tag("slow")
        @task
        def slow(self) -> None:
            pass

        @task
        def fast(self) -> None:
            pass

    class Outer(User):
        tasks = [Inner]

    filter_tasks_by_tags(Outer, exclude_tags={"slow"})
    assert Outer.tasks == [Inner] and [t.__name__ for t in Inner.tasks] == ["fast"]


def test_tagging_a_taskset_tags_its_tasks() -> None:
    @tag("group")
    class Group(TaskSet):
        @task
        def inner(self) -> None:
            pass

    assert Group.inner.locust_tag_set == {"group"}


def test_task_ratio_report() -> None:
    class Inner(TaskSet):
        @task(3)
        def x(self) -> None:
            pass

        @task(1)
        def y(self) -> None:
            pass

    class A(User):
        weight = 3
        tasks: Any = {Inner: 1}

        @task(1)
        def a(self) -> None:
            pass

    class B(User):
        weight = 1

        @task
        def b(self) -> None:
            pass

    report = ratio_report([A, B])
    assert report["per_class"]["A"]["tasks"]["Inner"]["ratio"] == 0.5
    assert report["per_class"]["A"]["tasks"]["Inner"]["tasks"]["x"]["ratio"] == 0.375
    assert report["total"]["A"]["ratio"] == 0.75
    assert report["total"]["B"]["tasks"]["b"]["ratio"] == 0.25
    json.dumps(report)
    text = ratio_text(report)
    assert " 75.0% A" in text and "37.5% x" in text


def test_tag_without_a_name_is_refused_as_in_locust() -> None:
    with pytest.raises(ValueError, match="No tag name was supplied"):
        tag()
