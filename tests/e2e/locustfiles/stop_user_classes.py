"""Locust's debugging_advanced example, as a run: each class makes one request and stops."""

from locust import User, events, task
from locust.exception import StopUser


def once(name):
    events.request.fire(request_type="TASK", name=name, response_time=1, response_length=0, exception=None, context={})
    raise StopUser()


class User1(User):
    @task
    def hello_world(self):
        once("hello1")


class User2(User):
    @task
    def hello_world(self):
        once("hello2")
