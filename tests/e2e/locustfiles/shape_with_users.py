"""A shape that runs 3 s, started with -u, -r and -t as well."""

from locust import LoadTestShape, User, constant, task


class Idle(User):
    wait_time = constant(0.1)

    @task
    def nothing(self):
        pass


class ThreeSeconds(LoadTestShape):
    def tick(self):
        return (2, 10) if self.get_run_time() < 3 else None
