"""`kcpp scheduler` as its own process against a real server, driven with the
real kubectl: three Node objects made through the API (no kubelet: nodes are
just objects with allocatable and a Ready condition), plain pods bound and
spread, nodeSelector, taints and tolerations, an unschedulable pod's condition
and FailedScheduling event with upstream's summary text, pods of another
scheduler left alone, leader election on kube-system/kube-scheduler, and a bad
--config."""

import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import server_without, unique

ELECTION = ["--leader-elect-lease-duration", "1.5", "--leader-elect-renew-deadline", "1",
            "--leader-elect-retry-period", "0.2"]
NODES = ["e2e-node-1", "e2e-node-2", "e2e-node-3"]


def eventually(fn, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def make_node(api, name, labels=None):
    resources = {"cpu": "2", "memory": "4Gi", "pods": "110"}
    body = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}}}
    r = api.post("/api/v1/nodes", body)
    assert r.status == 201, r
    status = {"status": {"capacity": resources, "allocatable": resources,
                         "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                         "message": "kubelet is posting ready status"}]}}
    r = api.patch(f"/api/v1/nodes/{name}/status", status)
    assert r.status == 200, r


class SchedulerProcess:
    def __init__(self, binary, kubeconfig, extra=()):
        self.log = tempfile.NamedTemporaryFile(prefix="kcpp-sched-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([binary, "scheduler", "--kubeconfig", kubeconfig, *ELECTION,
                                      "--kube-api-qps", "1000", "--kube-api-burst", "1000", *extra],
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def text(self):
        with open(self.log.name) as f:
            return f.read()

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.unlink(self.log.name)


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    """These tests run their own scheduler."""
    yield from server_without(kcpp_binary, kubectl_binary, "scheduler")


@pytest.fixture(scope="module")
def cluster(kcpp_binary, server, api):
    """Three nodes (e2e-node-2 labelled disk=ssd) and a running scheduler."""
    make_node(api, NODES[0])
    make_node(api, NODES[1], {"disk": "ssd"})
    make_node(api, NODES[2])
    scheduler = SchedulerProcess(kcpp_binary, server.kubeconfig_path)
    yield scheduler
    scheduler.close()


def pod_manifest(name, cpu="100m", **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.9",
                                     "resources": {"requests": {"cpu": cpu, "memory": "16Mi"}}}], **spec}}


def create(kubectl, namespace, manifest):
    kubectl("apply", "-n", namespace, "-f", "-", input=json.dumps(manifest))


def get_pod(kubectl, namespace, name):
    return json.loads(kubectl("get", "pod", name, "-n", namespace, "-o", "json").stdout)


def node_of(kubectl, namespace, name, timeout=15.0):
    return eventually(lambda: get_pod(kubectl, namespace, name)["spec"].get("nodeName"), timeout,
                      f"pod {name} to be bound")


def test_leader_election_lease(cluster, kubectl):
    lease = eventually(lambda: json.loads(kubectl("get", "lease", "kube-scheduler", "-n", "kube-system",
                                                  "-o", "json", check=False).stdout or "{}"),
                       what="the kube-scheduler lease")
    assert lease["spec"]["holderIdentity"]


def test_plain_pods_are_bound_and_spread(cluster, kubectl, namespace):
    for i in range(6):
        create(kubectl, namespace, pod_manifest(f"p{i}"))
    nodes = [node_of(kubectl, namespace, f"p{i}") for i in range(6)]
    assert sorted(set(nodes)) == NODES, nodes
    pod = get_pod(kubectl, namespace, "p0")
    scheduled = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert scheduled and scheduled[0]["status"] == "True"
    events = kubectl("get", "events", "-n", namespace, "--field-selector", "involvedObject.name=p0").stdout
    assert "Scheduled" in events and f"Successfully assigned {namespace}/p0 to" in events


def test_node_selector_picks_the_matching_node(cluster, kubectl, namespace):
    for i in range(3):
        create(kubectl, namespace, pod_manifest(f"ssd{i}", nodeSelector={"disk": "ssd"}))
    assert {node_of(kubectl, namespace, f"ssd{i}") for i in range(3)} == {"e2e-node-2"}


def test_tainted_node_is_avoided_unless_tolerated(cluster, kubectl, namespace):
    kubectl("taint", "nodes", "e2e-node-3", "node-role.kubernetes.io/control-plane:NoSchedule")
    for i in range(6):
        create(kubectl, namespace, pod_manifest(f"t{i}"))
    assert "e2e-node-3" not in {node_of(kubectl, namespace, f"t{i}") for i in range(6)}
    tolerant = pod_manifest("tolerant", nodeSelector={"kubernetes.io/hostname": "e2e-node-3"},
                            tolerations=[{"key": "node-role.kubernetes.io/control-plane",
                                          "operator": "Exists", "effect": "NoSchedule"}])
    create(kubectl, namespace, tolerant)
    assert node_of(kubectl, namespace, "tolerant") == "e2e-node-3"


