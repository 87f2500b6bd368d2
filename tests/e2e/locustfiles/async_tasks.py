import asyncio

from locust import HttpUser, constant, task


class AsyncShopper(HttpUser):
    wait_time = constant(0.01)

    @task
    async def concurrent_browse(self):
        first, second = await asyncio.gather(
            self.client.get("/products?q=a", name="/products [async]"),
            self.client.get("/products?q=b", name="/products [async]"),
        )
        assert first.status_code == second.status_code == 200

    @task
    def plain_browse(self):
        self.client.get("/products?q=c", name="/products [sync]")
