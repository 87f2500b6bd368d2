"""gevent as Locust's docs use it: a checker greenlet that ends the run, and a task that fans out."""

import time

import gevent
from gevent.event import Event
from gevent.lock import Semaphore
from gevent.pool import Group, Pool

from locust import HttpUser, constant, events, task
from locust.runners import STATE_CLEANUP, STATE_STOPPED, STATE_STOPPING, WorkerRunner


MEASURED = ("pool 5x200ms", "group 3x200ms", "semaphore 6x100ms by 3", "event set after 50ms")


def checker(environment):
    stats = environment.runner.stats
    while environment.runner.state not in (STATE_STOPPING, STATE_STOPPED, STATE_CLEANUP):
        time.sleep(0.1)
        # Tasks are picked at random: wait until each measurement was taken at least once too.
        measured = all(stats.entries.get((name, "GEVENT")) for name in MEASURED)
        if stats.total.num_requests >= 40 and measured:
            print("CHECKER: enough requests, quitting")
            environment.runner.quit()
            return


@events.init.add_listener
def on_locust_init(environment, **_kwargs):
    if not isinstance(environment.runner, WorkerRunner):
        gevent.spawn(checker, environment)


class FanOut(HttpUser):
    wait_time = constant(0.1)

    @task
    def parallel_requests(self):
        with events.request.measure("GEVENT", "pool 5x200ms"):
            pool = Pool(5)
            for _ in range(5):
                pool.spawn(self.client.get, "/slow?ms=200", name="/slow")
            pool.join()
        with events.request.measure("GEVENT", "group 3x200ms"):
            group = Group()
            for _ in range(3):
                group.spawn(self.client.get, "/slow?ms=200", name="/slow")
            group.join()

    @task
    def primitives(self):
        semaphore = Semaphore(3)

        def guarded():
            with semaphore:
                gevent.sleep(0.1)

        with events.request.measure("GEVENT", "semaphore 6x100ms by 3"):
            gevent.joinall([gevent.spawn(guarded) for _ in range(6)])
        ready = Event()
        gevent.spawn_later(0.05, ready.set)
        with events.request.measure("GEVENT", "event set after 50ms"):
            assert ready.wait(timeout=5)
