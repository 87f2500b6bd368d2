from locust import HttpUser, constant, tag, task


class Tagged(HttpUser):
    wait_time = constant(0.02)

    @tag("search")
    @task
    def search(self):
        self.client.get("/products?q=tagged")

    @tag("cart")
    @task
    def cart(self):
        self.client.post("/cart", json={"sku": "T-1"})


class Other(HttpUser):
    wait_time = constant(0.02)

    @task
    def health(self):
        self.client.get("/health")
