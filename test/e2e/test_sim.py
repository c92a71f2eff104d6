"""`kcpp sim`: simulated nodes register, stay Ready through leases, and play the
kubelet's part for pods bound to them (set spec.nodeName directly: the scheduler
is not part of these tests)."""

import json
import subprocess
import time

import pytest

from sim_harness import condition, eventually, start_sim

PREFIX = "simt-"
SIM_FLAGS = ["--nodes", 3, "--name-prefix", PREFIX, "--node-lease-renew-interval", "1s",
             "--pod-start-delay", "1500ms", "--max-pod-grace-period", "1s", "--stats-interval", "1s",
             "--labels", "tier=sim,zone=a"]


@pytest.fixture(scope="module")
def sim(kcpp_binary, server):
    p = start_sim(kcpp_binary, server.kubeconfig_path, *SIM_FLAGS)
    yield p
    rc = p.stop()
    text = p.text()
    p.close()
    assert rc == 0, text


def sim_nodes(api):
    items = api.get("/api/v1/nodes").json()["items"]
    return sorted((n for n in items if n["metadata"]["name"].startswith(PREFIX)),
                  key=lambda n: n["metadata"]["name"])


def ready_nodes(api):
    nodes = sim_nodes(api)
    return nodes if len(nodes) == 3 and all(
        (condition(n, "Ready") or {}).get("status") == "True" for n in nodes) else None


def pod_manifest(name, node, annotations=None, restart="Always", probe_delay=None):
    container = {"name": "c", "image": "nginx:1.27"}
    if probe_delay is not None:
        container["readinessProbe"] = {"httpGet": {"path": "/", "port": 80},
                                       "initialDelaySeconds": probe_delay}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "annotations": annotations or {}},
            "spec": {"nodeName": node, "restartPolicy": restart, "containers": [container]}}


def get_pod(api, namespace, name):
    r = api.get(f"/api/v1/namespaces/{namespace}/pods/{name}")
    return r.json() if r.status == 200 else None


def test_nodes_register_ready_with_capacity(api, kubectl, sim):
    nodes = eventually(lambda: ready_nodes(api), what="3 Ready sim nodes")
    for i, node in enumerate(nodes):
        name = f"{PREFIX}{i}"
        assert node["metadata"]["name"] == name
        labels = node["metadata"]["labels"]
        assert labels["kubernetes.io/hostname"] == name
        assert labels["kubernetes.io/os"] == "linux" and labels["kubernetes.io/arch"] == "amd64"
        assert labels["tier"] == "sim" and labels["zone"] == "a"
        status = node["status"]
        for field in ("capacity", "allocatable"):
            assert status[field]["cpu"] == "32"
            assert status[field]["memory"] == "256Gi"
            assert status[field]["pods"] == "110"
            assert "ephemeral-storage" in status[field]
        types = {c["type"]: c for c in status["conditions"]}
        assert types["Ready"]["reason"] == "KubeletReady"
        for t in ("MemoryPressure", "DiskPressure", "PIDPressure"):
            assert types[t]["status"] == "False"
        addresses = {a["type"]: a["address"] for a in status["addresses"]}
        assert addresses["Hostname"] == name and addresses["InternalIP"] == f"10.1.0.{i + 1}"
        assert status["nodeInfo"]["operatingSystem"] == "linux"
        assert status["nodeInfo"]["kubeletVersion"]
    table = kubectl("get", "nodes", "-l", "tier=sim").stdout.splitlines()
    assert table[0].split()[:2] == ["NAME", "STATUS"]
    assert [line.split()[1] for line in table[1:]] == ["Ready"] * 3


def test_leases_are_renewed(api, sim):
    eventually(lambda: ready_nodes(api), what="Ready sim nodes")
    path = f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{PREFIX}0"
    first = eventually(lambda: (lambda r: r.json() if r.status == 200 else None)(api.get(path)),
                       what="the node lease")
    spec = first["spec"]
    assert spec["holderIdentity"] == f"{PREFIX}0" and spec["leaseDurationSeconds"] == 40
    owner = first["metadata"]["ownerReferences"][0]
    assert owner["kind"] == "Node" and owner["name"] == f"{PREFIX}0"
    renewed = eventually(lambda: (lambda s: s if s["renewTime"] != spec["renewTime"] else None)(
        api.get(path).json()["spec"]), timeout=5, what="a lease renewal")
    assert renewed["renewTime"] > spec["renewTime"]


