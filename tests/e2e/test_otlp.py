"""--otlp-endpoint: what OpenTelemetry's exporter sends, decoded with OpenTelemetry's own protobuf
definitions by a receiver that answers as a collector does (OTLP/HTTP, ``/v1/metrics``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from e2e_support import LOCUSTFILES, Target, horde
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)

pytestmark = pytest.mark.slow

LOCUSTFILE = (LOCUSTFILES / "browse_and_missing.py").read_text()


class Received:
    def __init__(self) -> None:
        self.exports: list[ExportMetricsServiceRequest] = []

    def points(self, metric: str) -> list[tuple[dict[str, str], float]]:
        """The data points of ``metric`` in the last export: (attributes, value)."""
        found = []
        for resource in self.exports[-1].resource_metrics:
            for scope in resource.scope_metrics:
                for item in scope.metrics:
                    if item.name != metric:
                        continue
                    data = item.sum if item.HasField("sum") else item.gauge
                    for point in data.data_points:
                        attributes = {a.key: a.value.string_value for a in point.attributes}
                        value = point.as_int if point.HasField("as_int") else point.as_double
                        found.append((attributes, float(value)))
        return found


@contextmanager
def collector() -> Iterator[tuple[str, Received]]:
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            request = ExportMetricsServiceRequest()
            request.ParseFromString(body)
            received.exports.append(request)
            answer = ExportMetricsServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/metrics", received
    finally:
        server.shutdown()
        server.server_close()


def test_the_last_export_holds_the_runs_counts(target: Target, tmp_path: Path) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    with collector() as (endpoint, received):
        run = horde(
            "-f", "locustfile.py", "--headless", "-u", "3", "-r", "50", "-t", "6s", "-H", target.url,
            "--only-summary", "--otlp-endpoint", endpoint, "--summary-json", "summary.json",
            cwd=tmp_path,
        )  # fmt: skip
    assert run.code == 1 and "Traceback" not in run.stderr, run.stderr  # 1: the 404s
    summary = json.loads((tmp_path / "summary.json").read_text())
    entries = {entry["name"]: entry for entry in summary["entries"]}
    assert len(received.exports) >= 2  # one at 5 s, one at the end
    requests = {
        attributes["horde.request.name"]: value for attributes, value in received.points("horde.requests")
    }
    failures = {a["horde.request.name"]: v for a, v in received.points("horde.request.failures")}
    assert requests == {name: float(entry["requests"]) for name, entry in entries.items()}
    assert failures == {"browse": 0.0, "missing": float(entries["missing"]["failures"])}
    resource = {
        a.key: a.value.string_value for a in received.exports[-1].resource_metrics[0].resource.attributes
    }
    assert resource["service.name"] == "horde"
    # The durations of the last interval: each statistic of each name, in ms.
    durations = {
        (a["horde.request.name"], a["stat"]): v for a, v in received.points("horde.request.duration")
    }
    assert {stat for _, stat in durations} == {"avg", "p50", "p95", "p99", "max"}
    assert (
        0
        < durations[("browse", "p50")]
        <= durations[("browse", "p99")]
        <= durations[("browse", "max")]
        < 1000
    )
    assert summary["outputs"]["otlp"] == {"endpoint": endpoint, "exports": 2, "failed": 0, "skipped": 0}


def test_a_collector_that_is_down_costs_a_warning(target: Target, tmp_path: Path) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    with collector() as (endpoint, _):
        pass  # closed: nothing listens there now
    run = horde(
        "-f", "locustfile.py", "--headless", "-u", "2", "-r", "50", "-t", "6s", "-H", target.url,
        "--only-summary", "--otlp-endpoint", endpoint, "--summary-json", "summary.json",
        "--exit-code-on-error", "0",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    warnings = [line for line in run.stderr.splitlines() if "WARNING/horde.outputs.otel" in line]
    assert (
        len(warnings) == 2 and "an export failed" in warnings[0] and "0 exports sent, 2 failed" in warnings[1]
    )
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["outputs"]["otlp"]["failed"] == 2 and summary["totals"]["requests"] > 100
