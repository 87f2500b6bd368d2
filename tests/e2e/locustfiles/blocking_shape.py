"""A LoadTestShape whose tick blocks (it asks something slow): the users go on meanwhile."""

import time

from locust import LoadTestShape, User, constant, events, task


class Ticking(User):
    """Reports the time since its previous task as a request: a frozen loop shows as a long one."""

    wait_time = constant(0.05)

    def on_start(self):
        self.last = time.monotonic()

    @task
    def tick(self):
        now = time.monotonic()
        gap_ms = (now - self.last) * 1000
        self.last = now
        events.request.fire(
            request_type="GAP", name="between tasks", response_time=gap_ms, response_length=0,
            exception=None, context={},
        )  # fmt: skip


class SlowShape(LoadTestShape):
    def tick(self):
        time.sleep(0.5)
        if self.get_run_time() > 2:
            return None
        return (2, 10)
