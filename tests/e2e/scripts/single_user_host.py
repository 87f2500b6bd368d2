"""python locustfile.py with the host from LOCUST_HOST or --host, as Locust's run_single_user reads it."""

from locust import HttpUser, run_single_user, task
from locust.exception import StopUser


class Hostless(HttpUser):
    @task
    def once(self):
        print(f"STATUS {self.client.get('/health').status_code} FROM {self.host}")
        raise StopUser()


if __name__ == "__main__":
    run_single_user(Hostless)
