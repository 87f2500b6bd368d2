"""The Helm chart in deploy/helm/horde, rendered by Helm itself for every values combination its
README documents (one ci/*-values.yaml file each), validated against the Kubernetes schemas, and
checked for what the manifests do: workers that find the master, secrets by reference, non-root.

Helm runs in a process of its own (helm_template.py says why and how); the schemas come from
kubernetes-validate. Both come with the test extra: where one is missing, these tests fail with
what to install rather than skip, so CI cannot pass without them.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHART = Path(__file__).resolve().parents[3] / "deploy" / "helm" / "horde"
HELM_TEMPLATE = Path(__file__).with_name("helm_template.py")
KUBERNETES_VERSION = "1.35.0"  # a recent release that kubernetes-validate ships schemas for
RELEASE = "load"
NAMESPACE = "perf"
MASTER_SERVICE = "load-horde-master"
COMBINATIONS = sorted(path.name.removesuffix("-values.yaml") for path in CHART.glob("ci/*-values.yaml"))
TOOLS = {"helm_python": "helm-python-sdk", "kubernetes_validate": "kubernetes-validate", "yaml": "PyYAML"}


@dataclass(frozen=True)
class Rendered:
    """One ``helm template``: the objects, the NOTES, Helm's effective values and lint report."""

    objects: list[dict[str, Any]]
    notes: str
    values: dict[str, Any]
    lint: dict[str, Any]

    def find(self, kind: str, name: str) -> dict[str, Any] | None:
        found = [o for o in self.objects if o["kind"] == kind and o["metadata"]["name"] == name]
        assert len(found) <= 1, f"{len(found)} objects {kind}/{name}"
        return found[0] if found else None

    def get(self, kind: str, name: str) -> dict[str, Any]:
        found = self.find(kind, name)
        names = [f"{o['kind']}/{o['metadata']['name']}" for o in self.objects]
        assert found is not None, f"no {kind}/{name} among {names}"
        return found

    @property
    def headless(self) -> bool:
        return bool(self.values["headless"]["enabled"])

    @property
    def master(self) -> dict[str, Any]:
        return self.get("Job" if self.headless else "Deployment", "load-horde-master")

    @property
    def workers(self) -> dict[str, Any]:
        return self.get("Deployment", "load-horde-worker")

    @property
    def secret_name(self) -> str:
        return self.values["auth"]["existingSecret"] or "load-horde-auth"


def container(workload: dict[str, Any]) -> dict[str, Any]:
    (only,) = workload["spec"]["template"]["spec"]["containers"]
    return only


def option(args: list[str], name: str) -> str:
    """The value that follows ``name`` in ``args`` (given once)."""
    assert args.count(name) == 1, f"{name} given {args.count(name)} times in {args}"
    return args[args.index(name) + 1]


def env_ref(workload: dict[str, Any], name: str) -> dict[str, str] | None:
    for variable in container(workload).get("env", []):
        if variable["name"] == name:
            assert "value" not in variable, f"{name} is written into the manifest"
            ref: dict[str, str] = variable["valueFrom"]["secretKeyRef"]
            return ref
    return None


@pytest.fixture(scope="module", autouse=True)
def tools() -> None:
    missing = [package for module, package in TOOLS.items() if importlib.util.find_spec(module) is None]
    if missing:
        pytest.fail(f"the chart tests need {', '.join(missing)}: pip install -e '.[test]'")


class RenderError(Exception):
    """Raised when Helm refuses to render the chart (its message is the exception's)."""


def render(combination: str, overrides: dict[str, Any] | None = None) -> Rendered:
    import yaml

    values_file = CHART / "ci" / f"{combination}-values.yaml"
    command = [sys.executable, str(HELM_TEMPLATE), str(CHART), RELEASE, NAMESPACE, str(values_file)]
    completed = subprocess.run(
        [*command, json.dumps(overrides or {})], capture_output=True, text=True, timeout=120
    )
    if completed.returncode != 0:
        raise RenderError(completed.stderr.strip())
    output = json.loads(completed.stdout)
    objects = [o for o in yaml.safe_load_all(output["manifest"]) if o]
    return Rendered(objects, output["notes"], output["values"], output["lint"])


