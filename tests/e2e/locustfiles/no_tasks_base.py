"""Locust's x-forwarded-for example's shape: a base class with no tasks that is not abstract."""

from locust import HttpUser, constant, task, web  # noqa: F401 - `web`, as Locust's events example


class Forwarded(HttpUser):
    wait_time = constant(0.2)


class Website(Forwarded):
    wait_time = constant(0.05)

    @task
    def index(self):
        self.client.get("/health")
