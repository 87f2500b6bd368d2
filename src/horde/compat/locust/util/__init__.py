"""``locust.util``: the helpers locustfiles import from it."""
