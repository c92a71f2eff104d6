"""kubectl logs / exec / attach / port-forward / cp through `kcpp server` to a
kubelet server, driven by the real kubectl (1.27: SPDY; 1.33: WebSocket v5
for exec, SPDY tunnelled in WebSocket for port-forward).

The node is a kubelet server over a FAKE runtime (kcpp_fake_kubelet: commands
run as local child processes, port-forward reaches 127.0.0.1, logs are fixture
files in CRI format). The real-containerd version of these tests comes with
the kubelet's integration."""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import unique
from kcpp_harness import free_port

KUBECTL_DIR = "/usr/lib/google-cloud-sdk/bin"
NODE = "stream-node"
VERSIONS = ["1.27", "1.33"]


def kubectl_path(version):
    path = os.path.join(KUBECTL_DIR, f"kubectl.{version}")
    if not os.access(path, os.X_OK):
        pytest.skip(f"kubectl {version} not installed")
    return path


@pytest.fixture(scope="module")
def kubelet(server, api):
    """The fake node: a Node object pointing at a kcpp_fake_kubelet process."""
    binary = os.environ.get("KCPP_FAKE_KUBELET") or os.path.join(
        os.path.dirname(server.server.binary), "src/kubelet/server/fake_kubelet/kcpp_fake_kubelet")
    root = tempfile.mkdtemp(prefix="kcpp-kubelet-")
    port = free_port()
    log = open(os.path.join(root, "kubelet.log"), "w")
    proc = subprocess.Popen(
        [binary, "--kubeconfig", server.kubeconfig_path, "--node-name", NODE, "--port", str(port),
         "--log-dir", os.path.join(root, "logs"),
         "--client-ca-file", os.path.join(server.server.data_dir, "server/tls/client-ca.crt")],
        stdout=log, stderr=subprocess.STDOUT)
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": NODE},
            "spec": {"unschedulable": True}}  # only pods bound by name land here
    r = api.post("/api/v1/nodes", node)
    assert r.status == 201, r
    set_kubelet_endpoint(api, NODE, port)
    deadline = time.monotonic() + 10
    while True:  # the kubelet answers once listening
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None, open(os.path.join(root, "kubelet.log")).read()
            assert time.monotonic() < deadline, "fake kubelet did not listen"
            time.sleep(0.05)
    yield {"root": root, "port": port, "logs": os.path.join(root, "logs")}
    proc.terminate()
    proc.wait(timeout=10)
    log.close()
    shutil.rmtree(root, ignore_errors=True)


def set_kubelet_endpoint(api, name, port):
    """The node's address and kubelet port, as a kubelet reports them (a merge
    patch: the controller-manager writes the node concurrently)."""
    r = api.patch(f"/api/v1/nodes/{name}/status",
                  {"status": {"addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
                              "daemonEndpoints": {"kubeletEndpoint": {"Port": port}}}})
    assert r.status == 200, r


def make_pod(api, namespace, name, containers, node=NODE):
    spec = {"containers": [{"name": c, "image": "docker.io/kcpp/busybox:1.35",
                            "command": ["sh", "-c", "echo attached-output; sleep 0.2"]}
                           for c in containers]}
    if node:
        spec["nodeName"] = node
    r = api.post(f"/api/v1/namespaces/{namespace}/pods",
                 {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec})
    assert r.status == 201, r
    return r.json()


def wait_known_to_kubelet(server, namespace, pod, version="1.33"):
    """The fake kubelet polls its pods; wait until it serves this one."""
    deadline = time.monotonic() + 10
    while True:
        p = run(server, version, "exec", "-n", namespace, pod, "--", "true")
        if p.returncode == 0:
            return
        assert time.monotonic() < deadline, p.stderr
        time.sleep(0.1)


def run(server, version, *args, input=None, timeout=60):
    cmd = [kubectl_path(version), "--kubeconfig", server.kubeconfig_path] + list(args)
    return subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout,
                          env=server.kubectl_env())


@pytest.fixture(scope="module")
def pod(server, api, kubelet):
    namespace = unique("stream")
    r = api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                         "metadata": {"name": namespace}})
    assert r.status == 201, r
    obj = make_pod(api, namespace, "web", ["main"])
    # Running, as the node's kubelet would report it (port-forward requires it).
    r = api.patch(f"/api/v1/namespaces/{namespace}/pods/web/status", {"status": {"phase": "Running"}})
    assert r.status == 200, r
    wait_known_to_kubelet(server, namespace, "web")
    return {"namespace": namespace, "name": "web", "uid": obj["metadata"]["uid"]}


