"""deploy/k8s: the Zero to JupyterHub values and the course's manifests, on paper.

Nothing here touches a cluster (none is available to the tests): the files must parse,
the hub's Python in them must compile, and they must say the same as the one-server
deployment where both say something (roles, limits, culling, the exchange's path).
"""

from pathlib import Path

import pytest
import yaml

from deploy.layout import Deployment
from deploy.limits import parse_bytes

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load((K8S / "values.yaml").read_text())


@pytest.fixture(scope="module")
def manifests():
    docs = list(yaml.safe_load_all((K8S / "course.yaml").read_text()))
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def test_values_limit_and_cull_like_one_server(values):
    dep = Deployment()
    user = values["singleuser"]
    assert parse_bytes(user["memory"]["limit"]) == parse_bytes(dep.mem_limit)
    assert float(user["cpu"]["limit"]) == dep.cpu_limit
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] == dep.idle_timeout
    assert "--KernelManager.transport=ipc" in user["cmd"]
    assert user["networkPolicy"]["enabled"] is True


def test_values_roles_and_formgrader_service_match_the_hub_config(values):
    dep = Deployment()
    roles = {r["name"]: r for r in values["hub"]["loadRoles"].values()}
    assert f"access:services!service={dep.course_id}" in roles[dep.formgrade_group]["scopes"]
    assert dep.student_group not in roles  # students get no service list (issue 20)
    assert set(values["hub"]["config"]["JupyterHub"]["load_groups"]) == {
        dep.formgrade_group,
        dep.student_group,
    }
    (name,) = values["hub"]["services"]
    assert name == dep.course_id
    for code in values["hub"]["extraConfig"].values():
        compile(code, "hub.extraConfig", "exec")


def test_exchange_is_one_shared_volume_in_student_and_grader_pods(values, manifests):
    claim = manifests[("PersistentVolumeClaim", "rnn-course-exchange")]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    storage = values["singleuser"]["storage"]
    (volume,) = storage["extraVolumes"]
    assert volume["persistentVolumeClaim"]["claimName"] == "rnn-course-exchange"
    (mount,) = storage["extraVolumeMounts"]
    grader = manifests[("Deployment", "rnn-grader")]["spec"]["template"]["spec"]
    grader_mounts = {m["name"]: m["mountPath"] for m in grader["containers"][0]["volumeMounts"]}
    assert grader_mounts["exchange"] == mount["mountPath"]


def test_grading_runs_on_the_dask_cluster(manifests):
    grader = manifests[("Deployment", "rnn-grader")]["spec"]["template"]["spec"]
    env = {e["name"]: e.get("value") for e in grader["containers"][0]["env"]}
    scheduler = manifests[("Service", "rnn-dask-scheduler")]
    port = scheduler["spec"]["ports"][0]["port"]
    assert env["DASK_SCHEDULER"] == f"tcp://rnn-dask-scheduler:{port}"
    worker = manifests[("Deployment", "rnn-dask-worker")]["spec"]["template"]["spec"]
    command = worker["containers"][0]["command"]
    assert command[:3] == ["dask", "worker", env["DASK_SCHEDULER"]]