def test_pod_too_big_for_any_node_stays_pending_with_upstream_message(cluster, kubectl, namespace):
    # e2e-node-3 carries the control-plane taint from the test before.
    create(kubectl, namespace, pod_manifest("huge", cpu="3"))
    expected = ("0/3 nodes are available: 1 node(s) had untolerated taint "
                "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. "
                "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")

    def condition():
        pod = get_pod(kubectl, namespace, "huge")
        for c in pod["status"].get("conditions", []):
            if c["type"] == "PodScheduled" and c["status"] == "False":
                return c
        return None
    c = eventually(condition, what="PodScheduled=False")
    assert c["reason"] == "Unschedulable"
    assert c["message"] == expected, c["message"]
    pod = get_pod(kubectl, namespace, "huge")
    assert pod["status"]["phase"] == "Pending" and not pod["spec"].get("nodeName")
    describe = eventually(lambda: (lambda out: out if "FailedScheduling" in out else None)(
        kubectl("describe", "pod", "huge", "-n", namespace).stdout), what="FailedScheduling in describe")
    assert "Warning  FailedScheduling" in describe
    assert "0/3 nodes are available: 1 node(s) had untolerated taint" in describe
    events = json.loads(kubectl("get", "events", "-n", namespace, "-o", "json").stdout)["items"]
    failed = [e for e in events if e["reason"] == "FailedScheduling" and e["involvedObject"]["name"] == "huge"]
    assert failed and failed[0]["type"] == "Warning"
    assert failed[0]["message"] == expected, failed[0]["message"]
    kubectl("taint", "nodes", "e2e-node-3", "node-role.kubernetes.io/control-plane:NoSchedule-")


def test_pods_of_another_scheduler_are_left_alone(cluster, kubectl, namespace):
    create(kubectl, namespace, pod_manifest("theirs", schedulerName="other"))
    create(kubectl, namespace, pod_manifest("mine"))
    node_of(kubectl, namespace, "mine")
    time.sleep(1)
    pod = get_pod(kubectl, namespace, "theirs")
    assert not pod["spec"].get("nodeName")
    assert not pod["status"].get("conditions")


def test_pod_with_a_missing_claim_stays_pending(cluster, kubectl, namespace):
    manifest = pod_manifest("claims", volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "missing"}}])
    create(kubectl, namespace, manifest)
    expected = ('0/3 nodes are available: persistentvolumeclaim "missing" not found. '
                "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")

    def condition():
        for c in get_pod(kubectl, namespace, "claims")["status"].get("conditions", []):
            if c["type"] == "PodScheduled" and c["status"] == "False":
                return c
        return None
    assert eventually(condition, what="PodScheduled=False")["message"] == expected


