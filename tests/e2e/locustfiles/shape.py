from locust import HttpUser, LoadTestShape, constant, events, task


class Pinger(HttpUser):
    wait_time = constant(0.05)

    @task
    def ping(self):
        self.client.get("/health")


@events.spawning_complete.add_listener
def spawned(user_count, **kwargs):
    print(f"SPAWNED {user_count}")


class Steps(LoadTestShape):
    # Horde asks about once a second (at ~0 s, ~1 s, ~2 s): step edges sit between the asks.
    def tick(self):
        run_time = self.get_run_time()
        if run_time < 0.5:
            return (2, 10)
        if run_time < 1.5:
            return (4, 10)
        return None
