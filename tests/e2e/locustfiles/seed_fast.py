from locust import FastHttpUser, task

class FastCheckoutUser(FastHttpUser):
    @task
    def search(self):
        with self.client.get("/products?q=laptop", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"Got {response.status_code}")
