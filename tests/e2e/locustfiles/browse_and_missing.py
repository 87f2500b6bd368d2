"""Two request names, one of which always fails (a 404): for the tests of the live outputs."""

from locust import HttpUser, constant, task


class Shopper(HttpUser):
    wait_time = constant(0.02)

    @task(3)
    def browse(self):
        self.client.get("/products?q=laptop", name="browse")

    @task
    def missing(self):
        self.client.get("/nothing-here", name="missing")  # 404: a failure
