"""The DaemonSet controller in `kcpp controller-manager`, with the real kubectl.
The test is the stand-in scheduler and kubelet (standin_node.py): it creates the
Node objects, binds each pending pod to the node its node-affinity term names,
and reports pods Running and Ready."""

import json
import os
import sys
import time

import pytest

from conftest import server_without  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from standin_node import ControllerManager, StandIn, affinity_node, eventually, make_node  # noqa: E402


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    """These tests run their own controller-manager and play scheduler and kubelet."""
    yield from server_without(kcpp_binary, kubectl_binary, "controller-manager", "scheduler")


@pytest.fixture
def cm(kcpp_binary, server):
    m = ControllerManager(kcpp_binary, server.kubeconfig_path, ["--controllers", "daemonset,serviceaccount"])
    yield m
    m.close()


@pytest.fixture(scope="module")
def nodes(api):
    made = []

    def add(name, **kw):
        made.append(name)
        return make_node(api, name, **kw)
    yield add
    for name in made:
        api.delete(f"/api/v1/nodes/{name}")


def ds_manifest(name, image="nginx:1", extra_spec=None, pod_spec=None):
    spec = {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "c", "image": image}], **(pod_spec or {})}}}
    spec.update(extra_spec or {})
    return json.dumps({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
                       "spec": spec})


def daemon_pods(standin, ds):
    return [p for p in standin.pods()
            if any(r.get("controller") and r["kind"] == "DaemonSet" and r["name"] == ds
                   for r in p["metadata"].get("ownerReferences", []))
            and not p["metadata"].get("deletionTimestamp")]


def pod_nodes(standin, ds):
    return sorted(affinity_node(p) for p in daemon_pods(standin, ds))


def ds_status(kubectl, ns, name):
    return json.loads(kubectl("get", "ds", name, "-n", ns, "-o", "json").stdout).get("status", {})


