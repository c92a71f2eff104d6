"""The whole control plane as `kcpp server` runs it (embedded controller-manager
and scheduler) with simulated nodes (`kcpp sim`) and the real kubectl: the
issue's end-to-end scenarios. Timings that upstream measures in minutes are
shortened through the server's --kube-controller-manager-arg and the pods'
own tolerationSeconds."""

import json
import re
import time

import pytest

from conftest import start_server, unique
from sim_harness import condition, eventually, start_sim

PREFIX = "node-"
SIM_FLAGS = ["--node-lease-renew-interval", "1s", "--node-status-update-frequency", "1s",
             "--pod-start-delay", "200ms", "--max-pod-grace-period", "1s"]
CONTROLLER_MANAGER_ARGS = ["node-monitor-period=1s", "node-monitor-grace-period=4s"]


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    args = ["--disable-agent"]
    for a in CONTROLLER_MANAGER_ARGS:
        args += ["--kube-controller-manager-arg", a]
    handle, finish = start_server(kcpp_binary, kubectl_binary, args)
    yield handle
    finish()


@pytest.fixture(scope="module")
def sim(kcpp_binary, server, kubectl):
    p = start_sim(kcpp_binary, server.kubeconfig_path, "--nodes", 3, "--name-prefix", PREFIX, *SIM_FLAGS)
    eventually(lambda: len(ready_nodes(kubectl)) == 3, what="3 Ready sim nodes")
    yield p
    rc = p.stop()
    text = p.text()
    p.close()
    assert rc == 0, text


def get(kubectl, *args):
    return json.loads(kubectl("get", *args, "-o", "json").stdout)


def ready_nodes(kubectl):
    return [n["metadata"]["name"] for n in get(kubectl, "nodes")["items"]
            if (condition(n, "Ready") or {}).get("status") == "True"]


def pods(kubectl, ns, selector=None):
    args = ["pods", "-n", ns] + (["-l", selector] if selector else [])
    return get(kubectl, *args)["items"]


def running(items):
    return [p for p in items if p["status"].get("phase") == "Running"
            and not p["metadata"].get("deletionTimestamp")]


def test_deployment_spreads_rolls_back_scales_and_cascades(kubectl, namespace, sim):
    kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3", "-n", namespace)
    web = eventually(lambda: len(running(pods(kubectl, namespace, "app=web"))) == 3 and
                     running(pods(kubectl, namespace, "app=web")), what="3 Running pods")
    assert len({p["spec"]["nodeName"] for p in web}) == 3, "equal nodes receive pods in turn"

    # A rolling update never has fewer than 3 available (maxUnavailable 25% of 3 rounds to 0).
    kubectl("set", "image", "deployment/web", "nginx=nginx:2", "-n", namespace)
    deadline = time.monotonic() + 60
    while True:
        d = get(kubectl, "deployment", "web", "-n", namespace)
        st = d.get("status", {})
        assert st.get("availableReplicas", 0) >= 3, st
        if (st.get("updatedReplicas") == 3 and st.get("availableReplicas") == 3 and
                st.get("replicas") == 3 and st.get("observedGeneration") == d["metadata"]["generation"]):
            break
        assert time.monotonic() < deadline, f"rollout did not finish: {st}"
        time.sleep(0.1)
    kubectl("rollout", "status", "deployment/web", "-n", namespace, "--timeout=60s")
    images = {p["spec"]["containers"][0]["image"] for p in running(pods(kubectl, namespace, "app=web"))}
    assert images == {"nginx:2"}

    kubectl("rollout", "undo", "deployment/web", "-n", namespace)
    kubectl("rollout", "status", "deployment/web", "-n", namespace, "--timeout=60s")
    eventually(lambda: {p["spec"]["containers"][0]["image"]
                        for p in running(pods(kubectl, namespace, "app=web"))} == {"nginx"},
               what="the first template back")

    kubectl("scale", "deployment/web", "--replicas=5", "-n", namespace)
    eventually(lambda: len(running(pods(kubectl, namespace, "app=web"))) == 5, what="5 Running pods")

    kubectl("delete", "deployment", "web", "-n", namespace)
    eventually(lambda: not get(kubectl, "replicasets", "-n", namespace)["items"] and
               not pods(kubectl, namespace, "app=web"), timeout=30, what="ReplicaSets and pods collected")


def test_job_completes_with_bounded_parallelism(kubectl, namespace, sim):
    kubectl("apply", "-n", namespace, "-f", "-", input="""
apiVersion: batch/v1
kind: Job
metadata: {name: work}
spec:
  completions: 5
  parallelism: 2
  template:
    metadata: {annotations: {sim.kcpp.io/run-duration: 500ms}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
""")
    most = 0
    deadline = time.monotonic() + 60
    while True:
        job = get(kubectl, "job", "work", "-n", namespace)
        most = max(most, job.get("status", {}).get("active", 0))
        if (condition(job, "Complete") or {}).get("status") == "True":
            break
        assert time.monotonic() < deadline, f"job not complete: {job.get('status')}"
        time.sleep(0.1)
    assert job["status"]["succeeded"] == 5
    assert 1 <= most <= 2


def test_stateful_set_creates_in_order(kubectl, namespace, sim):
    kubectl("apply", "-n", namespace, "-f", "-", input="""
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: c
        image: nginx
        readinessProbe: {initialDelaySeconds: 1, tcpSocket: {port: 80}}
""")
    eventually(lambda: len(running(pods(kubectl, namespace, "app=db"))) == 2, what="db-0 and db-1 Running")
    db0 = get(kubectl, "pod", "db-0", "-n", namespace)
    db1 = get(kubectl, "pod", "db-1", "-n", namespace)
    ready0 = condition(db0, "Ready")["lastTransitionTime"]
    # db-1 is made only once db-0 is Ready (OrderedReady).
    assert db1["metadata"]["creationTimestamp"] >= ready0


