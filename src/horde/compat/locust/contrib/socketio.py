"""``locust.contrib.socketio``: not in Horde yet (see horde.compat.contrib_missing)."""

from horde.compat.contrib_missing import refuse

refuse("socketio", "SocketIOUser", "python-socketio")