def test_pod_goes_pending_then_running_and_ready(api, namespace, sim):
    eventually(lambda: ready_nodes(api), what="Ready sim nodes")
    r = api.post(f"/api/v1/namespaces/{namespace}/pods", pod_manifest("web", f"{PREFIX}1"))
    assert r.status == 201, r
    seen_creating = eventually(lambda: (lambda p: p if p and p["status"].get("containerStatuses") else None)(
        get_pod(api, namespace, "web")), what="a first pod status", interval=0.05)
    if seen_creating["status"]["phase"] == "Pending":
        waiting = seen_creating["status"]["containerStatuses"][0]["state"]["waiting"]
        assert waiting["reason"] == "ContainerCreating"
        assert condition(seen_creating, "Ready")["status"] == "False"
        assert condition(seen_creating, "PodReadyToStartContainers")["status"] == "False"
    pod = eventually(lambda: (lambda p: p if p and p["status"]["phase"] == "Running" else None)(
        get_pod(api, namespace, "web")), what="Running")
    st = pod["status"]
    assert st["hostIP"] == "10.1.0.2"
    assert st["podIP"].startswith("10.128.1.") and st["podIPs"] == [{"ip": st["podIP"]}]
    assert st["startTime"] and st["qosClass"] == "BestEffort"
    for kind in ("Ready", "ContainersReady", "Initialized", "PodScheduled", "PodReadyToStartContainers"):
        assert condition(pod, kind)["status"] == "True", kind
    cs = st["containerStatuses"][0]
    assert cs["ready"] and cs["started"] and cs["restartCount"] == 0
    assert cs["containerID"].startswith("containerd://") and len(cs["containerID"]) == 13 + 64
    assert cs["imageID"].startswith("docker.io/library/nginx@sha256:")
    assert "startedAt" in cs["state"]["running"]


def test_readiness_probe_delays_ready(api, namespace, sim):
    eventually(lambda: ready_nodes(api), what="Ready sim nodes")
    api.post(f"/api/v1/namespaces/{namespace}/pods", pod_manifest("slow", f"{PREFIX}2", probe_delay=3))
    running = eventually(lambda: (lambda p: p if p and p["status"]["phase"] == "Running" else None)(
        get_pod(api, namespace, "slow")), what="Running")
    started = time.monotonic()
    assert condition(running, "Ready")["status"] == "False"
    assert condition(running, "Ready")["reason"] == "ContainersNotReady"
    assert running["status"]["containerStatuses"][0]["ready"] is False
    eventually(lambda: condition(get_pod(api, namespace, "slow"), "Ready")["status"] == "True",
               what="Ready after the probe's initial delay")
    assert time.monotonic() - started >= 1.5


def test_scripted_pods_succeed_or_fail(api, namespace, sim):
    eventually(lambda: ready_nodes(api), what="Ready sim nodes")
    api.post(f"/api/v1/namespaces/{namespace}/pods",
             pod_manifest("job-ok", f"{PREFIX}0", {"sim.kcpp.io/run-duration": "1s"}, restart="Never"))
    api.post(f"/api/v1/namespaces/{namespace}/pods",
             pod_manifest("job-bad", f"{PREFIX}0",
                          {"sim.kcpp.io/run-duration": "1s", "sim.kcpp.io/exit-code": "3"}, restart="Never"))
    ok = eventually(lambda: (lambda p: p if p["status"]["phase"] == "Succeeded" else None)(
        get_pod(api, namespace, "job-ok")), what="Succeeded")
    term = ok["status"]["containerStatuses"][0]["state"]["terminated"]
    assert term["exitCode"] == 0 and term["reason"] == "Completed"
    assert condition(ok, "Ready")["reason"] == "PodCompleted"
    bad = eventually(lambda: (lambda p: p if p["status"]["phase"] == "Failed" else None)(
        get_pod(api, namespace, "job-bad")), what="Failed")
    term = bad["status"]["containerStatuses"][0]["state"]["terminated"]
    assert term["exitCode"] == 3 and term["reason"] == "Error"


def test_deleted_pod_is_removed_after_grace(api, kubectl, namespace, sim):
    eventually(lambda: ready_nodes(api), what="Ready sim nodes")
    api.post(f"/api/v1/namespaces/{namespace}/pods", pod_manifest("gone", f"{PREFIX}0"))
    eventually(lambda: (lambda p: p and p["status"]["phase"] == "Running")(get_pod(api, namespace, "gone")),
               what="Running")
    started = time.monotonic()
    kubectl("delete", "pod", "gone", "-n", namespace, timeout=30)  # waits until the pod is gone
    assert get_pod(api, namespace, "gone") is None
    assert time.monotonic() - started < 15  # grace 30 s, capped at 1 s by --max-pod-grace-period


def test_restart_updates_nodes_instead_of_duplicating(api, kcpp_binary, server, sim):
    before = eventually(lambda: ready_nodes(api), what="Ready sim nodes")
    uids = [n["metadata"]["uid"] for n in before]
    again = start_sim(kcpp_binary, server.kubeconfig_path, *SIM_FLAGS)
    try:
        eventually(lambda: "all 3 nodes registered" in again.text(), what="second sim registered")
        after = sim_nodes(api)
        assert [n["metadata"]["uid"] for n in after] == uids
    finally:
        assert again.stop() == 0
        again.close()


@pytest.mark.parametrize("flags,message", [
    (["--taints", "nokey"], "invalid taint"),
    (["--labels", "novalue"], "invalid label"),
    (["--node-lease-renew-interval", "soon"], "invalid duration"),
])
def test_bad_flags_are_rejected(kcpp_binary, server, flags, message):
    p = subprocess.run([kcpp_binary, "sim", "--kubeconfig", server.kubeconfig_path, *flags],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1
    assert message in p.stdout + p.stderr
