import time

from locust import User, constant, events, task


class Measured(User):
    wait_time = constant(0.01)

    @task
    def work(self):
        with events.request.measure("CUSTOM", "sleep-2ms"):
            time.sleep(0.002)
        with events.request.measure("CUSTOM", "raises"):
            raise ValueError("measured failure")
