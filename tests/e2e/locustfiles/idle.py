"""Users that do nothing but wait: for tests of how a run is controlled."""

from locust import User, constant, task


class Idle(User):
    wait_time = constant(1)

    @task
    def rest(self):
        pass
