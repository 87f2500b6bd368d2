"""Users started by hand into a gevent Group and stopped gracefully or at once, and a runner's
user greenlets, as Locust's own tests drive them (each check prints what it found)."""

from gevent import sleep
from gevent.pool import Group
from locust import TaskSet, User, constant, task
from locust.env import Environment


class Stepper(User):
    wait_time = constant(0)
    state = 0

    @task
    def step(self):
        self.state = 1
        sleep(0.1)
        self.state = 2


environment = Environment(user_classes=[Stepper])
for force in (False, True):
    group = Group()
    user = Stepper(environment)
    greenlet = user.start(group)
    sleep(0)
    started = (greenlet in group, user.state)
    user.stop(force=force)
    sleep(0)
    right_after = (len(group), user.state)
    sleep(0.2)
    print("FORCED" if force else "GRACEFUL", started, right_after, (len(group), user.state))


class Looping(User):
    wait_time = constant(1)

    @task
    class Tasks(TaskSet):
        @task
        def t(self):
            pass


runner = Environment(user_classes=[Looping]).create_local_runner()
runner.spawn_users({"Looping": 2})
greenlets = runner.user_greenlets
runner.stop_users({"Looping": 2})
print("RUNNER", len(greenlets), [g.dead for g in greenlets], len(runner.user_greenlets))
