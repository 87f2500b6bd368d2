"""Blocking clients in tasks (Locust's custom-client examples): each call waits alone."""

import os
import socket
import xmlrpc.client
from urllib.parse import urlsplit

import requests

from locust import User, constant, events, task


class BlockingClients(User):
    wait_time = constant(0)

    def on_start(self):
        self.rpc = xmlrpc.client.ServerProxy(os.environ["XMLRPC_URL"])
        self.address = (urlsplit(self.host).hostname, urlsplit(self.host).port)

    @task
    def xmlrpc_call(self):
        with events.request.measure("XMLRPC", "slow"):
            assert self.rpc.slow(300) == "slept 300"

    @task
    def requests_call(self):
        with events.request.measure("REQUESTS", "/slow"):
            requests.get(f"{self.host}/slow?ms=300", timeout=10).raise_for_status()

    @task
    def socket_call(self):
        with events.request.measure("SOCKET", "/slow"):
            with socket.create_connection(self.address, timeout=10) as connection:
                connection.sendall(b"GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                reply = b""
                while chunk := connection.recv(65536):
                    reply += chunk
            assert reply.startswith(b"HTTP/1.1 200"), reply[:100]