@pytest.mark.parametrize("version", VERSIONS)
def test_exec_prints_output_and_returns_exit_codes(server, pod, version):
    ns = pod["namespace"]
    p = run(server, version, "exec", "-n", ns, "web", "--", "echo", "hi")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "hi\n"
    p = run(server, version, "exec", "-n", ns, "web", "--", "sh", "-c", "exit 3")
    assert p.returncode == 3, (p.stdout, p.stderr)
    p = run(server, version, "exec", "-n", ns, "web", "--", "sh", "-c", "echo to-stderr >&2")
    assert p.returncode == 0
    assert "to-stderr" in p.stderr
    assert p.stdout == ""


@pytest.mark.parametrize("version", VERSIONS)
def test_exec_with_stdin(server, pod, version):
    data = "".join(f"line {i}\n" for i in range(2000))  # > one frame
    p = run(server, version, "exec", "-i", "-n", pod["namespace"], "web", "--", "cat", input=data)
    assert p.returncode == 0, p.stderr
    assert p.stdout == data
    p = run(server, version, "exec", "-i", "-n", pod["namespace"], "web", "--", "wc", "-c",
            input="abc")
    assert p.stdout.strip() == "3"


@pytest.mark.parametrize("version", VERSIONS)
def test_exec_errors(server, api, pod, version):
    ns = pod["namespace"]
    p = run(server, version, "exec", "-n", ns, "web", "-c", "nope", "--", "echo")
    assert p.returncode != 0
    assert "container nope is not valid for pod web" in p.stderr
    p = run(server, version, "exec", "-n", ns, "missing", "--", "echo")
    assert p.returncode != 0
    assert 'pods "missing" not found' in p.stderr


def test_exec_on_pod_without_node(server, api, pod):
    ns = pod["namespace"]
    make_pod(api, ns, "pending", ["main"], node=None)
    p = run(server, "1.33", "exec", "-n", ns, "pending", "--", "echo")
    assert p.returncode != 0
    assert "pod pending does not have a host assigned" in p.stderr
    # Logs of a pod on no node: empty, as upstream.
    p = run(server, "1.33", "logs", "-n", ns, "pending")
    assert p.returncode == 0, p.stderr
    assert p.stdout == ""


def test_unreachable_kubelet(server, api, pod):
    ns = pod["namespace"]
    dead = unique("dead-node")
    r = api.post("/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": dead},
                                   "spec": {"unschedulable": True}})
    assert r.status == 201
    set_kubelet_endpoint(api, dead, free_port())
    make_pod(api, ns, "orphan", ["main"], node=dead)
    p = run(server, "1.33", "logs", "-n", ns, "orphan")
    assert p.returncode != 0
    assert "connect: connection refused" in p.stderr
    p = run(server, "1.33", "exec", "-n", ns, "orphan", "--", "true")
    assert p.returncode != 0
    assert "error dialing backend" in p.stderr


def write_log(kubelet, pod, container, restart, lines):
    d = os.path.join(kubelet["logs"], "pods", f"{pod['namespace']}_{pod['name']}_{pod['uid']}",
                     container)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, f"{restart}.log")
    with open(path, "a") as f:
        for line in lines:
            f.write(line + "\n")
    return path


@pytest.fixture(scope="module")
def logs(kubelet, pod):
    write_log(kubelet, pod, "main", 0, [
        "2024-01-01T00:00:00.000000001Z stdout F old one",
        "2024-01-01T00:00:01.000000000Z stdout F old two"])
    return write_log(kubelet, pod, "main", 1, [
        "2024-01-01T00:01:00.000000000Z stdout F first",
        "2024-01-01T00:01:01.000000000Z stderr F second",
        "2024-01-01T00:01:02.000000000Z stdout P par",
        "2024-01-01T00:01:02.100000000Z stdout F tial",
        "2024-01-01T00:01:03.000000000Z stdout F last"])


@pytest.mark.parametrize("version", VERSIONS)
def test_logs(server, pod, logs, version):
    ns = pod["namespace"]
    p = run(server, version, "logs", "-n", ns, "web")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "first\nsecond\npartial\nlast\n"
    p = run(server, version, "logs", "-n", ns, "web", "--tail=1")
    assert p.stdout == "last\n"
    p = run(server, version, "logs", "-n", ns, "web", "--previous")
    assert p.stdout == "old one\nold two\n"
    p = run(server, version, "logs", "-n", ns, "web", "-c", "main", "--timestamps", "--tail=1")
    assert p.stdout == "2024-01-01T00:01:03.000000000Z last\n"
    p = run(server, version, "logs", "-n", ns, "web", "--limit-bytes=8")
    assert p.stdout == "first\nse"
    p = run(server, version, "logs", "-n", ns, "web", "--since-time=2024-01-01T00:01:02Z")
    assert p.stdout == "partial\nlast\n"