def test_one_pod_per_eligible_node(kubectl, api, namespace, nodes, cm):
    suffix = namespace[-8:]
    a, b, tainted = f"a-{suffix}", f"b-{suffix}", f"t-{suffix}"
    nodes(a, labels={"disk": "ssd"})
    nodes(b)
    nodes(tainted, taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}])
    mine = {a, b, tainted}
    standin = StandIn(api, namespace)
    kubectl("apply", "-n", namespace, "-f", "-", input=ds_manifest("agent"))

    def placed():
        return [n for n in pod_nodes(standin, "agent") if n in mine]
    # Other tests' nodes may exist in this module's server; count only ours.
    eventually(lambda: placed() == sorted([a, b]), what="a pod on each untainted node", step=standin.step)
    pod = [p for p in daemon_pods(standin, "agent") if affinity_node(p) == a][0]
    assert pod["metadata"]["generateName"] == "agent-"
    assert pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] == {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [a]}]}]}
    tolerations = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
    assert ("node.kubernetes.io/not-ready", "NoExecute") in tolerations
    assert ("node.kubernetes.io/unschedulable", "NoSchedule") in tolerations
    labels = pod["metadata"]["labels"]
    assert labels["pod-template-generation"] == "1" and labels["controller-revision-hash"]

    # The stand-in scheduler bound each pod to the node its term names (when
    # the server has pods/binding).
    if standin.binding_supported:
        standin.step()
        assert all(p["spec"].get("nodeName") == affinity_node(p) for p in daemon_pods(standin, "agent"))

    # Ready pods make the DaemonSet rolled out.
    standin.settle()
    out = kubectl("rollout", "status", "ds/agent", "-n", namespace, "--timeout=30s").stdout
    assert 'daemon set "agent" successfully rolled out' in out
    status = ds_status(kubectl, namespace, "agent")
    desired = status["desiredNumberScheduled"]
    assert desired >= 2 and status["currentNumberScheduled"] == desired
    assert status["numberReady"] == desired and status["numberAvailable"] == desired
    assert status["updatedNumberScheduled"] == desired and status["numberMisscheduled"] == 0
    assert status["observedGeneration"] == 1

    # A new node gets a pod.
    c = f"c-{suffix}"
    nodes(c)
    mine.add(c)
    eventually(lambda: placed() == sorted([a, b, c]), what="a pod on the new node", step=standin.step)
    # A deleted node loses it (its pod was never bound here, so it is the
    # controller's to remove; bound ones are the pod garbage collector's).
    if not standin.binding_supported:
        api.delete(f"/api/v1/nodes/{c}")
        eventually(lambda: placed() == sorted([a, b]), what="the pod of the deleted node gone",
                   step=standin.step)

    # A DaemonSet tolerating the taint also runs there; a nodeSelector limits one.
    kubectl("apply", "-n", namespace, "-f", "-", input=ds_manifest(
        "tolerant", pod_spec={"tolerations": [{"key": "dedicated", "operator": "Exists"}]}))
    eventually(lambda: tainted in pod_nodes(standin, "tolerant"), what="a pod on the tainted node",
               step=standin.step)
    kubectl("apply", "-n", namespace, "-f", "-", input=ds_manifest(
        "ssd", pod_spec={"nodeSelector": {"disk": "ssd"}}))
    eventually(lambda: pod_nodes(standin, "ssd") == [a], what="a pod on the ssd node only",
               step=standin.step)
    # Labels follow: a newly labelled node gains a pod, an unlabelled one loses it.
    kubectl("label", "node", b, "disk=ssd")
    eventually(lambda: pod_nodes(standin, "ssd") == sorted([a, b]), what="a pod on the relabelled node",
               step=standin.step)
    kubectl("label", "node", a, "disk-")
    eventually(lambda: pod_nodes(standin, "ssd") == [b], what="the pod of the unlabelled node gone",
               step=standin.step)

    events = kubectl("get", "events", "-n", namespace, "--field-selector",
                     "involvedObject.kind=DaemonSet").stdout
    assert "SuccessfulCreate" in events and "Created pod: agent-" in events
    assert "SuccessfulDelete" in events and "Deleted pod: ssd-" in events


