"""`kcpp controller-manager` as its own process against a real server: the
ReplicaSet and ReplicationController controllers with the real kubectl, and
leader election between two instances on the kube-system Lease."""

import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import start_server

# Short election timings so a handover is quick (upstream: 15 s / 10 s / 2 s).
ELECTION = ["--leader-elect-lease-duration", "1.5", "--leader-elect-renew-deadline", "1",
            "--leader-elect-retry-period", "0.2"]


class ControllerManager:
    def __init__(self, binary, kubeconfig, extra=()):
        self.log = tempfile.NamedTemporaryFile(prefix="kcpp-cm-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([binary, "controller-manager", "--kubeconfig", kubeconfig,
                                      *ELECTION, *extra],
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


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    """A server without its embedded controller-manager: these tests run their own."""
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--disable-controller-manager"])
    yield handle
    finish()


@pytest.fixture
def managers(kcpp_binary, server):
    started = []

    def start(*extra):
        m = ControllerManager(kcpp_binary, server.kubeconfig_path, extra)
        started.append(m)
        return m
    yield start
    for m in started:
        m.close()


def eventually(fn, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def pods_of(kubectl, namespace, owner_kind, owner_name):
    items = json.loads(kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
    return [p for p in items
            if any(r.get("controller") and r["kind"] == owner_kind and r["name"] == owner_name
                   for r in p["metadata"].get("ownerReferences", []))]


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


def test_replicaset_pods_follow_the_spec(kubectl, namespace, managers):
    cm = managers()
    kubectl("apply", "-n", namespace, "-f", "-", input=REPLICA_SET)
    pods = eventually(lambda: len(pods_of(kubectl, namespace, "ReplicaSet", "web")) == 3 and
                      pods_of(kubectl, namespace, "ReplicaSet", "web"), what="3 pods")
    assert all(p["metadata"]["generateName"] == "web-" for p in pods)
    status = eventually(lambda: (lambda s: s if s.get("replicas") == 3 else None)(json.loads(
        kubectl("get", "rs", "web", "-n", namespace, "-o", "json").stdout).get("status", {})),
        what="status.replicas 3")
    assert status["fullyLabeledReplicas"] == 3 and status["observedGeneration"] == 1
    table = kubectl("get", "rs", "web", "-n", namespace).stdout.splitlines()
    assert table[0].split() == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert table[1].split()[:4] == ["web", "3", "3", "0"]

    kubectl("scale", "rs", "web", "-n", namespace, "--replicas=1")
    eventually(lambda: len(pods_of(kubectl, namespace, "ReplicaSet", "web")) == 1, what="1 pod")
    victim = pods_of(kubectl, namespace, "ReplicaSet", "web")[0]["metadata"]["name"]
    kubectl("delete", "pod", victim, "-n", namespace)
    eventually(lambda: [p for p in pods_of(kubectl, namespace, "ReplicaSet", "web")
                        if p["metadata"]["name"] != victim], what="a replacement pod")
    events = kubectl("get", "events", "-n", namespace,
                     "--field-selector", "involvedObject.kind=ReplicaSet").stdout
    assert "SuccessfulCreate" in events and "Created pod: web-" in events
    assert "SuccessfulDelete" in events
    assert cm.stop() == 0, cm.text()


def test_replication_controller(kubectl, namespace, managers):
    managers()
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
    eventually(lambda: len(pods_of(kubectl, namespace, "ReplicationController", "rc")) == 2,
               what="2 pods")


def test_one_leader_and_handover(kubectl, namespace, managers):
    first = managers()
    holder = eventually(lambda: json.loads(kubectl(
        "get", "lease", "kube-controller-manager", "-n", "kube-system", "-o", "json",
        check=False).stdout or "{}").get("spec", {}).get("holderIdentity"), what="a leader")
    second = managers()
    time.sleep(1)
    assert "became leader" in first.text()
    assert "became leader" not in second.text()
    assert first.stop() == 0, first.text()  # releases the lease
    eventually(lambda: "became leader" in second.text(), timeout=5, what="the handover")
    new_holder = json.loads(kubectl("get", "lease", "kube-controller-manager", "-n",
                                    "kube-system", "-o", "json").stdout)["spec"]["holderIdentity"]
    assert new_holder and new_holder != holder
    # The new leader runs the controllers.
    kubectl("apply", "-n", namespace, "-f", "-", input=REPLICA_SET)
    eventually(lambda: len(pods_of(kubectl, namespace, "ReplicaSet", "web")) == 3, what="3 pods")


def test_unknown_controller_is_refused(kcpp_binary, server):
    p = subprocess.run([kcpp_binary, "controller-manager", "--kubeconfig", server.kubeconfig_path,
                        "--controllers", "*,nosuch"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 1
    assert '"nosuch" is not in the list of known controllers' in p.stdout + p.stderr
