"""The bundled demo target: a small shop-like HTTP server and a locustfile written for it.

Start it with ``python -m horde.demo.server`` or, in-process, ``horde.demo.server.start_demo_server``.
(Nothing is re-exported here, so ``python -m horde.demo.server`` runs without a double import.)
"""
