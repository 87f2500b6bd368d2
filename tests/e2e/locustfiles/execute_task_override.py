"""A TaskSet that wraps each task by overriding execute_task, Locust's way (a plain def calling
super()), and a User whose run() is its own."""

import time

from locust import TaskSet, User, constant, events, task

wrapped = []


class Timed(TaskSet):
    def execute_task(self, task):
        started = time.monotonic()
        super().execute_task(task)  # blocks until the task has run, as in Locust
        wrapped.append((task.__name__, time.monotonic() - started))

    @task
    def slow(self):
        time.sleep(0.1)


class Wrapper(User):
    wait_time = constant(0.05)
    tasks = [Timed]


@events.test_stop.add_listener
def report(**kwargs):
    slow = [took for name, took in wrapped if name == "slow"]
    print(f"WRAPPED {len(slow)} MIN {min(slow):.3f}")
