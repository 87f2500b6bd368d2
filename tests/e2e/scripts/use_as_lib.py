"""Locust's "use as a library" example, as its docs give it (host and durations from the test)."""

import os
import sys

import gevent
from locust import HttpUser, constant, events, task
from locust.env import Environment
from locust.log import setup_logging
from locust.stats import StatsCSVFileWriter, stats_history, stats_printer

setup_logging("INFO")


class MyUser(HttpUser):
    host = os.environ["TARGET"]
    wait_time = constant(0.01)

    @task
    def t(self):
        self.client.get("/products")


# setup Environment and Runner
env = Environment(user_classes=[MyUser], events=events)
runner = env.create_local_runner()

# start a WebUI instance
web_ui = env.create_web_ui("127.0.0.1", 0)

# execute init event handlers (only really needed if you have registered any)
env.events.init.fire(environment=env, runner=runner, web_ui=web_ui)

# start a greenlet that periodically outputs the current stats
gevent.spawn(stats_printer(env.stats))

# start a greenlet that save current stats to history
gevent.spawn(stats_history, env.runner)

csv_writer = StatsCSVFileWriter(env, None, sys.argv[1])
gevent.spawn(csv_writer)  # as Locust's main does; csv_writer.stats_writer is the same

# start the test
runner.start(2, spawn_rate=10)

# in 3 seconds stop the runner
gevent.spawn_later(3, runner.quit)

# wait for the greenlets
runner.greenlet.join()
csv_writer.close_files()

# stop the web server for good measure
web_ui.stop()
print(f"DONE {runner.stats.total.num_requests}")
