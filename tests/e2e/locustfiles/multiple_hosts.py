"""Locust's multiple_hosts example, pointed at the test's target: a second session built in
__init__ reports to the user's request hook."""

import os

from locust import HttpUser, TaskSet, constant, task
from locust.clients import HttpSession


class MultipleHostsUser(HttpUser):
    abstract = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.api_client = HttpSession(base_url=os.environ["API_HOST"], request_event=self.client.request_event, user=self)


class UserTasks(TaskSet):
    @task
    def index(self):
        self.user.client.get("/health")

    @task
    def index_other_host(self):
        self.user.api_client.get("/products", name="api /products")


class WebsiteUser(MultipleHostsUser):
    wait_time = constant(0.05)
    tasks = [UserTasks]
