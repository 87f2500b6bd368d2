from locust import HttpUser, constant, task


class Raiser(HttpUser):
    wait_time = constant(0.05)

    @task
    def raises(self):
        self.client.get("/health")
        raise ValueError("deliberate task failure")
