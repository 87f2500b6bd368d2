import time

from locust import HttpUser, constant, task


class Cruncher(HttpUser):
    """Holds its process's loop for 5 s once: CPU-heavy user code, as a worker may run."""

    wait_time = constant(0.05)
    crunched = False

    @task
    def crunch_once_then_browse(self):
        if not Cruncher.crunched:
            Cruncher.crunched = True
            deadline = time.perf_counter() + 5
            while time.perf_counter() < deadline:
                sum(range(1000))
        self.client.get("/products?q=cpu")
