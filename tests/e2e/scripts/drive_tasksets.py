"""A unit test of a locustfile, as Locust's users and Locust's own suite write them: users and
TaskSets driven from plain code, an execute_task override that calls super()."""

import time

from locust import TaskSet, User, constant, task
from locust.env import Environment
from locust.exception import InterruptTaskSet, RescheduleTask, StopUser

log = []


class Browse(TaskSet):
    def on_start(self):
        log.append("browse on_start")

    @task
    def look(self):
        time.sleep(0.05)  # blocking, as under Locust
        log.append("look")
        self.interrupt(reschedule=False)


class Shopper(User):
    wait_time = constant(0)

    def on_start(self):
        log.append("user on_start")

    @task
    def shop(self):
        log.append("shop")
        raise StopUser()

    def on_stop(self):
        log.append("user on_stop")


class Logged(TaskSet):
    def execute_task(self, task):  # Locust's pattern: wrap every task
        log.append(f"before {task.__name__}")
        super().execute_task(task)
        log.append(f"after {task.__name__}")

    @task
    def once(self):
        raise InterruptTaskSet(reschedule=False)


env = Environment(user_classes=[Shopper], catch_exceptions=False)
shopper = Shopper(env)
try:
    Browse(shopper).run()
except RescheduleTask:
    log.append("rescheduled")
shopper.run()  # returns when StopUser ends it
logged = Logged(shopper)
logged.schedule_task(Logged.once)
try:
    logged.execute_next_task()
except InterruptTaskSet:
    log.append("interrupted")
print("LOG " + " | ".join(log))