def test_bad_config_is_a_clear_error(kcpp_binary, server, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                      "percentageOfNodesToScore: 150\n")
    p = subprocess.run([kcpp_binary, "scheduler", "--kubeconfig", server.kubeconfig_path,
                        "--config", str(config)], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "percentageOfNodesToScore: Invalid value: 150: not in valid range [0-100]" in p.stdout + p.stderr
    config.write_text("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                      "profiles:\n- plugins:\n    filter:\n      enabled:\n      - name: NoSuchPlugin\n")
    p = subprocess.run([kcpp_binary, "scheduler", "--kubeconfig", server.kubeconfig_path,
                        "--config", str(config)], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "plugin \"NoSuchPlugin\" does not exist" in p.stdout + p.stderr


def test_second_profile_from_config_schedules_its_pods(kcpp_binary, server, cluster, kubectl, namespace, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                      "leaderElection:\n  leaderElect: false\n"
                      "profiles:\n- schedulerName: packer\n  pluginConfig:\n  - name: NodeResourcesFit\n"
                      "    args:\n      scoringStrategy:\n        type: MostAllocated\n")
    second = SchedulerProcess(kcpp_binary, server.kubeconfig_path, ["--config", str(config)])
    try:
        create(kubectl, namespace, pod_manifest("packed", schedulerName="packer"))
        assert node_of(kubectl, namespace, "packed") in NODES
    finally:
        second.close()


PRIORITY_CLASSES = """
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: e2e-low}
value: 10
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: e2e-high}
value: 1000
"""


def test_high_priority_pod_preempts_a_low_one_on_a_full_node(cluster, api, kubectl, namespace):
    # Runs last: a fourth node, tainted so that only these pods go there.
    make_node(api, "e2e-node-prio", {"prio": "yes"})
    kubectl("taint", "nodes", "e2e-node-prio", "prio=yes:NoSchedule")
    kubectl("apply", "-f", "-", input=PRIORITY_CLASSES)
    placement = {"nodeSelector": {"prio": "yes"},
                 "tolerations": [{"key": "prio", "operator": "Exists", "effect": "NoSchedule"}]}
    create(kubectl, namespace, pod_manifest("low", cpu="1500m", priorityClassName="e2e-low", **placement))
    assert node_of(kubectl, namespace, "low") == "e2e-node-prio"
    create(kubectl, namespace, pod_manifest("high", cpu="1500m", priorityClassName="e2e-high", **placement))

    # The victim is deleted (gracefully: it is bound); as a stand-in kubelet the
    # test finishes the deletion.
    def low_terminating():
        p = kubectl("get", "pod", "low", "-n", namespace, "-o", "json", check=False)
        return p.returncode != 0 or json.loads(p.stdout)["metadata"].get("deletionTimestamp")
    eventually(low_terminating, what="the low-priority pod to be preempted")
    nominated = get_pod(kubectl, namespace, "high")["status"].get("nominatedNodeName")
    assert nominated in (None, "e2e-node-prio")
    high_uid = get_pod(kubectl, namespace, "high")["metadata"]["uid"]

    def preempted_event():
        items = json.loads(kubectl("get", "events", "-n", namespace, "-o", "json").stdout)["items"]
        return [e for e in items if e["reason"] == "Preempted" and e["involvedObject"]["name"] == "low"]
    event = eventually(preempted_event, what="the Preempted event")[0]
    assert event["message"] == f"Preempted by pod {high_uid} on node e2e-node-prio"
    kubectl("delete", "pod", "low", "-n", namespace, "--grace-period=0", "--force", check=False)
    assert node_of(kubectl, namespace, "high", timeout=20) == "e2e-node-prio"


def test_pod_disruption_budget_steers_preemption_to_unprotected_pods(cluster, api, kubectl, namespace):
    # Two fresh nodes only these pods may use; each is filled by one pod.
    for name in ("e2e-node-pdb-a", "e2e-node-pdb-b"):
        make_node(api, name, {"pdb": "yes"})
        kubectl("taint", "nodes", name, "pdb=yes:NoSchedule")
    kubectl("apply", "-f", "-", input=PRIORITY_CLASSES + "---\napiVersion: scheduling.k8s.io/v1\n"
            "kind: PriorityClass\nmetadata: {name: e2e-mid}\nvalue: 100\n")
    placement = {"tolerations": [{"key": "pdb", "operator": "Exists", "effect": "NoSchedule"}]}
    guarded = pod_manifest("guarded", cpu="1500m", priorityClassName="e2e-low",
                           nodeSelector={"kubernetes.io/hostname": "e2e-node-pdb-a"}, **placement)
    guarded["metadata"]["labels"] = {"app": "guarded"}
    create(kubectl, namespace, guarded)
    create(kubectl, namespace, pod_manifest("plain", cpu="1500m", priorityClassName="e2e-mid",
                                            nodeSelector={"kubernetes.io/hostname": "e2e-node-pdb-b"}, **placement))
    assert node_of(kubectl, namespace, "guarded") == "e2e-node-pdb-a"
    assert node_of(kubectl, namespace, "plain") == "e2e-node-pdb-b"
    kubectl("create", "poddisruptionbudget", "guard", "-n", namespace, "--selector=app=guarded", "--min-available=1")
    pdb = json.loads(kubectl("get", "pdb", "guard", "-n", namespace, "-o", "json").stdout)
    assert pdb.get("status", {}).get("disruptionsAllowed", 0) == 0

    # Without the budget the low-priority "guarded" pod would be the victim.
    create(kubectl, namespace, pod_manifest("urgent", cpu="1500m", priorityClassName="e2e-high",
                                            nodeSelector={"pdb": "yes"}, **placement))

    def terminating(name):
        p = kubectl("get", "pod", name, "-n", namespace, "-o", "json", check=False)
        return p.returncode != 0 or json.loads(p.stdout)["metadata"].get("deletionTimestamp")
    eventually(lambda: terminating("plain"), what="the unprotected pod to be preempted")
    assert not terminating("guarded")
    kubectl("delete", "pod", "plain", "-n", namespace, "--grace-period=0", "--force", check=False)
    assert node_of(kubectl, namespace, "urgent", timeout=20) == "e2e-node-pdb-b"


def test_system_default_spreading_follows_a_services_pods(kcpp_binary, server, cluster, kubectl, namespace,
                                                          tmp_path):
    # A profile that scores with PodTopologySpread alone, so its effect shows.
    config = tmp_path / "spread.yaml"
    config.write_text("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                      "leaderElection:\n  leaderElect: false\n"
                      "profiles:\n- schedulerName: spreader\n  plugins:\n    score:\n      disabled:\n"
                      "      - name: '*'\n      enabled:\n      - name: PodTopologySpread\n")
    second = SchedulerProcess(kcpp_binary, server.kubeconfig_path, ["--config", str(config)])
    try:
        kubectl("create", "service", "clusterip", "spread", "-n", namespace, "--tcp=80:80")
        kubectl("set", "selector", "service", "spread", "-n", namespace, "app=spread")
        # Two pods of the Service already on the first node.
        for i in range(2):
            m = pod_manifest(f"old{i}", nodeName=NODES[0])
            m["metadata"]["labels"] = {"app": "spread"}
            create(kubectl, namespace, m)
        placed = []
        for i in range(2):
            m = pod_manifest(f"new{i}", schedulerName="spreader")
            m["metadata"]["labels"] = {"app": "spread"}
            create(kubectl, namespace, m)
            placed.append(node_of(kubectl, namespace, f"new{i}"))
        # hostname maxSkew 3, ScheduleAnyway: emptier nodes score higher.
        assert sorted(placed) == sorted(NODES[1:]), placed
        # Pods no Service or controller selects are not spread: equal nodes take turns.
        others = []
        for i in range(3):
            m = pod_manifest(f"free{i}", schedulerName="spreader")
            m["metadata"]["labels"] = {"app": "free"}
            create(kubectl, namespace, m)
            others.append(node_of(kubectl, namespace, f"free{i}"))
        assert sorted(others) == NODES, others
    finally:
        second.close()


def claim_manifest(name, cls=None, size="1Gi"):
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if cls:
        spec["storageClassName"] = cls
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": spec}


def with_claim(name, claim, **spec):
    m = pod_manifest(name, **spec)
    m["spec"]["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]
    return m


def test_wait_for_first_consumer_claim_is_provisioned_on_the_pods_node(cluster, kubectl, namespace):
    # local-path (the default class) binds late: the scheduler picks the node,
    # annotates the claim, and the provisioner makes the volume there.
    create(kubectl, namespace, claim_manifest("late"))
    create(kubectl, namespace, with_claim("user", "late", nodeSelector={"disk": "ssd"}))
    assert node_of(kubectl, namespace, "user", timeout=30) == NODES[1]
    claim = json.loads(kubectl("get", "pvc", "late", "-n", namespace, "-o", "json").stdout)
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == NODES[1]
    assert claim["status"]["phase"] == "Bound"
    volume = json.loads(kubectl("get", "pv", claim["spec"]["volumeName"], "-o", "json").stdout)
    term = volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]
    assert term["values"] == [NODES[1]]
    kubectl("delete", "pod", "user", "-n", namespace, "--grace-period=0", "--force", check=False)


def test_static_local_volume_decides_the_node(cluster, kubectl, namespace):
    cls = unique("local")
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": cls},
        "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer"}))
    for pv_name, node in ((cls + "-on-3", NODES[2]),):
        kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": pv_name},
            "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": cls,
                     "local": {"path": "/mnt/disk"},
                     "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                         {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}}}))
    create(kubectl, namespace, claim_manifest("static", cls))
    create(kubectl, namespace, with_claim("local-user", "static"))
    assert node_of(kubectl, namespace, "local-user", timeout=30) == NODES[2]
    claim = eventually(lambda: (c := json.loads(kubectl("get", "pvc", "static", "-n", namespace, "-o",
                                                        "json").stdout))["status"].get("phase") == "Bound" and c,
                       what="the claim bound")
    assert claim["spec"]["volumeName"] == cls + "-on-3"
    # A second claim finds no volume left and no provisioner: the pod waits, with upstream's reason.
    create(kubectl, namespace, claim_manifest("static2", cls))
    create(kubectl, namespace, with_claim("stuck", "static2"))

    def failed():
        cond = [c for c in get_pod(kubectl, namespace, "stuck")["status"].get("conditions", [])
                if c["type"] == "PodScheduled"]
        return cond and cond[0]["status"] == "False" and cond[0]["message"]
    message = eventually(failed, what="FailedScheduling for the stuck pod")
    assert "node(s) didn't find available persistent volumes to bind" in message, message
    kubectl("delete", "pod", "local-user", "stuck", "-n", namespace, "--grace-period=0", "--force", check=False)
