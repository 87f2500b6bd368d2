"""What the run history keeps of the options: no token, secret or password, in a URL either."""

from __future__ import annotations

import argparse

from horde.cli.main import _recorded_options


def test_secrets_are_left_out_of_the_recorded_options() -> None:
    options = argparse.Namespace(
        influxdb="http://bob:s3cret@influx:8086/horde",
        influxdb_token="t0k",
        web_token="w3b",
        web_user="admin:pa55",
        master_secret=None,
        host="https://shop.example.com/a@b",
        num_users=3,
    )
    kept = _recorded_options(options)
    assert kept == {
        "influxdb": "http://(hidden)@influx:8086/horde",
        "influxdb_token": "(hidden)",
        "web_token": "(hidden)",
        "web_user": "(hidden)",
        "master_secret": None,
        "host": "https://shop.example.com/a@b",  # an @ in the path is no credential
        "num_users": 3,
    }
    assert not any(secret in str(kept) for secret in ("s3cret", "t0k", "w3b", "pa55"))
