"""One class cannot build its users (its __init__ raises); the other must run regardless."""

from locust import User, constant, events, task


class Broken(User):
    def __init__(self, environment):
        super().__init__(environment)
        raise ValueError("no credentials for this user")

    @task
    def never(self):
        pass


class Fine(User):
    wait_time = constant(0.1)

    @task
    def work(self):
        events.request.fire(
            request_type="TASK", name="work", response_time=1, response_length=0, exception=None, context={}
        )
