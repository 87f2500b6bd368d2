from locust import HttpUser, constant, events, task

seen = []


@events.init_command_line_parser.add_listener
def add_arguments(parser):
    parser.add_argument("--greeting", type=str, env_var="LOCUST_GREETING", default="hi", help="a custom arg")


@events.init.add_listener
def on_init(environment, runner, web_ui, **kwargs):
    print(f"INIT greeting={environment.parsed_options.greeting} runner={type(runner).__name__}")


@events.test_start.add_listener
def on_start(environment, **kwargs):
    print(f"TEST_START greeting={environment.parsed_options.greeting}")  # the web form may change it


@events.spawning_complete.add_listener
def on_spawned(user_count, **kwargs):
    print(f"SPAWNING_COMPLETE user_count={user_count}")


@events.request.add_listener
def on_request(request_type, name, response_time, response_length, exception, context, **kwargs):
    seen.append(name)


@events.test_stopping.add_listener
def on_stopping(environment, **kwargs):
    print("TEST_STOPPING")


@events.test_stop.add_listener
def on_stop(environment, **kwargs):
    print(f"TEST_STOP requests_seen_by_listener={len(seen)} total={environment.stats.total.num_requests}")
    p95 = environment.stats.total.get_response_time_percentile(0.95)
    if p95 is not None and environment.stats.total.fail_ratio == 0:
        environment.process_exit_code = 7


@events.quitting.add_listener
def on_quitting(environment, **kwargs):
    print("QUITTING")


@events.quit.add_listener
def on_quit(exit_code, **kwargs):
    print(f"QUIT exit_code={exit_code}")


class Pinger(HttpUser):
    wait_time = constant(0.05)

    @task
    def ping(self):
        self.client.get("/health")
