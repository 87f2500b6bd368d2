"""The web UI's HTTP API in-process: Locust's endpoints and Horde's, on the runner's own loop."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import trustme
from aiohttp.test_utils import TestClient, TestServer
from multidict import MultiDict

from horde.cli.builtin_options import build_parser
from horde.cli.web_run import custom_options
from horde.exception import UsageError
from horde.outputs.history import History
from horde.reports.csv_files import stats_columns
from horde.runtime.clock import FakeClock
from horde.runtime.environment import Environment
from horde.runtime.events import Events
from horde.stats.thresholds import parse_all
from horde.user.task import task
from horde.user.users import User
from horde.user.wait_time import constant
from horde.web.security import Access
from horde.web.server import WebUI
from horde.web.stream import offer

LOCUST_ROW_KEYS = {
    "method",
    "name",
    "num_requests",
    "num_failures",
    "avg_response_time",
    "min_response_time",
    "max_response_time",
    "current_rps",
    "current_fail_per_sec",
    "median_response_time",
    "avg_content_length",
    "response_time_percentile_0.95",
    "response_time_percentile_0.99",
    "total_rps",
    "total_fail_per_sec",
}


class Reporter(User):
    wait_time = constant(0.01)

    @task
    async def report(self) -> None:
        self.environment.events.request.fire(
            request_type="GET",
            name="/thing",
            response_time=12.5,
            response_length=100,
            exception=None,
            context={},
        )


class Other(User):
    wait_time = constant(0.01)

    @task
    def idle(self) -> None:
        pass


Scenario = Callable[[TestClient, WebUI], Awaitable[Any]]


def serve(scenario: Scenario, **web_kwargs: Any) -> Any:
    """Run ``scenario`` against a WebUI over a real loopback socket; stop everything after."""
    environment = Environment(
        user_classes=[Reporter, Other],
        events=Events(),
        host="http://127.0.0.1:1",
        available_user_classes={"Reporter": Reporter, "Other": Other},
    )

    async def main() -> Any:
        runner = environment.create_local_runner()
        web_ui = WebUI(environment, **web_kwargs)

        client = TestClient(TestServer(web_ui.aiohttp_app, host="127.0.0.1"))
        await client.start_server()
        try:
            return await asyncio.wait_for(scenario(client, web_ui), timeout=30)
        finally:
            await client.close()
            await runner.quit()

    return asyncio.run(main())


async def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def test_swarm_starts_a_test_and_stats_requests_has_locusts_keys() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        answer = await client.post("/swarm", data={"user_count": "4", "spawn_rate": "100"})
        assert answer.status == 200
        assert await answer.json() == {
            "success": True,
            "message": "Swarming started",
            "host": "http://127.0.0.1:1",
        }
        await wait_for(lambda: web_ui.runner.user_count == 4 and web_ui.runner.stats.num_requests > 0)
        body = await (await client.get("/stats/requests")).json()
        assert body["state"] in ("spawning", "running")
        assert body["user_count"] == 4
        names = [row["name"] for row in body["stats"]]
        assert names == ["/thing", "Aggregated"]
        assert set(body["stats"][0]) >= LOCUST_ROW_KEYS
        assert body["stats"][0]["median_response_time"] == 12.5
        assert body["stats"][0]["min_response_time"] == 12.5  # exact, where Locust rounds
        assert body["errors"] == []

    serve(scenario)


def test_thresholds_are_judged_live_in_the_state_and_in_the_downloads() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        state = await (await client.get("/api/v1/state")).json()
        assert [(t["expression"], t["observed"], t["passed"]) for t in state["thresholds"]] == [
            ("/thing:p50<20ms", None, False),  # no request yet
            ("requests<1", 0.0, True),
        ]
        await client.post("/swarm", data={"user_count": "2", "spawn_rate": "100"})
        await wait_for(lambda: web_ui.runner.stats.num_requests > 0)
        state = await (await client.get("/api/v1/state")).json()
        judged = {t["expression"]: t for t in state["thresholds"]}
        assert judged["/thing:p50<20ms"] == {
            "expression": "/thing:p50<20ms", "observed": 12.5, "passed": True, "unit": "ms"
        }  # fmt: skip
        assert judged["requests<1"]["passed"] is False and judged["requests<1"]["unit"] == ""
        summary = await (await client.get("/api/v1/summary")).json()
        assert [t["expression"] for t in summary["thresholds"]] == ["/thing:p50<20ms", "requests<1"]

    serve(scenario, thresholds=parse_all(["/thing:p50<20ms", "requests<1"]))


def test_bad_swarm_input_is_one_message_and_starts_nothing() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        host = web_ui.environment.host
        for form, message in (
            ({"user_count": "abc", "spawn_rate": "1"}, "user_count must be a whole number, got 'abc'"),
            ({"user_count": "2", "spawn_rate": "0"}, "spawn_rate must be a number above 0"),
            (
                {"user_count": "2", "spawn_rate": "1", "run_time": "soon"},
                "run_time 'soon' is not a time span",
            ),
            ({"user_count": "2", "spawn_rate": "1", "user_classes": "Nope"}, "unknown user class(es): Nope"),
            ({"user_count": "2", "spawn_rate": "1", "host": "example.com"}, "host must start with http://"),
            (
                {"user_count": "2", "spawn_rate": "1", "host": "http://[::1"},
                "invalid host 'http://[::1': Invalid",
            ),
            (
                {"user_count": "2", "spawn_rate": "1", "host": "http://"},
                "invalid host 'http://': No host supplied",
            ),
        ):
            answer = await client.post("/swarm", data=form)
            assert answer.status == 200  # as in Locust: the answer's "success" says it
            body = await answer.json()
            assert body["success"] is False
            assert body["message"].startswith(message)
        assert web_ui.runner.state == "ready"
        assert web_ui.environment.host == host  # a refused host is never stored

    serve(scenario)


def test_swarm_changes_users_stop_and_start_again() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        runner = web_ui.runner
        await client.post("/swarm", data={"user_count": "2", "spawn_rate": "100", "user_classes": "Reporter"})
        await wait_for(lambda: runner.user_count == 2 and runner.stats.num_requests > 0)
        await client.post("/swarm", data={"user_count": "5", "spawn_rate": "100"})
        await wait_for(lambda: runner.user_count == 5)
        assert runner.user_classes_count == {"Reporter": 5}
        answer = await client.post("/stop")
        assert (await answer.json())["success"] is True
        assert runner.state == "stopped" and runner.user_count == 0
        before = runner.stats.num_requests
        assert before > 0
        await client.post("/swarm", data={"user_count": "1", "spawn_rate": "100"})
        await wait_for(lambda: runner.user_count == 1)
        assert runner.stats.num_requests < before  # a new test starts with fresh statistics
        refused = await client.get("/stop")  # POST only, as Locust 2.47: any page can send a GET
        assert refused.status == 405 and refused.headers["Allow"] == "POST"
        assert "POST /stop" in (await refused.json())["message"] and runner.state == "running"
        assert (await client.post("/stop")).status == 200 and runner.state == "stopped"

    serve(scenario)


def test_swarm_with_an_arrival_rate_runs_the_open_model_and_changes_its_rate() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        runner = web_ui.runner
        form = {"user_count": "3", "spawn_rate": "1", "arrival_rate": "50", "user_classes": "Reporter"}
        assert (await (await client.post("/swarm", data=form)).json())["success"] is True
        await wait_for(lambda: runner.arrivals is not None and runner.arrivals.started >= 10)
        assert runner.user_count == 3  # the pool, at once: not at the form's spawn rate
        state = await (await client.get("/api/v1/state")).json()
        assert state["arrivals"]["rate"] == 50 and state["arrivals"]["plan"] == "50/s"
        changed = await client.post(
            "/swarm", data={"user_count": "4", "spawn_rate": "1", "arrival_rate": "100"}
        )
        assert (await changed.json())["success"] is True
        await wait_for(lambda: runner.user_count == 4)
        assert runner.arrivals is not None and runner.arrivals.rate == 100
        stages = await client.post(
            "/swarm", data={"user_count": "4", "spawn_rate": "1", "arrival_rate": "1m:5"}
        )
        assert "a running test takes a new rate" in (await stages.json())["message"]
        await client.post("/stop")
        # A new test without a rate runs its users in a loop again.
        await client.post("/swarm", data={"user_count": "1", "spawn_rate": "10"})
        await wait_for(lambda: runner.user_count == 1)
        assert runner.arrivals is None
        refused = await client.post(
            "/swarm", data={"user_count": "1", "spawn_rate": "1", "arrival_rate": "5"}
        )
        assert "runs its users in a loop" in (await refused.json())["message"]

    serve(scenario)


def test_the_web_ui_serves_prometheus_metrics() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        await client.post("/swarm", data={"user_count": "2", "spawn_rate": "100", "user_classes": "Reporter"})
        await wait_for(lambda: web_ui.runner.user_count == 2 and web_ui.runner.stats.num_requests > 0)
        answer = await client.get("/metrics")
        assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await answer.text()
        assert 'horde_users{user_class="Reporter"} 2.0' in text
        assert "horde_requests_total{" in text and "horde_request_duration_seconds_bucket{" in text

    serve(scenario)


def test_the_runs_tab_lists_the_history_and_compares_two_runs(tmp_path: Path) -> None:
    history = History(tmp_path / "history")

    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        assert (await (await client.get("/api/v1/runs")).json()) == {
            "runs": [],
            "message": f"no run history at {history.path} yet",
        }
        runner = web_ui.runner
        for delay_ms in (10.0, 10.0, 120.0):  # three tests, recorded as a run each
            runner.stats.clear_all()
            for _ in range(400):
                runner.stats.record("GET", "/cart", delay_ms, 10, None)
            result = runner.result()
            history.record(result, {"run": {}, "entries": [], "totals": {}}, None, {})
        listed = await (await client.get("/api/v1/runs")).json()
        assert [run["id"] for run in listed["runs"]] == [3, 2, 1] and listed["runs"][0]["requests"] == 400
        same = await (await client.get("/api/v1/runs/compare?a=1&b=2")).json()
        assert same["regressed"] is False and same["candidate"] == 2
        slower = await (await client.get("/api/v1/runs/compare?a=2&b=3")).json()
        p50 = next(m for m in slower["entries"][0]["metrics"] if m["metric"] == "p50")
        assert slower["regressed"] is True and p50["outcome"] == "regressed"
        bad = await client.get("/api/v1/runs/compare?a=1&b=9")
        assert bad.status == 400 and "no run 9" in (await bad.json())["message"]

    serve(scenario, history=history)


def test_run_time_from_the_form_stops_the_test_but_not_the_server() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        answer = await client.post("/swarm", data={"user_count": "1", "spawn_rate": "10", "run_time": "1s"})
        assert (await answer.json())["run_time"] == 1
        await wait_for(lambda: web_ui.runner.state == "stopped", timeout=5)
        assert not web_ui.runner.quit_event.is_set()
        state = await (await client.get("/api/v1/state")).json()
        assert state["state"] == "stopped"

    serve(scenario)


def test_reset_zeroes_the_statistics() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        await client.post("/swarm", data={"user_count": "1", "spawn_rate": "10", "user_classes": "Reporter"})
        await wait_for(lambda: web_ui.runner.stats.num_requests > 5)
        web_ui.runner.log_exception("local", "boom", "Traceback ...")
        await web_ui.control.stop()  # nothing records meanwhile
        answer = await client.post("/stats/reset")
        assert await answer.text() == "ok"
        assert web_ui.runner.stats.num_requests == 0
        assert (await (await client.get("/exceptions")).json()) == {"exceptions": []}

    serve(scenario)


def test_csv_downloads_have_locusts_columns_and_a_file_name() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        await client.post("/swarm", data={"user_count": "1", "spawn_rate": "10", "user_classes": "Reporter"})
        await wait_for(lambda: web_ui.runner.stats.num_requests > 0)
        answer = await client.get("/stats/requests/csv")
        assert answer.headers["Content-Type"].startswith("text/csv")
        disposition = answer.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="Horde_') and disposition.endswith(
            '_requests.csv"'
        )
        lines = (await answer.text()).splitlines()
        assert lines[0].split(",") == stats_columns()
        assert lines[1].startswith("GET,/thing,") and lines[-1].startswith(",Aggregated,")
        for path in ("/stats/failures/csv", "/exceptions/csv"):
            assert (await client.get(path)).status == 200
        missing = await client.get("/stats/requests_full_history/csv")
        assert missing.status == 404

    serve(scenario)


def test_exceptions_and_tasks_payloads() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        web_ui.runner.log_exception("local", "ZeroDivisionError: division by zero", "  File x, line 1\n")
        body = await (await client.get("/exceptions")).json()
        assert body == {
            "exceptions": [
                {
                    "count": 1,
                    "msg": "ZeroDivisionError: division by zero",
                    "traceback": "  File x, line 1\n",
                    "nodes": "local",
                }
            ]
        }
        tasks = await (await client.get("/tasks")).json()
        assert tasks["per_class"]["Reporter"]["tasks"] == {"report": {"ratio": 1.0}}
        assert tasks["total"]["Reporter"]["ratio"] == 0.5

    serve(scenario)


def test_the_stream_pushes_state_without_being_polled() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> list[str]:
        await client.post("/swarm", data={"user_count": "1", "spawn_rate": "10"})
        response = await client.get("/api/v1/stream")
        assert response.headers["Content-Type"] == "text/event-stream"
        lines = []
        while len([line for line in lines if line.startswith("data: ")]) < 2:
            lines.append((await response.content.readline()).decode().strip())
        response.close()
        return lines

    lines = serve(scenario)
    assert lines[0] == "event: tick"
    assert '"state":"running"' in lines[1] or '"state":"spawning"' in lines[1]


def test_base_path_prefixes_every_route() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        assert (await client.get("/stats/requests")).status == 404
        assert (await client.get("/horde/stats/requests")).status == 200
        answer = await client.post("/horde/swarm", data={"user_count": "1", "spawn_rate": "10"})
        assert answer.status == 200

    serve(scenario, base_path="/horde/")


def test_cross_site_requests_cannot_change_state() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        form = {"user_count": "1", "spawn_rate": "10"}
        evil = await client.post("/swarm", data=form, headers={"Origin": "http://evil.example"})
        assert evil.status == 403
        fetch = await client.post("/swarm", data=form, headers={"Sec-Fetch-Site": "cross-site"})
        assert fetch.status == 403
        image = await client.get("/stop")  # an <img> of another page, from a browser sending neither
        assert image.status == 405
        assert web_ui.runner.state == "ready"
        # Reading is allowed, and the UI's own page may post.
        assert (await client.get("/stats/requests", headers={"Sec-Fetch-Site": "cross-site"})).status == 200
        origin = f"http://{client.server.host}:{client.server.port}"
        own = await client.post(
            "/swarm", data=form, headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"}
        )
        assert own.status == 200

    serve(scenario)


def test_without_authentication_only_local_host_names_are_answered() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        rebound = await client.get("/stats/requests", headers={"Host": "attacker.example"})
        assert rebound.status == 403
        assert (await client.get("/stats/requests", headers={"Host": "localhost:8089"})).status == 200

    serve(scenario)


def test_an_open_ui_answers_any_host_name_without_a_login_but_not_cross_site_changes() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        # A Kubernetes probe or port-forward names the pod's address; --web-open serves it.
        assert (await client.get("/", headers={"Host": "10.1.2.3:8089"})).status == 200
        assert (await client.get("/stats/requests", headers={"Host": "load-master"})).status == 200
        evil = await client.post(
            "/swarm", data={"user_count": "1"}, headers={"Origin": "http://evil.example"}
        )
        assert evil.status == 403

    serve(scenario, host="*", access=Access.from_options(None, None, web_open=True))


def test_token_authentication() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        assert (await client.get("/stats/requests")).status == 401
        bearer = await client.get("/stats/requests", headers={"Authorization": "Bearer s3cret"})
        assert bearer.status == 200
        wrong = await client.get("/stats/requests", headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401
        # In a browser: the token once in the URL, then a cookie, and the URL without the token.
        login = await client.get("/tasks?token=s3cret&x=1", allow_redirects=False)
        assert login.status == 303
        assert login.headers["Location"] == "/tasks?x=1"
        assert "HttpOnly" in login.headers["Set-Cookie"] and "SameSite=Strict" in login.headers["Set-Cookie"]
        assert (await client.get("/tasks")).status == 200  # the client kept the cookie
        # With authentication, other host names are fine (a reverse proxy, a LAN name).
        assert (await client.get("/tasks", headers={"Host": "loadtest.lan"})).status == 200

    serve(scenario, access=Access(token="s3cret"))


def test_basic_authentication() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        challenge = await client.get("/stats/requests")
        assert challenge.status == 401
        assert challenge.headers["WWW-Authenticate"].startswith("Basic ")
        good = base64.b64encode(b"ops:pa:ss").decode()
        assert (await client.get("/stats/requests", headers={"Authorization": f"Basic {good}"})).status == 200
        bad = base64.b64encode(b"ops:wrong").decode()
        assert (await client.get("/stats/requests", headers={"Authorization": f"Basic {bad}"})).status == 401

    serve(scenario, access=Access.from_options(None, "ops:pa:ss"))


def test_served_over_tls_on_a_free_port(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    environment = Environment(user_classes=[Reporter], events=Events(), host="http://127.0.0.1:1")

    async def main() -> tuple[str, int, dict[str, Any]]:
        environment.create_local_runner()
        web_ui = WebUI(environment, "127.0.0.1", 0, tls_cert=str(cert_file), tls_key=str(key_file))
        await web_ui.start()
        try:
            context = ssl.create_default_context()
            ca.configure_trust(context)
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"{web_ui.url}tasks", ssl=context) as response,
            ):
                return web_ui.url, response.status, await response.json()
        finally:
            await web_ui.stop()

    url, status, body = asyncio.run(main())
    assert url.startswith("https://127.0.0.1:") and not url.endswith(":0/")
    assert status == 200 and "Reporter" in body["per_class"]


def test_tls_options_must_come_together_and_load() -> None:
    environment = Environment(user_classes=[Reporter], events=Events())
    with pytest.raises(UsageError, match="--tls-cert and --tls-key must be given together"):
        WebUI(environment, tls_cert="cert.pem")
    with pytest.raises(UsageError, match="cannot load the web UI's TLS certificate"):
        WebUI(environment, tls_cert="/nonexistent/cert.pem", tls_key="/nonexistent/key.pem")


def test_a_stream_too_far_behind_is_cut_off_and_others_go_on() -> None:
    slow: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=2)
    offer(slow, [b"1", b"2"])
    offer(slow, [b"3"])  # full: emptied and ended
    assert slow.get_nowait() is None and slow.empty()
    fine: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=8)
    offer(fine, [b"1", b"2"])
    assert fine.qsize() == 2


def test_distributions_of_the_run_the_current_window_and_a_span() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        stats = web_ui.runner.stats
        for _ in range(10):
            stats.record("GET", "/a", 5.0, 0, None)
        start = stats.start_time
        web_ui.runner.timeline.sample(start + 1, stats.total.response_times, start)
        for _ in range(30):
            stats.record("GET", "/a", 80.0, 0, None)
        web_ui.runner.timeline.sample(start + 2, stats.total.response_times, start)
        run = await (await client.get("/api/v1/distribution")).json()
        assert run["count"] == 40
        span = await (
            await client.get(f"/api/v1/distribution?scope=span&from={start + 1}&to={start + 2}")
        ).json()
        assert span["count"] == 30 and dict(span["percentiles"])[0.5] == pytest.approx(80.0, rel=0.004)
        bad = await client.get("/api/v1/distribution?scope=span&from=x")
        assert bad.status == 400

    serve(scenario)


def test_head_options_and_the_base_path_without_its_slash() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        head = await client.head("/horde/stats/requests")
        assert head.status == 200
        options = await client.options("/horde/stop")
        assert options.status == 204 and "POST" in options.headers["Allow"]
        assert "Access-Control-Allow-Origin" not in options.headers
        bare = await client.get("/horde", allow_redirects=False)
        assert bare.status == 308 and bare.headers["Location"] == "/horde/"

    serve(scenario, base_path="/horde")


def test_refused_swarms_keep_locusts_keys_and_huge_numbers_are_refused() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        answer = await client.post("/swarm", data={"user_count": "99999999999999999999", "spawn_rate": "1"})
        body = await answer.json()
        assert body["success"] is False and body["host"] == "http://127.0.0.1:1"
        assert body["message"].startswith("user_count 99,999,999,999,999,999,999 is more than one process")
        assert (await client.get("/api/v1/state")).status == 200
        assert web_ui.runner.state == "ready"
        # Within the count one process may run, but not what this machine can hold: said why.
        answer = await client.post("/swarm", data={"user_count": "10000000", "spawn_rate": "1000000"})
        body = await answer.json()
        assert body["success"] is False and body["message"].startswith("user_count 10,000,000: ")
        assert "GiB" in body["message"] or "open files" in body["message"]
        assert web_ui.runner.state == "ready" and web_ui.runner.user_count == 0

    serve(scenario)


def test_the_ui_pushes_on_the_runners_ticks_and_one_failing_tick_does_not_end_the_live_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> list[bytes]:
        runner = web_ui.runner
        runner.clock = clock = FakeClock()
        await web_ui.start()  # serving: it pushes the runner's ticks
        try:
            queue = web_ui.stream.subscribe()
            calls = 0
            real = web_ui.stream.tick

            def failing_once() -> dict[str, Any]:
                nonlocal calls
                calls += 1
                if calls == 1:
                    raise OverflowError("a value JSON cannot hold")
                return real()

            web_ui.stream.tick = failing_once
            await clock.advance(3.0)
            assert calls == 3
        finally:
            await web_ui.stop()
        assert runner.ticker._task is None  # no one listens: the ticker stopped with the UI
        return list(iter(queue.get_nowait, None))  # None: the stream's end

    messages = serve(scenario, port=0)
    # The first tick failed (and said so); the second pushed the state and the table, the third
    # the state; then the UI stopped, which ended the stream (None).
    assert [message.split(b"\n")[0] for message in messages] == [
        b"event: tick",
        b"event: stats",
        b"event: tick",
    ]
    assert "failed at tick 1" in caplog.text and "OverflowError" in caplog.text


def test_post_user_edits_a_class_for_the_class_picker() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        answer = await client.post("/user", json={"user_class_name": "Other", "weight": 7, "tasks": ["idle"]})
        assert answer.status == 201 and await answer.json() == {}
        assert Other.weight == 7 and [t.__name__ for t in Other.tasks] == ["idle"]
        unknown = await client.post("/user", json={"user_class_name": "Nope", "weight": 1})
        assert unknown.status == 400 and "unknown user class 'Nope'" in (await unknown.json())["message"]

    try:
        serve(scenario)
    finally:
        Other.weight = 1


def test_a_browser_without_the_token_is_told_how_to_get_in() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        page = await client.get("/", headers={"Accept": "text/html,application/xhtml+xml"})
        assert page.status == 401 and "?token=" in await page.text()
        script = await client.get("/stats/requests")
        assert script.status == 401 and (await script.json())["message"] == "authentication required"

    serve(scenario, access=Access(token="t0k"))


def test_create_web_ui_for_library_use_serves_on_the_running_loop() -> None:
    environment = Environment(user_classes=[Reporter], events=Events(), host="http://127.0.0.1:1")

    async def main() -> tuple[int, dict[str, Any]]:
        runner = environment.create_local_runner()
        web_ui = environment.create_web_ui("127.0.0.1", 0)
        assert environment.web_ui is web_ui and web_ui.start_task is not None
        await web_ui.start_task
        runner.start(2, spawn_rate=100)
        assert await runner.spawning_greenlet.get() is None  # Locust's handle on the ramp
        port = web_ui.server.server_port  # how Locust's scripts find the port picked for 0
        assert port != 0 and web_ui.url == f"http://127.0.0.1:{port}/"
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{port}/api/v1/state") as response,
            ):
                return response.status, await response.json()
        finally:
            await runner.quit()
            await web_ui.stop()

    status, state = asyncio.run(main())
    assert status == 200 and state["state"] == "running" and state["user_count"] == 2


def test_a_refused_start_changes_nothing() -> None:
    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        environment = web_ui.environment
        form = {"user_count": "2", "host": "http://127.0.0.1:9", "user_classes": "Reporter", "profile": "p"}
        answer = await (await client.post("/swarm", data=form)).json()  # no spawn_rate
        assert answer == {
            "success": False,
            "message": "user_count and spawn_rate are required",
            "host": "http://127.0.0.1:1",
        }
        assert environment.host == "http://127.0.0.1:1" and environment.profile is None
        assert [c.__name__ for c in environment.user_classes] == ["Reporter", "Other"]
        assert web_ui.runner.state == "ready"

    serve(scenario)


def test_the_locustfiles_options_are_in_the_form_and_swarm_sets_them() -> None:
    parser = build_parser()
    parser.add_argument("--a1", help="a1 help")
    parser.add_argument("--a2", include_in_web_ui=False)  # not shown, but /swarm sets it (as Locust)
    parser.add_argument("--a3", is_secret=True, is_required=True)
    parser.add_argument("--dry", action="store_true")
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--regions", choices=["eu", "us", "ap"], default=["eu"], is_multiple=True)
    options = parser.parse_args(["--a1", "v1", "--a3", "s3cret"])

    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        web_ui.environment.parsed_options = options
        page = await (await client.get("/")).text()
        config = json.loads(re.search(r'id="horde-config" type="application/json">(.*?)</script>', page)[1])
        fields = {field["name"]: field for field in config["customOptions"]}
        assert list(fields) == ["a1", "a3", "dry", "count", "regions"]
        assert fields["a1"]["value"] == "v1" and fields["a1"]["help"] == "a1 help"
        assert fields["a3"]["secret"] and fields["a3"]["value"] is None  # never sent to the page
        assert "s3cret" not in page
        assert not fields["a3"]["required"]  # it has a value: an empty field keeps it
        assert fields["dry"]["flag"] and fields["dry"]["value"] is False
        assert fields["count"]["value"] == "3"
        assert fields["regions"]["choices"] == ["eu", "us", "ap"] and fields["regions"]["multiple"]

        bad = await client.post("/swarm", data={"user_count": "1", "spawn_rate": "1", "count": "many"})
        assert (await bad.json())["message"].startswith("--count: 'many' is not a valid value")
        bad = await client.post("/swarm", data={"user_count": "1", "spawn_rate": "1", "regions": "mars"})
        assert (await bad.json())["message"] == "--regions: 'mars' is not one of eu, us, ap"
        assert web_ui.runner.state == "ready" and options.count == 3  # a refused form changes nothing

        form = {"user_count": "1", "spawn_rate": "10", "a1": "web", "a2": "hidden", "dry": "true"}
        form |= {"count": "7", "regions": "us,ap"}
        assert (await (await client.post("/swarm", data=form)).json())["success"] is True
        assert (options.a1, options.a2, options.a3, options.dry) == ("web", "hidden", "s3cret", True)
        assert options.count == 7 and options.regions == ["us", "ap"]

    serve(scenario, custom_options=custom_options(parser))


def test_a_list_option_takes_the_forms_repeated_field_too() -> None:
    parser = build_parser()
    parser.add_argument("--regions", choices=["eu", "us", "ap"], default=["eu"], is_multiple=True)
    options = parser.parse_args([])

    async def scenario(client: TestClient, web_ui: WebUI) -> None:
        web_ui.environment.parsed_options = options
        form = MultiDict([("user_count", "1"), ("spawn_rate", "10"), ("regions", "us"), ("regions", "ap")])
        assert (await (await client.post("/swarm", data=form)).json())["success"] is True
        assert options.regions == ["us", "ap"]

    serve(scenario, custom_options=custom_options(parser))
