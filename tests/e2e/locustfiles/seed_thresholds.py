from locust import HttpUser, events, task, between


class APIUser(HttpUser):
    wait_time = between(0.1, 0.3)

    def on_start(self):
        response = self.client.post("/auth/login", json=self._creds())
        self.token = response.json()["token"]
        self.client.headers["Authorization"] = f"Bearer {self.token}"

    def on_stop(self):
        # Clean up test artifacts
        self.client.post("/auth/logout")

    def _creds(self):
        return {"email": "test@x.com", "password": "p"}

    @task
    def browse(self):
        self.client.get("/products?q=laptop")


@events.test_stop.add_listener
def check_thresholds(environment, **kwargs):
    stats = environment.runner.stats
    p95 = stats.total.get_response_time_percentile(0.95)
    fail_ratio = stats.total.fail_ratio
    if p95 > 800:
        environment.process_exit_code = 1
        print(f"FAIL: p95={p95}ms exceeds threshold 800ms")
    if fail_ratio > 0.01:
        environment.process_exit_code = 1
        print(f"FAIL: error rate {fail_ratio:.2%} exceeds 1%")
    print(f"THRESHOLDS p95={p95} fail_ratio={fail_ratio}")
