"""The Endpoints and EndpointSlice controllers of `kcpp controller-manager`
against a real server, driven with the real kubectl.

No kubelet runs here: the test plays one itself (it creates pods already bound
to a Node object it registered, and writes their status through pods/status:
podIP and the Ready condition), since simulated nodes are built separately.
The garbage collector is another controller: deleting a Service is checked
only for the Endpoints, which the endpoint controller deletes itself."""

import json
import os
import signal
import subprocess
import tempfile
import time
import uuid

import pytest

from conftest import server_without  # noqa: E402


def eventually(fn, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    """These tests run their own controller-manager and play scheduler and kubelet."""
    yield from server_without(kcpp_binary, kubectl_binary, "controller-manager", "scheduler")


@pytest.fixture(scope="module")
def controller_manager(kcpp_binary, server):
    log = tempfile.NamedTemporaryFile(prefix="kcpp-cm-", suffix=".log", delete=False)
    proc = subprocess.Popen([kcpp_binary, "controller-manager", "--kubeconfig", server.kubeconfig_path,
                             "--no-leader-elect", "--controllers",
                             "endpoint,endpointslice,endpointslicemirroring,serviceaccount"],
                            stdout=log, stderr=subprocess.STDOUT)
    yield proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    os.unlink(log.name)


@pytest.fixture
def node(api):
    """A Node object (zone-a) for the test's pods to be bound to."""
    name = f"node-{uuid.uuid4().hex[:6]}"
    r = api.post("/api/v1/nodes", {"apiVersion": "v1", "kind": "Node",
                                   "metadata": {"name": name,
                                                "labels": {"topology.kubernetes.io/zone": "zone-a"}}})
    assert r.status == 201, r
    yield name
    api.delete(f"/api/v1/nodes/{name}")


class Pods:
    """Creates pods on `node` and sets their status, as a kubelet would."""

    def __init__(self, api, namespace, node):
        self.api, self.namespace, self.node = api, namespace, node

    def create(self, name, ip, ready, port=8080, labels=None):
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "labels": labels or {"app": "web"}},
               "spec": {"nodeName": self.node,
                        "containers": [{"name": "c", "image": "nginx",
                                        "ports": [{"name": "web", "containerPort": port}]}]}}
        r = self.api.post(f"/api/v1/namespaces/{self.namespace}/pods", pod)
        assert r.status == 201, r
        self.set_ready(name, ip, ready)

    def set_ready(self, name, ip, ready):
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        status = {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                  "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                  "lastTransitionTime": now}]}
        r = self.api.patch(f"/api/v1/namespaces/{self.namespace}/pods/{name}/status", {"status": status})
        assert r.status == 200, r


def get_json(kubectl, *args):
    r = kubectl("get", *args, "-o", "json", check=False)
    return json.loads(r.stdout) if r.returncode == 0 else None


def addresses(endpoints, field="addresses"):
    if not endpoints:
        return None
    return sorted(a["ip"] for s in endpoints.get("subsets") or [] for a in s.get(field, []))


def slice_endpoints(kubectl, namespace, service):
    items = get_json(kubectl, "endpointslices", "-n", namespace, "-l", f"kubernetes.io/service-name={service}")
    return {e["targetRef"]["name"]: e for s in (items or {}).get("items", []) for e in s.get("endpoints") or []}


def slice_endpoints_any(kubectl, namespace, service):
    items = get_json(kubectl, "endpointslices", "-n", namespace, "-l", f"kubernetes.io/service-name={service}")
    return [e for s in (items or {}).get("items", []) for e in s.get("endpoints") or []]


def test_endpoints_and_slices_follow_pods(kubectl, api, namespace, node, controller_manager):
    pods = Pods(api, namespace, node)
    pods.create("a", "10.1.0.1", True)
    pods.create("b", "10.1.0.2", False)
    kubectl("expose", "pod", "a", "-n", namespace, "--name", "web", "--port", "80",
            "--target-port", "web", "--selector", "app=web")

    ep = eventually(lambda: (lambda e: e if addresses(e) == ["10.1.0.1"] else None)(
        get_json(kubectl, "endpoints", "web", "-n", namespace)), what="Endpoints with the ready pod")
    assert addresses(ep, "notReadyAddresses") == ["10.1.0.2"]
    subset = ep["subsets"][0]
    assert subset["ports"] == [{"port": 8080, "protocol": "TCP"}]  # the named targetPort, resolved
    ready = subset["addresses"][0]
    assert ready["nodeName"] == node
    assert ready["targetRef"]["kind"] == "Pod" and ready["targetRef"]["name"] == "a"
    meta = ep["metadata"]
    assert meta["labels"]["endpoints.kubernetes.io/managed-by"] == "endpoint-controller"
    assert "endpoints.kubernetes.io/last-change-trigger-time" in meta["annotations"]

    # The slices say the same, with conditions, node and zone.
    eps = eventually(lambda: (lambda s: s if len(s) == 2 else None)(slice_endpoints(kubectl, namespace, "web")),
                     what="two endpoints in slices")
    assert eps["a"]["conditions"] == {"ready": True, "serving": True, "terminating": False}
    assert eps["b"]["conditions"] == {"ready": False, "serving": False, "terminating": False}
    assert eps["a"]["addresses"] == ["10.1.0.1"] and eps["a"]["zone"] == "zone-a"
    slices = get_json(kubectl, "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=web")["items"]
    assert len(slices) == 1
    s = slices[0]
    assert s["addressType"] == "IPv4" and s["metadata"]["generateName"] == "web-"
    assert s["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert s["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert s["ports"] == [{"name": "", "port": 8080, "protocol": "TCP"}]

    # b turns ready: it moves to addresses.
    pods.set_ready("b", "10.1.0.2", True)
    eventually(lambda: addresses(get_json(kubectl, "endpoints", "web", "-n", namespace)) == ["10.1.0.1", "10.1.0.2"],
               what="b ready in Endpoints")
    eventually(lambda: slice_endpoints(kubectl, namespace, "web")["b"]["conditions"]["ready"], what="b ready in slices")
    describe = kubectl("describe", "service", "web", "-n", namespace).stdout
    line = next(l for l in describe.splitlines() if l.startswith("Endpoints:"))
    assert "10.1.0.1:8080" in line and "10.1.0.2:8080" in line, describe

    # A pod whose "web" port is another number: a subset (and a slice) of its own.
    pods.create("c", "10.1.0.3", True, port=9090)
    ep = eventually(lambda: (lambda e: e if e and len(e.get("subsets") or []) == 2 else None)(
        get_json(kubectl, "endpoints", "web", "-n", namespace)), what="two subsets")
    by_port = {s["ports"][0]["port"]: sorted(a["ip"] for a in s["addresses"]) for s in ep["subsets"]}
    assert by_port == {8080: ["10.1.0.1", "10.1.0.2"], 9090: ["10.1.0.3"]}
    eventually(lambda: len(get_json(kubectl, "endpointslices", "-n", namespace,
                                    "-l", "kubernetes.io/service-name=web")["items"]) == 2, what="two slices")

    # Deleting a pod: gone from the Endpoints at once (terminating), from slices when removed.
    kubectl("delete", "pod", "a", "-n", namespace, "--wait=false")
    eventually(lambda: "10.1.0.1" not in addresses(get_json(kubectl, "endpoints", "web", "-n", namespace)),
               what="a gone from Endpoints")
    eventually(lambda: slice_endpoints(kubectl, namespace, "web").get("a", {}).get("conditions", {}).get("terminating")
               or "a" not in slice_endpoints(kubectl, namespace, "web"), what="a terminating in slices")
    kubectl("delete", "pod", "a", "-n", namespace, "--grace-period=0", "--force")
    eventually(lambda: "a" not in slice_endpoints(kubectl, namespace, "web"), what="a gone from slices")

    # Deleting the Service deletes its Endpoints (slices go with the garbage collector).
    kubectl("delete", "service", "web", "-n", namespace)
    eventually(lambda: get_json(kubectl, "endpoints", "web", "-n", namespace) is None, what="Endpoints deleted")
    assert controller_manager.poll() is None


def test_publish_not_ready_headless_and_selectorless(kubectl, api, namespace, node, controller_manager):
    pods = Pods(api, namespace, node)
    pods.create("u", "10.2.0.1", False, labels={"app": "db"})
    kubectl("apply", "-n", namespace, "-f", "-", input="""
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {app: db}
  ports: [{port: 5432, targetPort: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: external}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: external}
subsets: [{addresses: [{ip: 192.0.2.10}], ports: [{port: 80}]}]
""")
    ep = eventually(lambda: (lambda e: e if addresses(e) == ["10.2.0.1"] else None)(
        get_json(kubectl, "endpoints", "db", "-n", namespace)), what="unready pod published")
    assert not addresses(ep, "notReadyAddresses")
    assert ep["metadata"]["labels"]["service.kubernetes.io/headless"] == ""
    eps = eventually(lambda: slice_endpoints(kubectl, namespace, "db"), what="db slice")
    assert eps["u"]["conditions"] == {"ready": True, "serving": False, "terminating": False}

    # The selectorless Service's Endpoints are the user's: left exactly as written,
    # and mirrored into a slice by the mirroring controller.
    mirrored = eventually(lambda: slice_endpoints_any(kubectl, namespace, "external"), what="mirrored slice")
    assert mirrored == [{"addresses": ["192.0.2.10"], "conditions": {"ready": True}}]
    s = get_json(kubectl, "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=external")["items"]
    assert len(s) == 1
    assert s[0]["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == \
        "endpointslicemirroring-controller.k8s.io"
    assert s[0]["ports"] == [{"name": "", "port": 80, "protocol": "TCP"}]
    external = get_json(kubectl, "endpoints", "external", "-n", namespace)
    assert addresses(external) == ["192.0.2.10"]
    assert "labels" not in external["metadata"]
    # The user changes their Endpoints: the mirror follows; skip-mirror removes it.
    kubectl("patch", "endpoints", "external", "-n", namespace, "--type=merge", "-p",
            '{"subsets":[{"addresses":[{"ip":"192.0.2.11"}],"notReadyAddresses":[{"ip":"192.0.2.12"}],'
            '"ports":[{"port":80}]}]}')
    eventually(lambda: sorted((e["addresses"][0], e["conditions"]["ready"]) for e in
                              slice_endpoints_any(kubectl, namespace, "external"))
               == [("192.0.2.11", True), ("192.0.2.12", False)], what="mirror follows")
    kubectl("label", "endpoints", "external", "-n", namespace, "endpointslice.kubernetes.io/skip-mirror=true")
    eventually(lambda: not get_json(kubectl, "endpointslices", "-n", namespace,
                                    "-l", "kubernetes.io/service-name=external")["items"], what="mirror removed")
    # The API server's own `kubernetes` Service has no selector: its Endpoints are mirrored too.
    if get_json(kubectl, "endpoints", "kubernetes", "-n", "default"):
        eventually(lambda: [x for x in get_json(kubectl, "endpointslices", "-n", "default", "-l",
                                                "kubernetes.io/service-name=kubernetes")["items"]
                            if x["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] ==
                            "endpointslicemirroring-controller.k8s.io"], what="kubernetes Service mirrored")
    # The db Service has a selector: the mirroring controller leaves it to the EndpointSlice controller.
    db = get_json(kubectl, "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=db")["items"]
    assert [x["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] for x in db] == \
        ["endpointslice-controller.k8s.io"]


def test_many_pods_spread_over_slices(kubectl, api, namespace, node, controller_manager):
    pods = Pods(api, namespace, node)
    kubectl("create", "service", "clusterip", "big", "-n", namespace, "--tcp", "80:8080")
    for i in range(150):
        pods.create(f"p{i}", f"10.3.{i // 200}.{i % 200 + 1}", True, labels={"app": "big"})
    eventually(lambda: len(slice_endpoints(kubectl, namespace, "big")) == 150, timeout=30, what="150 endpoints")
    slices = get_json(kubectl, "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=big")["items"]
    assert len(slices) == 2
    assert all(len(s["endpoints"]) <= 100 for s in slices)
    ep = eventually(lambda: (lambda e: e if len(addresses(e) or []) == 150 else None)(
        get_json(kubectl, "endpoints", "big", "-n", namespace)), what="150 addresses")
    assert "endpoints.kubernetes.io/over-capacity" not in ep["metadata"].get("annotations", {})
