"""The node lifecycle, taint eviction and pod GC controllers with simulated
nodes and short timings: a node whose heartbeats stop becomes Unknown and
tainted, its pods are evicted after their tolerationSeconds and the ReplicaSet
replaces them, and all is undone when the heartbeats resume. Pods are bound by
setting spec.nodeName (the scheduler is not part of these tests): the
ReplicaSet adopts pods created on the node that will fail, and its template
binds replacements to a healthy node."""

import json
import subprocess

import pytest

from conftest import server_without  # noqa: E402

from sim_harness import condition, eventually, start_controller_manager, start_sim

PREFIX = "lc-"
TOLERATE_2S = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                "tolerationSeconds": 2},
               {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                "tolerationSeconds": 2}]
TOLERATE_FOREVER = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    """These tests run their own controller-manager (short timings) and sim nodes; pods are placed by their templates."""
    yield from server_without(kcpp_binary, kubectl_binary, "controller-manager", "scheduler")


@pytest.fixture(scope="module")
def cluster(kcpp_binary, server):
    sim = start_sim(kcpp_binary, server.kubeconfig_path, "--nodes", 3, "--name-prefix", PREFIX,
                    "--node-lease-renew-interval", "1s", "--node-status-update-frequency", "1s",
                    "--pod-start-delay", "200ms", "--max-pod-grace-period", "1s")
    cm = start_controller_manager(kcpp_binary, server.kubeconfig_path,
                                  "--controllers", "replicaset,nodelifecycle,taint-eviction-controller,podgc,serviceaccount",
                                  "--node-monitor-period", "1s", "--node-monitor-grace-period", "4s",
                                  "--pod-gc-period", "1s", "--pod-gc-quarantine-period", "2s",
                                  "--terminated-pod-gc-threshold", 3)
    yield sim, cm
    rc_cm, rc_sim = cm.stop(), sim.stop()
    logs = cm.text() + sim.text()
    cm.close()
    sim.close()
    assert rc_cm == 0 and rc_sim == 0, logs


def node(api, name):
    r = api.get(f"/api/v1/nodes/{name}")
    return r.json() if r.status == 200 else {}


def ready_status(api, name):
    return (condition(node(api, name), "Ready") or {}).get("status")


def pods(api, namespace, selector=None):
    path = f"/api/v1/namespaces/{namespace}/pods" + (f"?labelSelector={selector}" if selector else "")
    return api.get(path).json()["items"]


def taint_keys(api, name):
    return {(t["key"], t["effect"]) for t in node(api, name).get("spec", {}).get("taints", [])}


def all_ready(api):
    return all(ready_status(api, f"{PREFIX}{i}") == "True" for i in range(3))


def create_pod(api, namespace, name, node_name, labels=None, tolerations=None):
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {"nodeName": node_name, "containers": [{"name": "c", "image": "nginx"}],
                     "tolerations": tolerations or []}}
    r = api.post(f"/api/v1/namespaces/{namespace}/pods", body)
    assert r.status == 201, r


def set_heartbeat(kubectl, name, stopped):
    if stopped:
        kubectl("annotate", "node", name, "sim.kcpp.io/heartbeat=stopped", "--overwrite")
    else:
        kubectl("annotate", "node", name, "sim.kcpp.io/heartbeat-")