@pytest.fixture(scope="module", params=COMBINATIONS)
def rendered(request: pytest.FixtureRequest, tools: None) -> Rendered:
    return render(request.param)


def test_every_values_file_is_documented_and_every_documented_one_exists() -> None:
    readme = (CHART / "README.md").read_text()
    documented = set(re.findall(r"ci/([a-z0-9-]+)-values\.yaml", readme))
    assert len(COMBINATIONS) >= 7
    assert documented == set(COMBINATIONS)


def test_valid_against_the_kubernetes_schemas_and_lint_clean(rendered: Rendered) -> None:
    import kubernetes_validate

    for manifest in rendered.objects:
        # strict: a field the schema does not know (a typo) is an error too
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    assert rendered.lint["errors"] == []
    assert [m for m in rendered.lint["messages"] if m["severity"] >= 2] == []
    kinds = sorted(o["kind"] for o in rendered.objects)
    assert kinds.count("Deployment") == (1 if rendered.headless else 2)
    assert kinds.count("Service") == 1


def test_workers_connect_to_the_master_service(rendered: Rendered) -> None:
    service = rendered.get("Service", MASTER_SERVICE)
    ports = {port["name"]: port for port in service["spec"]["ports"]}
    master_port = rendered.values["master"]["service"]["masterPort"]
    assert ports["master"]["port"] == master_port
    assert ("web" in ports) is not rendered.headless

    worker_args = container(rendered.workers)["args"]
    assert "--worker" in worker_args
    assert option(worker_args, "--master-host") == MASTER_SERVICE
    assert option(worker_args, "--master-port") == str(master_port)
    assert rendered.workers["spec"]["replicas"] == rendered.values["workers"]["replicas"]

    master = container(rendered.master)
    assert "--master" in master["args"]
    assert option(master["args"], "--master-bind-port") == str(master_port)
    assert {p["name"] for p in master["ports"]} >= set(ports)  # every targetPort is a named port
    # The Service selects the master's pods, and only them.
    selector = service["spec"]["selector"].items()
    assert selector <= rendered.master["spec"]["template"]["metadata"]["labels"].items()
    assert not selector <= rendered.workers["spec"]["template"]["metadata"]["labels"].items()
    labels = rendered.workers["spec"]["template"]["metadata"]["labels"].items()
    assert rendered.workers["spec"]["selector"]["matchLabels"].items() <= labels


def test_web_ui_or_headless_run_as_the_values_say(rendered: Rendered) -> None:
    args = container(rendered.master)["args"]
    headless = rendered.values["headless"]
    if rendered.headless:
        assert rendered.master["kind"] == "Job"
        assert rendered.master["spec"]["template"]["spec"]["restartPolicy"] == "Never"
        assert "--headless" in args
        assert option(args, "--users") == str(headless["users"])
        assert option(args, "--spawn-rate") == str(headless["spawnRate"])
        assert option(args, "--expect-workers") == str(rendered.values["workers"]["replicas"])
        assert option(args, "--run-time") == headless["runTime"]
        assert "--web-host" not in args
    else:
        assert "--headless" not in args
        # beyond 127.0.0.1, which Horde allows only with authentication: the token below
        assert option(args, "--web-host") == "*"
        assert option(args, "--web-port") == str(rendered.values["master"]["service"]["webPort"])
    if rendered.values["host"]:
        assert option(args, "--host") == rendered.values["host"]
    else:
        assert "--host" not in args
    for workload, side in ((rendered.master, "master"), (rendered.workers, "workers")):
        extra = rendered.values[side]["extraArgs"]
        args = container(workload)["args"]
        assert args[len(args) - len(extra) :] == extra  # last, so they can override the chart's


