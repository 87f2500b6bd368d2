"""Locust's way to end run_single_user from outside: the user in locust.debug._env, set stopping."""

import sys
from threading import Timer

from locust import HttpUser, constant, debug, task
from locust.user.task import LOCUST_STATE_STOPPING


class Looping(HttpUser):
    host = sys.argv[1]
    wait_time = constant(0.05)

    @task
    def health(self):
        self.client.get("/health")


def stop_user():
    debug._env.single_user_instance._state = LOCUST_STATE_STOPPING


debug._env = None  # a script (or Locust's own tests) may reset it: the next run sets it again
Timer(1, stop_user).start()
debug.run_single_user(Looping, loglevel=None)  # locust.run_single_user is the same
print("ENDED", debug._env.stats.total.num_requests)