def test_unreachable_node_is_tainted_and_its_pods_replaced(api, kubectl, namespace, cluster):
    eventually(lambda: all_ready(api), what="3 Ready nodes")
    # Two pods on lc-0 that the ReplicaSet adopts; a third that tolerates forever.
    for i in range(2):
        create_pod(api, namespace, f"web-{i}", f"{PREFIX}0", {"app": "web"}, TOLERATE_2S)
    create_pod(api, namespace, "stays", f"{PREFIX}0", {"app": "other"}, TOLERATE_FOREVER)
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
          "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                   "template": {"metadata": {"labels": {"app": "web"}},
                                "spec": {"nodeName": f"{PREFIX}1", "tolerations": TOLERATE_2S,
                                         "containers": [{"name": "c", "image": "nginx"}]}}}}
    assert api.post(f"/apis/apps/v1/namespaces/{namespace}/replicasets", rs).status == 201
    eventually(lambda: (lambda ps: len(ps) == 2 and all(
        p["metadata"].get("ownerReferences") and p["status"].get("phase") == "Running" for p in ps))(
        pods(api, namespace, "app%3Dweb")), what="2 adopted Running pods on lc-0")

    set_heartbeat(kubectl, f"{PREFIX}0", True)
    eventually(lambda: ready_status(api, f"{PREFIX}0") == "Unknown", timeout=15, what="Ready Unknown")
    ready = condition(node(api, f"{PREFIX}0"), "Ready")
    assert ready["reason"] == "NodeStatusUnknown"
    assert ready["message"] == "Kubelet stopped posting node status."
    for kind in ("MemoryPressure", "DiskPressure", "PIDPressure"):
        assert condition(node(api, f"{PREFIX}0"), kind)["status"] == "Unknown"
    eventually(lambda: {("node.kubernetes.io/unreachable", "NoExecute"),
                        ("node.kubernetes.io/unreachable", "NoSchedule")} <= taint_keys(api, f"{PREFIX}0"),
               what="unreachable taints")
    # kubectl shows it NotReady.
    assert "NotReady" in kubectl("get", "node", f"{PREFIX}0").stdout

    # Evicted after 2 s of toleration: the ReplicaSet replaces them on lc-1, where they run.
    eventually(lambda: all(p["metadata"].get("deletionTimestamp") or p["spec"]["nodeName"] != f"{PREFIX}0"
                           for p in pods(api, namespace, "app%3Dweb")), timeout=15, what="evictions")
    replacements = eventually(lambda: (lambda ps: ps if len(ps) == 2 and all(
        (condition(p, "Ready") or {}).get("status") == "True" for p in ps) else None)(
        [p for p in pods(api, namespace, "app%3Dweb") if p["spec"]["nodeName"] == f"{PREFIX}1"]),
        timeout=15, what="2 Ready replacements on lc-1")
    assert all(p["status"]["podIP"].startswith("10.128.1.") for p in replacements)
    stays = api.get(f"/api/v1/namespaces/{namespace}/pods/stays").json()
    assert "deletionTimestamp" not in stays["metadata"]
    assert condition(stays, "Ready")["status"] == "False"  # marked NotReady by the controller
    events = json.loads(kubectl("get", "events", "-n", namespace, "-o", "json").stdout)["items"]
    messages = {(e["reason"], e["message"]) for e in events}
    assert ("TaintManagerEviction", f"Marking for deletion Pod {namespace}/web-0") in messages
    assert ("NodeNotReady", "Node is not ready") in messages
    evicted = [p for p in pods(api, namespace, "app%3Dweb") if p["spec"]["nodeName"] == f"{PREFIX}0"]
    for p in evicted:
        target = condition(p, "DisruptionTarget")
        assert target["status"] == "True" and target["reason"] == "DeletionByTaintManager"

    # Heartbeats resume: Ready again, taints gone, the evicted pods finally removed.
    set_heartbeat(kubectl, f"{PREFIX}0", False)
    eventually(lambda: ready_status(api, f"{PREFIX}0") == "True", timeout=15, what="Ready again")
    eventually(lambda: not {k for k, _ in taint_keys(api, f"{PREFIX}0")} & {
        "node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"}, timeout=10, what="taints removed")
    eventually(lambda: all(p["spec"]["nodeName"] == f"{PREFIX}1" for p in pods(api, namespace, "app%3Dweb")),
               timeout=10, what="evicted pods removed by the resumed node")
    eventually(lambda: condition(api.get(f"/api/v1/namespaces/{namespace}/pods/stays").json(),
                                 "Ready")["status"] == "True", timeout=10, what="the surviving pod Ready again")


def test_bad_duration_flags_are_rejected(kcpp_binary, server):
    p = subprocess.run([kcpp_binary, "controller-manager", "--kubeconfig", server.kubeconfig_path,
                        "--node-monitor-grace-period", "soon"], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert 'invalid duration "soon"' in p.stdout + p.stderr


def test_cordon_mirrors_an_unschedulable_taint(api, kubectl, cluster):
    eventually(lambda: all_ready(api), what="3 Ready nodes")
    kubectl("cordon", f"{PREFIX}2")
    try:
        eventually(lambda: ("node.kubernetes.io/unschedulable", "NoSchedule") in taint_keys(api, f"{PREFIX}2"),
                   what="unschedulable taint")
    finally:
        kubectl("uncordon", f"{PREFIX}2")
    eventually(lambda: ("node.kubernetes.io/unschedulable", "NoSchedule") not in taint_keys(api, f"{PREFIX}2"),
               what="unschedulable taint removed")


def test_pod_gc_deletes_pods_of_missing_nodes(api, namespace, cluster):
    create_pod(api, namespace, "orphan", "no-such-node")
    eventually(lambda: api.get(f"/api/v1/namespaces/{namespace}/pods/orphan").status == 404, timeout=15,
               what="orphan deleted by pod GC")


def test_pod_gc_keeps_at_most_the_threshold_of_terminated_pods(api, namespace, cluster):
    eventually(lambda: all_ready(api), what="3 Ready nodes")
    for i in range(5):
        body = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": f"done-{i}", "annotations": {"sim.kcpp.io/run-duration": "500ms"}},
                "spec": {"nodeName": f"{PREFIX}2", "restartPolicy": "Never",
                         "containers": [{"name": "c", "image": "busybox"}]}}
        assert api.post(f"/api/v1/namespaces/{namespace}/pods", body).status == 201

    def terminated_everywhere():
        items = api.get("/api/v1/pods").json()["items"]
        return [p for p in items if p["status"].get("phase") in ("Succeeded", "Failed")]
    eventually(lambda: len(terminated_everywhere()) == 3 and len(pods(api, namespace)) == 3, timeout=20,
               what="3 terminated pods left (threshold 3)")


def test_pods_of_a_deleted_node_are_garbage_collected(api, kubectl, namespace, cluster):
    # Last in this file: it deletes lc-2 for good (a kubelet does not register again).
    eventually(lambda: all_ready(api), what="3 Ready nodes")
    create_pod(api, namespace, "on-doomed", f"{PREFIX}2")
    eventually(lambda: (api.get(f"/api/v1/namespaces/{namespace}/pods/on-doomed").json()
                        .get("status", {}).get("phase")) == "Running", what="Running on lc-2")
    kubectl("delete", "node", f"{PREFIX}2")
    eventually(lambda: api.get(f"/api/v1/namespaces/{namespace}/pods/on-doomed").status == 404, timeout=15,
               what="the pod of the deleted node removed by pod GC")
    assert api.get(f"/api/v1/nodes/{PREFIX}2").status == 404  # not registered again
