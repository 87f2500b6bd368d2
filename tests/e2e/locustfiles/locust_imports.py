"""Imports as Locust's own modules and older locustfiles write them."""

import locust.user.task
from locust import constant, task
from locust.exception import StopUser
from locust.user import HttpUser


class Imported(HttpUser):
    wait_time = constant(0)

    @task
    def once(self):
        assert callable(locust.user.task)  # still the decorator, not the module
        with self.rest("GET", "/products") as response:
            assert response.status_code == 200
        try:
            with self.rest("", "/health"):
                pass
        except ValueError as error:
            print(f"REST: {error}")
        raise StopUser()
