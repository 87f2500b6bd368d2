from locust import HttpUser, constant_pacing, task


class Paced(HttpUser):
    wait_time = constant_pacing(0.1)  # 10 requests/s per user: the server's rate counts the users

    @task
    def home(self):
        self.client.get("/products")
