"""The garbage collector of `kcpp controller-manager` against a real server,
driven by the real kubectl (the newest and 1.27): background, orphan and
foreground cascading deletion of a ReplicaSet's pods, ownership between any
resources (ConfigMaps, cluster-scoped owners), dangling and invalid owner
references, and the orphan default of v1 ReplicationControllers.

No node agent runs: pods stay Pending, and unscheduled pods are deleted at once.
CRDs are not served by kcpp yet, so re-discovery of a new resource is covered
by the unit tests only."""

import glob
import json
import subprocess

import pytest

from conftest import start_server
from gc_helpers import ControllerManager, eventually, get_json

REPLICA_SET = """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
"""


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    """A server without its embedded controller-manager: these tests run their own."""
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--disable-controller-manager"])
    yield handle
    finish()


@pytest.fixture(scope="module")
def manager(kcpp_binary, server):
    m = ControllerManager(kcpp_binary, server.kubeconfig_path,
                          ["--controllers", "replicaset,replicationcontroller,garbagecollector,serviceaccount"])
    yield m
    rc = m.stop()
    text = m.text()
    m.close()
    assert rc == 0, text


def kubectl_127(server):
    found = glob.glob("/usr/lib/google-cloud-sdk/bin/kubectl.1.27")
    if not found:
        pytest.skip("kubectl 1.27 is not installed")

    def run(*args, input=None, check=True):
        p = subprocess.run([found[0], "--kubeconfig", server.kubeconfig_path, *map(str, args)],
                           input=input, capture_output=True, text=True, timeout=60,
                           env=server.kubectl_env())
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl 1.27 {' '.join(map(str, args))}: {p.stderr}")
        return p
    return run


@pytest.fixture(params=["newest", "1.27"])
def kc(request, server, kubectl):
    return kubectl if request.param == "newest" else kubectl_127(server)


def pods_with_label(kubectl, namespace, label="app=web"):
    return json.loads(kubectl("get", "pods", "-n", namespace, "-l", label, "-o", "json")
                      .stdout)["items"]


def start_replica_set(kubectl, namespace):
    kubectl("apply", "-n", namespace, "-f", "-", input=REPLICA_SET)
    return eventually(lambda: len(pods_with_label(kubectl, namespace)) == 3 and
                      pods_with_label(kubectl, namespace), what="3 pods")


def test_background_deletion_deletes_the_pods(kc, namespace, manager):
    start_replica_set(kc, namespace)
    kc("delete", "rs", "web", "-n", namespace)  # --cascade=background is kubectl's default
    eventually(lambda: not pods_with_label(kc, namespace), what="the pods to be deleted")
    assert get_json(kc, "rs", "web", "-n", namespace) is None


def test_orphan_deletion_keeps_the_pods_without_the_owner_reference(kc, namespace, manager):
    pods = start_replica_set(kc, namespace)
    names = sorted(p["metadata"]["name"] for p in pods)
    kc("delete", "rs", "web", "-n", namespace, "--cascade=orphan")
    eventually(lambda: get_json(kc, "rs", "web", "-n", namespace) is None, what="the rs to go")
    left = eventually(lambda: (lambda ps: ps if all(not p["metadata"].get("ownerReferences")
                                                    for p in ps) else None)(
        pods_with_label(kc, namespace)), what="owner references removed")
    assert sorted(p["metadata"]["name"] for p in left) == names


def test_foreground_deletion_waits_for_the_pods(kc, namespace, manager):
    pods = start_replica_set(kc, namespace)
    # One pod held by a finalizer of ours keeps the ReplicaSet waiting.
    held = pods[0]["metadata"]["name"]
    kc("patch", "pod", held, "-n", namespace, "--type=merge",
       "-p", '{"metadata":{"finalizers":["example.com/hold"]}}')
    kc("delete", "rs", "web", "-n", namespace, "--cascade=foreground", "--wait=false")
    rs = get_json(kc, "rs", "web", "-n", namespace)
    assert rs["metadata"]["deletionTimestamp"]
    assert "foregroundDeletion" in rs["metadata"]["finalizers"]
    # The other pods go; the held one is being deleted; the RS is still there.
    eventually(lambda: [p["metadata"]["name"] for p in pods_with_label(kc, namespace)] == [held],
               what="only the held pod left")
    pod = get_json(kc, "pod", held, "-n", namespace)
    assert pod["metadata"]["deletionTimestamp"]
    rs = get_json(kc, "rs", "web", "-n", namespace)
    assert rs is not None and "foregroundDeletion" in rs["metadata"]["finalizers"]
    kc("patch", "pod", held, "-n", namespace, "--type=json",
       "-p", '[{"op":"remove","path":"/metadata/finalizers"}]')
    eventually(lambda: get_json(kc, "rs", "web", "-n", namespace) is None,
               what="the rs to go once its pods are gone")


