"""The controller-manager inside `kcpp server` (as k3s runs it): the default
ServiceAccount and kube-root-ca.crt in new namespaces, ReplicaSets with their
pods, each controller acting as its own kube-system ServiceAccount, the lease
taken back at once after a restart, and --disable-controller-manager."""

import json
import time


from conftest import start_server, unique


def eventually(fn, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def exists(kubectl, *args):
    return kubectl("get", *args, check=False).returncode == 0


REPLICA_SET = """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
"""


def owned_pods(kubectl, namespace):
    items = json.loads(kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
    return [p for p in items if p["metadata"].get("ownerReferences")]


def test_new_namespaces_get_default_account_and_root_ca(kubectl):
    ns = unique("emb")
    kubectl("create", "namespace", ns)
    eventually(lambda: exists(kubectl, "serviceaccount", "default", "-n", ns), what="default SA")
    cm = eventually(lambda: exists(kubectl, "configmap", "kube-root-ca.crt", "-n", ns) and
                    json.loads(kubectl("get", "configmap", "kube-root-ca.crt", "-n", ns,
                                       "-o", "json").stdout), what="kube-root-ca.crt")
    assert cm["data"]["ca.crt"].startswith("-----BEGIN CERTIFICATE-----")


def test_replica_set_runs_as_its_own_service_account(kubectl, namespace):
    kubectl("apply", "-n", namespace, "-f", "-", input=REPLICA_SET)
    eventually(lambda: len(owned_pods(kubectl, namespace)) == 2, what="2 pods")
    accounts = kubectl("get", "serviceaccounts", "-n", "kube-system", "-o", "name").stdout.split()
    for name in ("replicaset-controller", "service-account-controller", "root-ca-cert-publisher"):
        assert f"serviceaccount/{name}" in accounts
    events = json.loads(kubectl("get", "events", "-n", namespace, "-o", "json").stdout)["items"]
    created = [e for e in events if e["reason"] == "SuccessfulCreate"]
    assert created and created[0]["source"]["component"] == "replicaset-controller"
    lease = json.loads(kubectl("get", "lease", "kube-controller-manager", "-n", "kube-system",
                               "-o", "json").stdout)
    assert lease["spec"]["holderIdentity"].endswith("_kcpp-server")


def test_restarted_server_resumes_control_at_once(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary, ["--disable-agent"])
    try:
        ns = unique("restart")
        handle.kubectl("create", "namespace", ns)
        eventually(lambda: exists(handle.kubectl, "serviceaccount", "default", "-n", ns))
        assert handle.server.stop() == 0
        handle.server.start()
        # The lease names this server: it is taken back without waiting out its 15 s.
        t0 = time.monotonic()
        handle.kubectl("apply", "-n", ns, "-f", "-", input=REPLICA_SET)
        eventually(lambda: len(owned_pods(handle.kubectl, ns)) == 2, timeout=10, what="2 pods")
        assert time.monotonic() - t0 < 10
    finally:
        finish()


def test_disable_controller_manager_runs_none(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--disable-controller-manager"])
    try:
        ns = unique("none")
        handle.kubectl("create", "namespace", ns)
        handle.kubectl("apply", "-n", ns, "-f", "-", input=REPLICA_SET)
        time.sleep(2)
        assert not exists(handle.kubectl, "serviceaccount", "default", "-n", ns)
        assert json.loads(handle.kubectl("get", "pods", "-n", ns, "-o", "json").stdout)["items"] == []
        assert not exists(handle.kubectl, "lease", "kube-controller-manager", "-n", "kube-system")
    finally:
        finish()