def test_rolling_update_history_and_undo(kubectl, api, namespace, nodes, cm):
    suffix = namespace[-8:]
    names = [f"r{i}-{suffix}" for i in range(4)]
    for n in names:
        nodes(n, labels={"roll": suffix})
    standin = StandIn(api, namespace)
    selector = {"nodeSelector": {"roll": suffix}}
    kubectl("apply", "-n", namespace, "-f", "-", input=ds_manifest("roll", "nginx:1", pod_spec=selector))
    eventually(lambda: pod_nodes(standin, "roll") == sorted(names), what="4 pods", step=standin.step)
    standin.settle(count=4)
    kubectl("rollout", "status", "ds/roll", "-n", namespace, "--timeout=30s")
    old_hash = daemon_pods(standin, "roll")[0]["metadata"]["labels"]["controller-revision-hash"]

    # The stand-in kubelet holds new pods not ready at first: with
    # maxUnavailable 1 (the default) only one old pod may be replaced.
    def image(p):
        return p["spec"]["containers"][0]["image"]
    standin.hold_if = lambda p: image(p) == "nginx:2"
    kubectl("apply", "-n", namespace, "-f", "-", input=ds_manifest("roll", "nginx:2", pod_spec=selector))
    eventually(lambda: [image(p) for p in daemon_pods(standin, "roll")].count("nginx:2") == 1,
               what="one new pod", step=standin.step)
    time.sleep(1.0)
    standin.step()
    assert sorted(image(p) for p in daemon_pods(standin, "roll")) == ["nginx:1"] * 3 + ["nginx:2"]
    status = ds_status(kubectl, namespace, "roll")
    assert status["numberUnavailable"] == 1 and status["updatedNumberScheduled"] == 1
    standin.hold_if = None
    eventually(lambda: sorted(image(p) for p in daemon_pods(standin, "roll")) == ["nginx:2"] * 4,
               timeout=40, what="every pod at nginx:2", step=standin.step)
    standin.settle(count=4)
    out = kubectl("rollout", "status", "ds/roll", "-n", namespace, "--timeout=30s").stdout
    assert 'daemon set "roll" successfully rolled out' in out
    new_labels = daemon_pods(standin, "roll")[0]["metadata"]["labels"]
    assert new_labels["controller-revision-hash"] != old_hash
    assert new_labels["pod-template-generation"] == "2"

    revisions = json.loads(kubectl("get", "controllerrevisions", "-n", namespace, "-l", "app=roll",
                                   "-o", "json").stdout)["items"]
    assert sorted(r["revision"] for r in revisions) == [1, 2]
    assert {r["metadata"]["name"] for r in revisions} == {
        f"roll-{old_hash}", f"roll-{new_labels['controller-revision-hash']}"}
    history = kubectl("rollout", "history", "ds/roll", "-n", namespace).stdout
    assert "REVISION" in history and "1 " in history and "2 " in history

    kubectl("rollout", "undo", "ds/roll", "-n", namespace)
    eventually(lambda: sorted(p["spec"]["containers"][0]["image"] for p in daemon_pods(standin, "roll"))
               == ["nginx:1"] * 4, timeout=40, what="rolled back to nginx:1", step=standin.step)
    eventually(lambda: all(p["metadata"]["labels"]["controller-revision-hash"] == old_hash
                           for p in daemon_pods(standin, "roll")), what="the old hash back",
               step=standin.step)
    revisions = json.loads(kubectl("get", "controllerrevisions", "-n", namespace, "-l", "app=roll",
                                   "-o", "json").stdout)["items"]
    assert {r["metadata"]["name"]: r["revision"] for r in revisions}[f"roll-{old_hash}"] == 3


def test_on_delete_waits_for_the_user(kubectl, api, namespace, nodes, cm):
    suffix = namespace[-8:]
    node = f"od-{suffix}"
    nodes(node, labels={"od": suffix})
    standin = StandIn(api, namespace)
    spec = {"updateStrategy": {"type": "OnDelete"}}
    selector = {"nodeSelector": {"od": suffix}}
    kubectl("apply", "-n", namespace, "-f", "-", input=ds_manifest("od", "nginx:1", spec, selector))
    first = eventually(lambda: daemon_pods(standin, "od"), what="a pod", step=standin.step)[0]
    kubectl("apply", "-n", namespace, "-f", "-", input=ds_manifest("od", "nginx:2", spec, selector))
    eventually(lambda: ds_status(kubectl, namespace, "od").get("observedGeneration") == 2,
               what="generation 2 observed", step=standin.step)
    pods = daemon_pods(standin, "od")
    assert [p["metadata"]["name"] for p in pods] == [first["metadata"]["name"]]
    assert ds_status(kubectl, namespace, "od").get("updatedNumberScheduled", 0) == 0
    kubectl("delete", "pod", first["metadata"]["name"], "-n", namespace, "--wait=false")
    eventually(lambda: [p["spec"]["containers"][0]["image"] for p in daemon_pods(standin, "od")]
               == ["nginx:2"], what="the replacement at nginx:2", step=standin.step)


def test_bad_daemonsets_are_refused(kubectl, namespace):
    p = kubectl("apply", "-n", namespace, "-f", "-", check=False, input=json.dumps({
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "bad"},
        "spec": {"selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "other"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}))
    assert p.returncode != 0
    assert "`selector` does not match template `labels`" in p.stderr
    p = kubectl("apply", "-n", namespace, "-f", "-", check=False, input=ds_manifest(
        "bad2", extra_spec={"updateStrategy": {"type": "RollingUpdate",
                                               "rollingUpdate": {"maxUnavailable": 0}}}))
    assert p.returncode != 0
    assert "cannot be 0 when maxSurge is 0" in p.stderr
