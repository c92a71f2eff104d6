"""The namespace controller of `kcpp controller-manager` against a server whose
embedded controller-manager is turned off (--disable-controller-manager), so
only the controller empties and finalizes Terminating namespaces: content of
every kind goes, the namespace shows upstream's deletion conditions, and an
object held by a finalizer keeps it Terminating (NamespaceFinalizersRemaining)
until the finalizer is removed."""

import json

import pytest

from conftest import start_server
from gc_helpers import ControllerManager, eventually, get_json

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
"""

REPLICA_SET = """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec: {containers: [{name: c, image: nginx}]}
"""


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--disable-controller-manager"])
    yield handle
    finish()


@pytest.fixture(scope="module")
def manager(kcpp_binary, server):
    m = ControllerManager(kcpp_binary, server.kubeconfig_path,
                          ["--controllers", "replicaset,garbagecollector,namespace,serviceaccount"])
    yield m
    rc = m.stop()
    text = m.text()
    m.close()
    assert rc == 0, text


def conditions(ns):
    return {c["type"]: c for c in ns.get("status", {}).get("conditions", [])}


def test_without_the_controller_a_namespace_stays_terminating(kubectl, namespace):
    # The server alone no longer empties namespaces: the controller is needed.
    kubectl("create", "configmap", "a", "-n", namespace)
    kubectl("delete", "namespace", namespace, "--wait=false")
    ns = get_json(kubectl, "namespace", namespace)
    assert ns["status"]["phase"] == "Terminating"
    assert ns["spec"]["finalizers"] == ["kubernetes"]


def test_a_namespace_is_emptied_and_removed(kubectl, namespace, manager):
    kubectl("create", "configmap", "cm", "-n", namespace, "--from-literal=a=b")
    kubectl("create", "secret", "generic", "s", "-n", namespace, "--from-literal=a=b")
    kubectl("run", "lonely", "--image=nginx", "-n", namespace)
    kubectl("apply", "-n", namespace, "-f", "-", input=DEPLOYMENT)
    kubectl("apply", "-n", namespace, "-f", "-", input=REPLICA_SET)
    eventually(lambda: len(json.loads(kubectl("get", "pods", "-n", namespace, "-l", "app=rs",
                                              "-o", "json").stdout)["items"]) == 2,
               what="the replicaset's pods")
    kubectl("delete", "namespace", namespace, timeout=60)  # kubectl waits until it is gone
    assert get_json(kubectl, "namespace", namespace) is None
    # The namespace was also emptied of what the server keeps per namespace.
    for kind in ("configmaps", "secrets", "pods", "deployments", "replicasets"):
        items = json.loads(kubectl("get", kind, "-n", namespace, "-o", "json").stdout)["items"]
        assert items == [], kind


def test_a_finalizer_keeps_the_namespace_terminating(kubectl, namespace, manager):
    kubectl("create", "configmap", "held", "-n", namespace)
    kubectl("patch", "configmap", "held", "-n", namespace, "--type=merge",
            "-p", '{"metadata":{"finalizers":["example.com/hold"]}}')
    kubectl("create", "configmap", "free", "-n", namespace)
    kubectl("delete", "namespace", namespace, "--wait=false")

    def remaining():
        ns = get_json(kubectl, "namespace", namespace)
        c = conditions(ns)
        return c if c.get("NamespaceFinalizersRemaining", {}).get("status") == "True" else None
    c = eventually(remaining, what="NamespaceFinalizersRemaining")
    assert c["NamespaceFinalizersRemaining"]["reason"] == "SomeFinalizerRemain"
    assert c["NamespaceFinalizersRemaining"]["message"] == \
        "Some finalizers are remaining: example.com/hold in 1 resource instances"
    assert c["NamespaceContentRemaining"]["reason"] == "SomeResourcesRemain"
    assert c["NamespaceContentRemaining"]["message"] == \
        "Some resources are remaining: configmaps. has 1 resource instances"
    for t, reason, message in [
            ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered",
             "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions",
             "All legacy kube types successfully parsed"),
            ("NamespaceDeletionContentFailure", "ContentDeleted",
             "All content successfully deleted, may be waiting on finalization")]:
        assert (c[t]["status"], c[t]["reason"], c[t]["message"]) == ("False", reason, message), t
    ns = get_json(kubectl, "namespace", namespace)
    assert ns["status"]["phase"] == "Terminating"
    # kubectl shows the phase.
    assert "Terminating" in kubectl("get", "namespace", namespace).stdout
    assert get_json(kubectl, "configmap", "free", "-n", namespace) is None
    held = get_json(kubectl, "configmap", "held", "-n", namespace)
    assert held["metadata"]["deletionTimestamp"]

    kubectl("patch", "configmap", "held", "-n", namespace, "--type=json",
            "-p", '[{"op":"remove","path":"/metadata/finalizers"}]')
    # The controller looks again after half of upstream's 15 s estimate plus 1 s.
    eventually(lambda: get_json(kubectl, "namespace", namespace) is None, timeout=30,
               what="the namespace to go once the finalizer is removed")


def test_creating_in_a_terminating_namespace_is_refused(kubectl, namespace, manager):
    kubectl("create", "configmap", "held", "-n", namespace)
    kubectl("patch", "configmap", "held", "-n", namespace, "--type=merge",
            "-p", '{"metadata":{"finalizers":["example.com/hold"]}}')
    kubectl("delete", "namespace", namespace, "--wait=false")
    p = kubectl("create", "configmap", "late", "-n", namespace, check=False)
    assert p.returncode != 0
    assert "because it is being terminated" in p.stderr
    kubectl("patch", "configmap", "held", "-n", namespace, "--type=json",
            "-p", '[{"op":"remove","path":"/metadata/finalizers"}]')
    eventually(lambda: get_json(kubectl, "namespace", namespace) is None, timeout=30,
               what="the namespace to go")
