from locust import HttpUser, events, task


@events.init.add_listener
def broken(environment, **kwargs):
    raise RuntimeError("cannot reach the feature flag service")


class Pinger(HttpUser):
    @task
    def ping(self):
        self.client.get("/health")
