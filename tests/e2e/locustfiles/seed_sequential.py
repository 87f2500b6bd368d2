from locust import HttpUser, SequentialTaskSet, task, between

class CheckoutSequence(SequentialTaskSet):
    @task
    def login(self):
        response = self.client.post("/auth/login", json={"email": "u", "password": "p"})
        self.user.token = response.json()["token"]

    @task
    def browse(self):
        self.client.get("/products", headers={"Authorization": f"Bearer {self.user.token}"})

    @task
    def checkout(self):
        cart = self.client.post("/cart", json={"sku": "X"},
            headers={"Authorization": f"Bearer {self.user.token}"})
        self.client.post("/checkout", json={"cartId": cart.json()["id"]},
            headers={"Authorization": f"Bearer {self.user.token}"})

class CheckoutUser(HttpUser):
    tasks = [CheckoutSequence]
    wait_time = between(1, 3)
    host = "https://api.example.com"
