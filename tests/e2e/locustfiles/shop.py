from locust import HttpUser, between, events, task
from locust.contrib.fasthttp import FastHttpUser


class Shopper(HttpUser):
    wait_time = between(0.01, 0.02)

    def on_start(self):
        response = self.client.post("/auth/login", json={"email": "user@example.com", "password": "demo"})
        self.client.headers["Authorization"] = f"Bearer {response.json()['token']}"

    @task(3)
    def browse(self):
        self.client.get("/products?q=laptop")

    @task(1)
    def checkout(self):
        cart = self.client.post("/cart", json={"sku": "ABC-123"})
        self.client.post("/checkout", json={"cartId": cart.json()["id"]})

    def on_stop(self):
        self.client.post("/auth/logout")


class FastShopper(FastHttpUser):
    wait_time = between(0.01, 0.02)

    @task
    def search(self):
        with self.client.get("/products?q=phone", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"Got {response.status_code}")


@events.test_start.add_listener
def announce(environment, **kwargs):
    print(f"TEST_START host={environment.host}")
