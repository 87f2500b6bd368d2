"""The ground the users run on: Horde's event loop, the greenlet bridge that lets plain-def user
code call the async clients, gevent's hub on that loop, and the watch for code that blocks it.
Below the clients (horde.http) and the users; imports nothing of Horde's above it."""