def test_daemon_set_runs_on_every_node_and_follows_new_ones(kcpp_binary, server, kubectl, namespace, sim):
    kubectl("apply", "-n", namespace, "-f", "-", input="""
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: busybox}]}
""")
    eventually(lambda: len(running(pods(kubectl, namespace, "app=agent"))) == 3, what="one pod per node")
    extra = start_sim(kcpp_binary, server.kubeconfig_path, "--nodes", 1, "--name-prefix", "extra-", *SIM_FLAGS)
    try:
        eventually(lambda: {p["spec"]["nodeName"] for p in running(pods(kubectl, namespace, "app=agent"))}
                   == set(ready_nodes(kubectl)) and len(ready_nodes(kubectl)) == 4,
                   what="a pod on the new node too")
    finally:
        kubectl("delete", "daemonset", "agent", "-n", namespace)
        assert extra.stop() == 0, extra.text()
        extra.close()
        kubectl("delete", "node", "extra-0")


def test_service_endpoints_hold_ready_pods_only(kubectl, namespace, sim):
    kubectl("apply", "-n", namespace, "-f", "-", input="""
apiVersion: v1
kind: Pod
metadata: {name: ready, labels: {app: svc}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: slow, labels: {app: svc}}
spec:
  containers:
  - name: c
    image: nginx
    ports: [{containerPort: 80}]
    readinessProbe: {initialDelaySeconds: 3600, tcpSocket: {port: 80}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec:
  selector: {app: svc}
  ports: [{port: 80}]
""")
    ready_ip = eventually(lambda: get(kubectl, "pod", "ready", "-n", namespace)["status"].get("podIP"))

    def addresses():
        subsets = get(kubectl, "endpoints", "svc", "-n", namespace).get("subsets") or []
        ready = [a["ip"] for s in subsets for a in s.get("addresses", [])]
        not_ready = [a["ip"] for s in subsets for a in s.get("notReadyAddresses", [])]
        return ready, not_ready
    eventually(lambda: addresses()[0] == [ready_ip] and len(addresses()[1]) == 1, what="Endpoints")
    slices = get(kubectl, "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=svc")["items"]
    endpoints = [e for s in slices for e in s.get("endpoints") or []]
    assert sorted(e["conditions"]["ready"] for e in endpoints) == [False, True]


def test_unschedulable_pod_gets_upstreams_failed_scheduling_event(kubectl, namespace, sim):
    kubectl("run", "huge", "--image=nginx", "-n", namespace, "--overrides",
            json.dumps({"spec": {"containers": [{"name": "huge", "image": "nginx",
                                                 "resources": {"requests": {"cpu": "1000"}}}]}}))

    def message():
        events = get(kubectl, "events", "-n", namespace, "--field-selector", "reason=FailedScheduling")["items"]
        return events and events[0]["message"]
    text = eventually(message, what="FailedScheduling")
    # More than any node's allocatable: upstream marks that unresolvable, so preemption cannot help.
    assert re.fullmatch(r"0/3 nodes are available: 3 Insufficient cpu\. preemption: 0/3 nodes are available: "
                        r"3 Preemption is not helpful for scheduling\.", text), text
    pod = get(kubectl, "pod", "huge", "-n", namespace)
    assert condition(pod, "PodScheduled")["status"] == "False"
    assert condition(pod, "PodScheduled")["reason"] == "Unschedulable"


def test_lost_node_is_tainted_and_its_pods_replaced_elsewhere(kubectl, namespace, sim):
    kubectl("apply", "-n", namespace, "-f", "-", input="""
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: 3
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      containers: [{name: c, image: nginx}]
""")
    first = eventually(lambda: len(running(pods(kubectl, namespace, "app=app"))) == 3 and
                       running(pods(kubectl, namespace, "app=app")), what="3 Running")
    victim = first[0]["spec"]["nodeName"]
    kubectl("annotate", "node", victim, "sim.kcpp.io/heartbeat=stopped")
    try:
        eventually(lambda: (condition(get(kubectl, "node", victim), "Ready") or {}).get("status") == "Unknown",
                   timeout=20, what="node NotReady after the grace period")

        def taints():
            return {(t["key"], t["effect"]) for t in get(kubectl, "node", victim)["spec"].get("taints", [])}
        eventually(lambda: ("node.kubernetes.io/unreachable", "NoExecute") in taints(), timeout=15,
                   what="the unreachable NoExecute taint")
        # Evicted after their 2 s toleration; replacements run on the other nodes.
        eventually(lambda: len([p for p in running(pods(kubectl, namespace, "app=app"))
                                if p["spec"]["nodeName"] != victim]) == 3,
                   timeout=30, what="3 replacements on healthy nodes")
    finally:
        kubectl("annotate", "node", victim, "sim.kcpp.io/heartbeat-")
    eventually(lambda: victim in ready_nodes(kubectl), timeout=20, what="the node back")


def test_namespace_delete_empties_and_removes_it(kubectl, sim):
    ns = unique("gone")
    kubectl("create", "namespace", ns)
    kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2", "-n", ns)
    kubectl("create", "configmap", "c", "-n", ns)
    eventually(lambda: len(running(pods(kubectl, ns))) == 2, what="2 Running")
    kubectl("delete", "namespace", ns, "--wait=false")
    eventually(lambda: kubectl("get", "namespace", ns, check=False).returncode != 0, timeout=60,
               what="the namespace removed")
