"""Distributed runs: Locust's master/worker protocol over ZeroMQ."""
