# locustfile.py
from locust import HttpUser, task, between

class CheckoutUser(HttpUser):
    wait_time = between(1, 5)
    host = "https://api.example.com"

    def on_start(self):
        response = self.client.post("/auth/login", json={
            "email": "user@example.com",
            "password": "demo"
        })
        self.token = response.json()["token"]
        self.client.headers["Authorization"] = f"Bearer {self.token}"

    @task(3)
    def browse_products(self):
        self.client.get("/products?q=laptop")

    @task(1)
    def checkout(self):
        cart = self.client.post("/cart", json={"sku": "ABC-123"})
        self.client.post("/checkout", json={"cartId": cart.json()["id"]})