def test_secrets_come_from_a_secret_by_reference(rendered: Rendered) -> None:
    auth = rendered.values["auth"]
    master_secret = {"name": rendered.secret_name, "key": auth["masterSecretKey"]}
    assert env_ref(rendered.master, "HORDE_MASTER_SECRET") == master_secret
    assert env_ref(rendered.workers, "HORDE_MASTER_SECRET") == master_secret
    web_token = env_ref(rendered.master, "HORDE_WEB_TOKEN")
    if rendered.headless:
        assert web_token is None
    else:
        assert web_token == {"name": rendered.secret_name, "key": auth["webTokenKey"]}
    assert env_ref(rendered.workers, "HORDE_WEB_TOKEN") is None  # workers serve no UI

    secret = rendered.find("Secret", rendered.secret_name)
    if auth["existingSecret"]:
        assert secret is None
        return
    assert secret is not None
    data = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert set(data) == {auth["webTokenKey"], auth["masterSecretKey"]}
    given_values = {auth["webTokenKey"]: auth["webToken"], auth["masterSecretKey"]: auth["masterSecret"]}
    for key, given in given_values.items():
        if given:
            assert data[key] == given
        else:  # generated
            assert re.fullmatch(r"[A-Za-z0-9]{32}", data[key])
    manifest_text = json.dumps(rendered.objects)
    for value in data.values():
        assert value not in manifest_text  # only in base64, only in the Secret


def test_locustfile_comes_from_a_config_map(rendered: Rendered) -> None:
    locustfile = rendered.values["locustfile"]
    name = locustfile["existingConfigMap"] or "load-horde-locustfile"
    config_map = rendered.find("ConfigMap", name)
    if locustfile["existingConfigMap"]:
        assert config_map is None
    else:
        assert config_map is not None
        assert config_map["data"] == {locustfile["fileName"]: locustfile["content"]}
    for workload in (rendered.master, rendered.workers):
        (volume,) = workload["spec"]["template"]["spec"]["volumes"]
        assert volume["configMap"]["name"] == name
        (mount,) = container(workload)["volumeMounts"]
        assert (mount["name"], mount["mountPath"]) == (volume["name"], "/mnt/locust")
        assert option(container(workload)["args"], "--locustfile") == f"/mnt/locust/{locustfile['fileName']}"


def test_pods_run_as_non_root_with_the_values_image_resources_and_scheduling(rendered: Rendered) -> None:
    values = rendered.values
    image = f"{values['image']['repository']}:{values['image']['tag'] or '0.1.0'}"
    for workload, side in ((rendered.master, "master"), (rendered.workers, "workers")):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001  # the Dockerfile's USER
        assert container(workload)["securityContext"]["allowPrivilegeEscalation"] is False
        assert container(workload)["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert container(workload)["image"] == image
        # `horde`, not the image's entrypoint (`locust`, with Locust's open web UI): Horde's defaults
        assert container(workload)["command"] == ["horde"]
        assert container(workload)["imagePullPolicy"] == values["image"]["pullPolicy"]
        assert container(workload).get("resources", {}) == values[side]["resources"]
        assert pod.get("nodeSelector", {}) == values["nodeSelector"]
        assert pod.get("tolerations", []) == values["tolerations"]
        assert pod.get("imagePullSecrets", []) == [{"name": n} for n in values["imagePullSecrets"]]


def test_notes_say_how_to_reach_the_run(rendered: Rendered) -> None:
    if rendered.headless:
        assert "logs --follow job/load-horde-master" in rendered.notes
    else:
        assert f"get secret {rendered.secret_name}" in rendered.notes
        assert f"port-forward service/{MASTER_SERVICE}" in rendered.notes


def test_set_workers_replicas_as_the_docs_do() -> None:
    """``helm install ... --set workers.replicas=10`` on the defaults."""
    rendered = render("defaults", {"workers": {"replicas": 10}})
    assert rendered.workers["spec"]["replicas"] == 10


def test_a_chart_without_a_locustfile_is_refused() -> None:
    refusal = r"locustfile.content \(or locustfile.existingConfigMap\) is required"
    with pytest.raises(RenderError, match=refusal):
        render("defaults", {"locustfile": {"content": ""}})
