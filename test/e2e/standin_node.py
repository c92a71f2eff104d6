"""A stand-in scheduler and kubelet for e2e tests of workload controllers, used
until `kcpp scheduler` and the node agent run in these tests: it creates Node
objects through the API (Ready), binds pending pods (to the node their
DaemonSet node-affinity term names, else to a default node) through the
pods/binding subresource when the server has it, reports pods Running and Ready
through pods/status, and finishes the deletion of terminating pods as a kubelet
would (grace period 0)."""

import json
import os
import signal
import subprocess
import tempfile
import time

NOW = "2026-01-01T00:00:00Z"


def eventually(fn, timeout=20.0, what="condition", step=None):
    deadline = time.monotonic() + timeout
    while True:
        if step:
            step()
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class ControllerManager:
    """`kcpp controller-manager` against the test server, stopped by PID."""

    def __init__(self, binary, kubeconfig, extra=()):
        self.log = tempfile.NamedTemporaryFile(prefix="kcpp-cm-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([binary, "controller-manager", "--kubeconfig", kubeconfig,
                                      "--no-leader-elect", *extra],
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def text(self):
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode

    def close(self):
        self.stop()
        os.unlink(self.log.name)


def make_node(api, name, labels=None, taints=None):
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {"taints": taints} if taints else {}}
    r = api.post("/api/v1/nodes", node)
    assert r.status == 201, r
    got = r.json()
    got["status"] = {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                     "lastHeartbeatTime": NOW, "lastTransitionTime": NOW}]}
    r = api.put(f"/api/v1/nodes/{name}/status", got)
    assert r.status == 200, r
    return got


def affinity_node(pod):
    """The node a DaemonSet pod's matchFields metadata.name term names."""
    terms = (pod["spec"].get("affinity", {}).get("nodeAffinity", {})
             .get("requiredDuringSchedulingIgnoredDuringExecution", {}).get("nodeSelectorTerms", []))
    for term in terms:
        for req in term.get("matchFields", []):
            if req["key"] == "metadata.name" and req["operator"] == "In":
                return req["values"][0]
    return None


def is_ready(pod):
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod.get("status", {}).get("conditions", []))


class StandIn:
    def __init__(self, api, namespace, default_node=None):
        self.api = api
        self.ns = namespace
        self.default_node = default_node
        self.hold = set()  # pod names left not ready
        self.hold_if = None  # or pods for which this returns True
        self.binding_supported = True

    def pods(self):
        r = self.api.get(f"/api/v1/namespaces/{self.ns}/pods")
        assert r.status == 200, r
        return r.json()["items"]

    def pod_path(self, name):
        return f"/api/v1/namespaces/{self.ns}/pods/{name}"

    def bind(self, pod):
        node = affinity_node(pod) or self.default_node
        if not node or not self.binding_supported:
            return
        name = pod["metadata"]["name"]
        r = self.api.post(self.pod_path(name) + "/binding",
                          {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
                           "target": {"apiVersion": "v1", "kind": "Node", "name": node}})
        if r.status == 404 and self.api.get(self.pod_path(name)).status == 200:
            # No pods/binding in this server yet: pods stay unbound (their
            # status is still reported), which the controllers do not mind.
            self.binding_supported = False

    def run_pod(self, pod):
        pod["status"] = {"phase": "Running",
                         "conditions": [{"type": "Ready", "status": "True",
                                         "lastTransitionTime": NOW}]}
        self.api.put(self.pod_path(pod["metadata"]["name"]) + "/status", pod)

    def settle(self, count=None, timeout=20.0):
        """Steps until every live pod is Ready (and there are `count`, if given):
        kubectl rollout status blocks, so the stand-in kubelet works first."""
        def done():
            live = [p for p in self.pods() if not p["metadata"].get("deletionTimestamp")]
            return all(is_ready(p) for p in live) and (count is None or len(live) == count)
        eventually(done, timeout=timeout, what="every pod ready", step=self.step)

    def step(self):
        for pod in self.pods():
            name = pod["metadata"]["name"]
            if pod["metadata"].get("deletionTimestamp"):
                self.api.delete(self.pod_path(name), {"apiVersion": "v1", "kind": "DeleteOptions",
                                                      "gracePeriodSeconds": 0})
                continue
            if not pod["spec"].get("nodeName"):
                self.bind(pod)
            held = name in self.hold or (self.hold_if is not None and self.hold_if(pod))
            if not held and not is_ready(pod):
                got = self.api.get(self.pod_path(name))
                if got.status == 200:
                    self.run_pod(got.json())


def kubectl_json(kubectl, *args):
    return json.loads(kubectl(*args, "-o", "json").stdout)