def test_logs_follow(server, pod, logs, kubelet):
    proc = subprocess.Popen([kubectl_path("1.33"), "--kubeconfig", server.kubeconfig_path, "logs",
                             "-f", "--tail=1", "-n", pod["namespace"], "web"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=server.kubectl_env())
    try:
        assert proc.stdout.readline() == "last\n"
        write_log(kubelet, pod, "main", 1, ["2024-01-01T00:02:00.000000000Z stdout F appended"])
        got = []
        threading.Thread(target=lambda: got.append(proc.stdout.readline()), daemon=True).start()
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
        assert got == ["appended\n"]
    finally:
        proc.kill()
        proc.wait()


def test_log_errors(server, api, pod, logs):
    ns = pod["namespace"]
    r = api.get(f"/api/v1/namespaces/{ns}/pods/web/log?tailLines=-1")
    assert r.status == 422, r
    assert r.json()["message"] == ('PodLogOptions "web" is invalid: tailLines: Invalid value: -1: '
                                   'must be greater than or equal to 0')
    r = api.get(f"/api/v1/namespaces/{ns}/pods/web/log?limitBytes=0")
    assert r.status == 422
    r = api.get(f"/api/v1/namespaces/{ns}/pods/web/log?tailLines=abc")
    assert r.status == 400
    r = api.get(f"/api/v1/namespaces/{ns}/pods/web/log?container=nope")
    assert r.status == 400
    assert r.json()["message"] == "container nope is not valid for pod web"
    make_pod(api, ns, "two", ["a", "b"])
    r = api.get(f"/api/v1/namespaces/{ns}/pods/two/log")
    assert r.status == 400
    assert r.json()["message"] == "a container name must be specified for pod two, choose one of: [a b]"
    p = run(server, "1.33", "logs", "-n", ns, "web", "-c", "main", "--previous", "--tail=-1")
    assert p.returncode == 0, p.stderr  # -1: everything
    assert p.stdout == "old one\nold two\n"


class EchoServer:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.echo, args=(conn,), daemon=True).start()

    @staticmethod
    def echo(conn):
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)


@pytest.mark.parametrize("version", VERSIONS)
def test_port_forward(server, pod, version):
    echo = EchoServer()
    local = free_port()
    proc = subprocess.Popen([kubectl_path(version), "--kubeconfig", server.kubeconfig_path,
                             "port-forward", "-n", pod["namespace"], "pod/web",
                             f"{local}:{echo.port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=server.kubectl_env())
    try:
        assert "Forwarding from" in proc.stdout.readline()
        for attempt in range(2):  # two connections over the same session
            with socket.create_connection(("127.0.0.1", local), timeout=10) as c:
                payload = (f"hello {attempt} " * 5000).encode()
                c.sendall(payload)
                got = b""
                while len(got) < len(payload):
                    chunk = c.recv(65536)
                    assert chunk, "connection closed early"
                    got += chunk
                assert got == payload
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        echo.sock.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_cp_both_ways(server, pod, version, tmp_path):
    src = tmp_path / "src.txt"
    src.write_text("copied content\n")
    dest_dir = tmp_path / "in-pod"
    dest_dir.mkdir()
    ns = pod["namespace"]
    p = run(server, version, "cp", str(src), f"{ns}/web:{dest_dir}/dest.txt")
    assert p.returncode == 0, p.stderr
    assert (dest_dir / "dest.txt").read_text() == "copied content\n"
    back = tmp_path / "back.txt"
    p = run(server, version, "cp", f"{ns}/web:{dest_dir}/dest.txt", str(back))
    assert p.returncode == 0, p.stderr
    assert back.read_text() == "copied content\n"


def test_attach(server, pod):
    p = run(server, "1.33", "attach", "-n", pod["namespace"], "web", "-c", "main")
    assert p.returncode == 0, p.stderr
    assert "attached-output" in p.stdout


def test_kubelet_requires_credentials(kubelet):
    import ssl
    import http.client
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", kubelet["port"], context=ctx, timeout=10)
    conn.request("GET", "/pods")
    r = conn.getresponse()
    assert r.status == 401
    conn.close()
    conn = http.client.HTTPSConnection("127.0.0.1", kubelet["port"], context=ctx, timeout=10)
    conn.request("GET", "/pods", headers={"Authorization": "Bearer not-a-token"})
    assert conn.getresponse().status == 401
    conn.close()


def test_nodes_proxy(server, api, kubelet, pod):
    r = api.get(f"/api/v1/nodes/{NODE}/proxy/healthz")
    assert r.status == 200, r
    assert r.text == "ok"
    r = api.get(f"/api/v1/nodes/{NODE}/proxy/pods")
    assert r.status == 200
    names = [p["metadata"]["name"] for p in r.json()["items"]]
    assert "web" in names
    r = api.get(f"/api/v1/nodes/{NODE}/proxy/stats/summary")
    assert r.status == 200
    summary = r.json()
    assert summary["node"]["nodeName"] == NODE
    assert summary["node"]["memory"]["workingSetBytes"] > 0
    r = api.get(f"/api/v1/nodes/{NODE}/proxy/metrics")
    assert r.status == 200
    assert "kubelet_running_pods" in r.text
