"""Pages added to the web UI Flask's way, as Locust's events.py and extend_web_ui examples do."""

from flask import Blueprint, jsonify, request

from locust import HttpUser, constant, events, task

content_length = {"total": 0}
extend = Blueprint("extend", "extend_web_ui")


class Browser(HttpUser):
    wait_time = constant(0.05)

    @task
    def index(self):
        self.client.get("/health")


@events.init.add_listener
def add_pages(environment, **kwargs):
    if environment.web_ui:

        @environment.web_ui.app.route("/content-length")
        def total_content_length():
            return "Total content-length received: %i" % content_length["total"]

        @extend.route("/extend/echo", methods=["POST"])
        def echo():
            return jsonify({"got": request.get_json(), "query": request.args.get("q")})

        environment.web_ui.app.register_blueprint(extend)


@events.request.add_listener
def on_request(response_length, **kwargs):
    content_length["total"] += response_length
