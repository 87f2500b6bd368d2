from locust import HttpUser, constant, task


class Broken(HttpUser):
    wait_time = constant(0.05)

    @task
    def error(self):
        self.client.get("/error")
