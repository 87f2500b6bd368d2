"""The jobs the generators are given: what is requested, from which target, and what is measured.

A workload groups the rows of one table. Every workload has its own reference row (Locust's
FastHttpUser on the same job), so a ratio always compares two generators doing the same work.
Throughput workloads saturate the generator against nginx; latency workloads keep it well below
its limit against a server that holds each response for a known time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    THROUGHPUT = "throughput"  # no wait, generator saturated, nginx counts the rate
    LATENCY = "latency"  # modest load on the delay server, reported percentiles against the truth


class Target(enum.StrEnum):
    NGINX = "nginx"  # plain HTTP port
    NGINX_TLS = "nginx-tls"  # the same nginx, its HTTPS port
    DELAY = "delay"  # bench/delay_server.py, one instance per delay


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    kind: Kind
    target: Target
    delay_ms: int | None = None  # latency workloads: the delay the server holds every response
    users: int | None = None  # None: the command line's --users


LATENCY_USERS = 20
LATENCY_DELAYS_MS = (5, 50, 500)


def latency_key(delay_ms: int) -> str:
    return f"latency-{delay_ms}ms"


WORKLOADS: tuple[Workload, ...] = (
    Workload("get", "GET a small body, keep-alive, no wait", Kind.THROUGHPUT, Target.NGINX),
    Workload(
        "post-json", "POST a JSON body, response.json() on a 10 KB answer", Kind.THROUGHPUT, Target.NGINX
    ),
    Workload("https", "GET a small body over HTTPS, keep-alive", Kind.THROUGHPUT, Target.NGINX_TLS),
    Workload("names-1", "GET /item/<n>, n = 0..999, one request name", Kind.THROUGHPUT, Target.NGINX),
    Workload("names-1000", "GET /item/<n>, n = 0..999, 1,000 request names", Kind.THROUGHPUT, Target.NGINX),
    *(
        Workload(
            latency_key(delay),
            f"latency accuracy, every response held {delay} ms",
            Kind.LATENCY,
            Target.DELAY,
            delay_ms=delay,
            users=LATENCY_USERS,
        )
        for delay in LATENCY_DELAYS_MS
    ),
)
WORKLOAD_KEYS: tuple[str, ...] = tuple(workload.key for workload in WORKLOADS)
# The stats-cardinality target of the issue compares these two workloads' Horde rows.
CARDINALITY_PAIR = ("names-1", "names-1000")


def workload(key: str) -> Workload:
    for candidate in WORKLOADS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