def owned_config_map(name, owner_api_version, owner_kind, owner_name, owner_uid):
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": name, "ownerReferences": [{"apiVersion": owner_api_version, "kind": owner_kind,
                                           "name": owner_name, "uid": owner_uid}]}})


def test_a_config_map_owned_by_a_config_map_goes_with_it(kubectl, namespace, manager):
    kubectl("create", "configmap", "owner", "-n", namespace)
    uid = get_json(kubectl, "configmap", "owner", "-n", namespace)["metadata"]["uid"]
    kubectl("create", "-n", namespace, "-f", "-",
            input=owned_config_map("child", "v1", "ConfigMap", "owner", uid))
    kubectl("create", "configmap", "bystander", "-n", namespace)
    kubectl("delete", "configmap", "owner", "-n", namespace)
    eventually(lambda: get_json(kubectl, "configmap", "child", "-n", namespace) is None,
               what="the dependent configmap to be collected")
    assert get_json(kubectl, "configmap", "bystander", "-n", namespace) is not None


def test_a_dependent_of_an_owner_that_never_existed_is_deleted(kubectl, namespace, manager):
    kubectl("create", "-n", namespace, "-f", "-", input=owned_config_map(
        "stray", "v1", "ConfigMap", "nobody", "6d9a1f1e-0000-4000-8000-000000000001"))
    eventually(lambda: get_json(kubectl, "configmap", "stray", "-n", namespace) is None,
               what="the dangling dependent to be collected")


def test_an_owner_in_another_namespace_does_not_count(kubectl, api, namespace, manager):
    # Owner references name objects of the dependent's own namespace (or
    # cluster-scoped ones): a configmap of another namespace is no owner.
    other = namespace + "-b"
    assert api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                           "metadata": {"name": other}}).status == 201
    kubectl("create", "configmap", "owner", "-n", other)
    uid = get_json(kubectl, "configmap", "owner", "-n", other)["metadata"]["uid"]
    kubectl("create", "-n", namespace, "-f", "-",
            input=owned_config_map("misplaced", "v1", "ConfigMap", "owner", uid))
    eventually(lambda: get_json(kubectl, "configmap", "misplaced", "-n", namespace) is None,
               what="the dependent with an owner in another namespace to be collected")
    assert get_json(kubectl, "configmap", "owner", "-n", other) is not None


def test_a_cluster_scoped_owner_owns_across_namespaces(kubectl, namespace, manager):
    role = namespace + "-owner"
    kubectl("create", "clusterrole", role, "--verb=get", "--resource=pods")
    uid = get_json(kubectl, "clusterrole", role)["metadata"]["uid"]
    kubectl("create", "-n", namespace, "-f", "-", input=owned_config_map(
        "owned", "rbac.authorization.k8s.io/v1", "ClusterRole", role, uid))
    # A valid owner keeps its dependent (given time to be wrongly collected).
    with pytest.raises(AssertionError):
        eventually(lambda: get_json(kubectl, "configmap", "owned", "-n", namespace) is None,
                   timeout=2.0)
    kubectl("delete", "clusterrole", role)
    eventually(lambda: get_json(kubectl, "configmap", "owned", "-n", namespace) is None,
               what="the dependent of the cluster-scoped owner to be collected")


def test_v1_replication_controllers_orphan_by_default(kubectl, api, namespace, manager):
    kubectl("create", "-n", namespace, "-f", "-", input="""
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  replicas: 2
  selector: {app: rc}
  template:
    metadata: {labels: {app: rc}}
    spec: {containers: [{name: c, image: nginx}]}
""")
    eventually(lambda: len(pods_with_label(kubectl, namespace, "app=rc")) == 2, what="2 pods")
    # A DELETE without options: upstream's v1 default for RCs is orphan.
    r = api.delete(f"/api/v1/namespaces/{namespace}/replicationcontrollers/rc")
    assert r.status == 200, r
    eventually(lambda: get_json(kubectl, "rc", "rc", "-n", namespace) is None, what="rc to go")
    pods = pods_with_label(kubectl, namespace, "app=rc")
    assert len(pods) == 2
    assert all(not p["metadata"].get("ownerReferences") for p in pods)
