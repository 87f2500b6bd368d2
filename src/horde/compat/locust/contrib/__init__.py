"""``locust.contrib``: only the FastHttpUser client is provided."""
