"""A locustfile debugged the way Locust's docs show: python locustfile.py."""

import os
import time

import requests
from locust import HttpUser, events, run_single_user, task
from locust.clients import HttpSession
from locust.exception import StopUser


@events.test_start.add_listener
def log_in(environment, **kwargs):
    # A session outside any task, used synchronously, as Locust users set data up.
    session = HttpSession(base_url=os.environ["TARGET"], request_event=environment.events.request, user=None)
    print(f"SETUP {session.post('/auth/login', json={'email': 'a@b.c', 'password': 'p'}).status_code}")
    print(f"REQUESTS {requests.get(os.environ['TARGET'] + '/health', timeout=5).text}")


class Debugged(HttpUser):
    host = os.environ["TARGET"]

    def on_start(self):
        self.done = 0

    @task
    def browse(self):
        self.client.get("/products")
        time.sleep(0.05)
        self.done += 1
        if self.done == 3:
            raise StopUser()


if __name__ == "__main__":
    run_single_user(Debugged)
    print("FINISHED")
