"""The kubelet's node side against a real server, with the real kubectl and no
container runtime: `kcpp kubelet` registers its Node (capacity, addresses,
nodeInfo, conditions as upstream's), renews its Lease every 10 s, and turns
static pod manifests into mirror pods; `kcpp agent` checks the join token
against the server's CA; `kcpp server --disable-agent=false` runs its own
agent as system:node:<name>, labelled as a control-plane node.

Without a container runtime the node is honestly NotReady with upstream's
"container runtime status check may not have completed yet"."""

import json
import os
import platform
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import start_server
from kcpp_harness import free_port

NODE = "e2e-node"
NOT_CHECKED = "container runtime status check may not have completed yet"


def wait_until(predicate, timeout=15.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def node_kubeconfig(server, node, directory):
    """A client certificate for system:node:<node> (group system:nodes) from the
    cluster's client CA, as a node's kubelet would hold, in a kubeconfig."""
    tls = os.path.join(server.server.data_dir, "server", "tls")
    key = os.path.join(directory, "node.key")
    csr = os.path.join(directory, "node.csr")
    crt = os.path.join(directory, "node.crt")
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", csr, "-subj", f"/O=system:nodes/CN=system:node:{node}"],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(tls, "client-ca.crt"),
                    "-CAkey", os.path.join(tls, "client-ca.key"), "-CAcreateserial", "-days", "1",
                    "-out", crt], check=True, capture_output=True)
    path = os.path.join(directory, "kubelet.kubeconfig")
    with open(path, "w") as f:
        f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: default
  cluster:
    server: https://127.0.0.1:{server.server.port}
    certificate-authority: {os.path.join(tls, "server-ca.crt")}
users:
- name: default
  user:
    client-certificate: {crt}
    client-key: {key}
contexts:
- name: default
  context: {{cluster: default, user: default}}
current-context: default
""")
    return path


class Kubelet:
    def __init__(self, binary, args):
        self.log = tempfile.NamedTemporaryFile(prefix="kcpp-kubelet-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([binary, *args], stdout=self.log, stderr=subprocess.STDOUT)

    def text(self):
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.unlink(self.log.name)


@pytest.fixture(scope="module")
def cluster(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary, ["--disable-agent"])
    yield handle
    finish()


@pytest.fixture(scope="module")
def node(cluster, kcpp_binary):
    work = tempfile.mkdtemp(prefix="kcpp-kubelet-e2e-")
    kubeconfig = node_kubeconfig(cluster, NODE, work)
    port = free_port()
    data_dir = os.path.join(work, "data")
    kubelet = Kubelet(kcpp_binary, ["kubelet", "--kubeconfig", kubeconfig, "--node-name", NODE,
                                    "--data-dir", data_dir, "--kubelet-port", str(port),
                                    "--kube-reserved", "cpu=100m,memory=100Mi",
                                    "--node-status-update-frequency", "1s", "--file-check-frequency", "1s"])
    try:
        wait_until(lambda: cluster.kubectl("get", "node", NODE, check=False).returncode == 0, 20,
                   what="the Node to register")
        yield {"port": port, "manifests": os.path.join(data_dir, "agent", "pod-manifests"), "kubelet": kubelet,
               "data_dir": data_dir, "kubeconfig": kubeconfig}
    except Exception:
        print(kubelet.text())
        raise
    finally:
        kubelet.stop()
        subprocess.run(["rm", "-rf", work])


def get_json(cluster, *args):
    return json.loads(cluster.kubectl("get", *args, "-o", "json").stdout)


def conditions_of(node_obj):
    return {c["type"]: c for c in node_obj["status"].get("conditions", [])}


def test_node_registers_with_capacity_addresses_node_info_and_conditions(cluster, node):
    n = get_json(cluster, "node", NODE)
    labels = n["metadata"]["labels"]
    assert labels["kubernetes.io/hostname"] == NODE
    assert labels["kubernetes.io/os"] == "linux"
    assert labels["kubernetes.io/arch"] == "amd64"
    assert "node.kubernetes.io/instance-type" not in labels
    # A kubelet may not make itself a control-plane node.
    assert "node-role.kubernetes.io/control-plane" not in labels

    status = n["status"]
    capacity, allocatable = status["capacity"], status["allocatable"]
    assert capacity["cpu"] == str(os.cpu_count())
    assert capacity["pods"] == "110" and allocatable["pods"] == "110"
    assert capacity["hugepages-2Mi"] == "0"
    for resource in ("memory", "ephemeral-storage"):
        assert resource in capacity and resource in allocatable
    with open("/proc/meminfo") as f:
        mem_kib = int(next(line for line in f if line.startswith("MemTotal:")).split()[1])
    # Allocatable = capacity − kube-reserved (100Mi) − eviction hard (100Mi); cpu − 100m.
    out = cluster.kubectl("get", "node", NODE, "-o",
                          "jsonpath={.status.capacity.memory} {.status.allocatable.memory} "
                          "{.status.allocatable.cpu}").stdout.split()
    def kib(q):
        units = {"Ki": 1, "Mi": 1024, "Gi": 1024 ** 2}
        for suffix, factor in units.items():
            if q.endswith(suffix):
                return int(q[:-2]) * factor
        return int(q) // 1024
    assert kib(out[0]) == mem_kib
    assert kib(out[1]) == mem_kib - 200 * 1024
    assert out[2] == f"{os.cpu_count() * 1000 - 100}m"

    addresses = {a["type"]: a["address"] for a in status["addresses"]}
    assert addresses["Hostname"] == NODE
    assert addresses["InternalIP"]
    assert status["daemonEndpoints"]["kubeletEndpoint"]["Port"] == node["port"]

    info = status["nodeInfo"]
    assert info["kernelVersion"] == platform.release()
    with open("/etc/os-release") as f:
        pretty = next(line for line in f if line.startswith("PRETTY_NAME=")).split("=", 1)[1].strip().strip('"')
    assert info["osImage"] == pretty
    assert info["operatingSystem"] == "linux" and info["architecture"] == "amd64"
    with open("/proc/sys/kernel/random/boot_id") as f:
        assert info["bootID"] == f.read().strip()
    version = json.loads(cluster.kubectl("version", "-o", "json").stdout)["serverVersion"]["gitVersion"]
    assert info["kubeletVersion"] == version
    assert info["containerRuntimeVersion"] == ""  # no runtime in this mode

    conditions = conditions_of(n)
    assert [c["type"] for c in status["conditions"]][-1] == "Ready"
    assert conditions["MemoryPressure"]["status"] == "False"
    assert conditions["MemoryPressure"]["reason"] == "KubeletHasSufficientMemory"
    assert conditions["MemoryPressure"]["message"] == "kubelet has sufficient memory available"
    assert conditions["DiskPressure"]["reason"] == "KubeletHasNoDiskPressure"
    assert conditions["PIDPressure"]["reason"] == "KubeletHasSufficientPID"
    ready = conditions["Ready"]
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", "KubeletNotReady", NOT_CHECKED)
    table = cluster.kubectl("get", "node", NODE).stdout
    assert "NotReady" in table


def test_lease_renewed_every_ten_seconds(cluster, node):
    def lease():
        return get_json(cluster, "lease", "-n", "kube-node-lease", NODE)

    first = lease()
    assert first["spec"]["holderIdentity"] == NODE
    assert first["spec"]["leaseDurationSeconds"] == 40
    owner = first["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"]) == ("Node", NODE)
    assert owner["uid"] == get_json(cluster, "node", NODE)["metadata"]["uid"]
    t0 = first["spec"]["renewTime"]
    second = wait_until(lambda: (l := lease())["spec"]["renewTime"] != t0 and l, 15, 0.25,
                        what="a lease renewal")
    t1 = second["spec"]["renewTime"]
    third = wait_until(lambda: (l := lease())["spec"]["renewTime"] != t1 and l, 15, 0.25,
                       what="another lease renewal")
    from datetime import datetime
    parse = lambda t: datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ")
    interval = (parse(third["spec"]["renewTime"]) - parse(t1)).total_seconds()
    assert 9.0 <= interval <= 11.5, interval


MANIFEST = """apiVersion: v1
kind: Pod
metadata:
  name: static-web
  labels: {app: static-web}
spec:
  containers:
  - name: c
    image: docker.io/kcpp/busybox:1.35
    command: ["sleep", "%s"]
"""


def test_static_pod_gets_a_mirror_pod_that_comes_back_and_follows_the_file(cluster, node):
    name = f"static-web-{NODE}"
    path = os.path.join(node["manifests"], "static-web.yaml")

    def mirror():
        p = cluster.kubectl("get", "pod", name, "-o", "json", check=False)
        return json.loads(p.stdout) if p.returncode == 0 else None

    def write(seconds):
        tmp = path + ".tmp"
        with open(os.path.join(node["manifests"], ".static-web.tmp"), "w") as f:
            f.write(MANIFEST % seconds)
        os.rename(os.path.join(node["manifests"], ".static-web.tmp"), path)
        del tmp

    write(3600)
    first = wait_until(mirror, 10, what="the mirror pod")
    annotations = first["metadata"]["annotations"]
    assert annotations["kubernetes.io/config.source"] == "file"
    assert annotations["kubernetes.io/config.mirror"] == annotations["kubernetes.io/config.hash"]
    assert annotations["kubernetes.io/config.seen"]
    assert first["spec"]["nodeName"] == NODE
    owner = first["metadata"]["ownerReferences"][0]
    assert (owner["apiVersion"], owner["kind"], owner["name"], owner["controller"]) == ("v1", "Node", NODE, True)
    assert owner["uid"] == get_json(cluster, "node", NODE)["metadata"]["uid"]
    assert {"operator": "Exists", "effect": "NoExecute"} in first["spec"]["tolerations"]
    listed = cluster.kubectl("get", "pods").stdout
    assert name in listed

    # Deleted through the API: the kubelet makes it again. As upstream, the API
    # gives the new mirror a new uid; its hash (the static pod's uid) stays.
    # (--wait=false: the mirror is back within milliseconds, before kubectl's
    # own wait could see it go.)
    cluster.kubectl("delete", "pod", name, "--wait=false")
    second = wait_until(lambda: (m := mirror()) and m["metadata"]["uid"] != first["metadata"]["uid"]
                        and "deletionTimestamp" not in m["metadata"] and m, 10, what="the mirror pod back")
    assert second["metadata"]["annotations"]["kubernetes.io/config.mirror"] == annotations["kubernetes.io/config.hash"]

    # An edit is a new static pod: a new hash, the mirror replaced.
    write(3601)
    third = wait_until(lambda: (m := mirror()) and m["metadata"]["annotations"]["kubernetes.io/config.mirror"]
                       != annotations["kubernetes.io/config.hash"] and m, 10, what="the replaced mirror")
    assert third["spec"]["containers"][0]["command"] == ["sleep", "3601"]
    assert third["metadata"]["uid"] != second["metadata"]["uid"]

    # The file goes: the mirror goes.
    os.unlink(path)
    wait_until(lambda: mirror() is None, 10, what="the mirror pod to go")
    log = node["kubelet"].text()
    assert "REMOVE pod default/" + name in log


def test_pods_bound_to_the_node_reach_the_kubelet(cluster, node):
    """The API source: pods with spec.nodeName=<node> reach the pod handler as
    ADD, and a graceful deletion as DELETE (with no runtime to stop them they
    stay Terminating, as under upstream's kubelet without one)."""
    namespace = "bound-e2e"
    cluster.kubectl("create", "namespace", namespace)
    wait_until(lambda: cluster.kubectl("get", "serviceaccount", "default", "-n", namespace,
                                       check=False).returncode == 0, 15, what="the default ServiceAccount")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bound", "namespace": namespace},
           "spec": {"nodeName": NODE, "containers": [{"name": "c", "image": "docker.io/kcpp/busybox:1.35"}]}}
    cluster.kubectl("apply", "-f", "-", input=json.dumps(pod))
    wait_until(lambda: f"ADD pod {namespace}/bound from api" in node["kubelet"].text(), 10,
               what="the kubelet to see the pod")
    other = dict(pod, metadata={"name": "elsewhere", "namespace": namespace})
    other["spec"] = dict(pod["spec"], nodeName="another-node")
    cluster.kubectl("apply", "-f", "-", input=json.dumps(other))
    cluster.kubectl("delete", "pod", "bound", "-n", namespace, "--wait=false")
    wait_until(lambda: f"DELETE pod {namespace}/bound from api" in node["kubelet"].text(), 10,
               what="the kubelet to see the deletion")
    assert f"{namespace}/elsewhere" not in node["kubelet"].text()
    cluster.kubectl("delete", "pod", "bound", "elsewhere", "-n", namespace, "--grace-period=0", "--force",
                    check=False)


def test_bad_manifest_is_reported_and_makes_no_pod(cluster, node):
    path = os.path.join(node["manifests"], "broken.yaml")
    with open(path, "w") as f:
        f.write("apiVersion: v1\nkind: Pod\nmetadata: {name: broken}\nspec: {}\n")
    try:
        wait_until(lambda: "broken.yaml: spec.containers: Required value" in node["kubelet"].text(), 10,
                   what="the kubelet to report the bad manifest")
        assert cluster.kubectl("get", "pod", f"broken-{NODE}", check=False).returncode != 0
    finally:
        os.unlink(path)


def test_kcpp_kubelet_rejects_bad_flags(kcpp_binary, tmp_path):
    kubeconfig = tmp_path / "k.yaml"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters:\n- name: d\n  cluster: {server: 'https://127.0.0.1:1'}\n"
                          "users:\n- name: d\n  user: {token: x}\ncontexts:\n- name: d\n  context: {cluster: d, user: d}\n"
                          "current-context: d\n")
    p = subprocess.run([kcpp_binary, "kubelet", "--kubeconfig", str(kubeconfig), "--data-dir", str(tmp_path),
                        "--kube-reserved", "gpu=1"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    assert 'cannot reserve "gpu" resource' in p.stdout + p.stderr
    p = subprocess.run([kcpp_binary, "kubelet"], capture_output=True, text=True, timeout=10)
    assert p.returncode != 0 and "--kubeconfig" in p.stdout + p.stderr


def test_agent_checks_the_join_token_against_the_ca(cluster, kcpp_binary, tmp_path):
    with open(os.path.join(cluster.server.data_dir, "server", "token")) as f:
        token = f.read().strip()
    kubeconfig = node_kubeconfig(cluster, "agent-node", str(tmp_path))
    server_url = f"https://127.0.0.1:{cluster.server.port}"
    wrong = "K10" + "0" * 64 + "::server:" + token.split("::server:")[1]
    p = subprocess.run([kcpp_binary, "agent", "--server", server_url, "--token", wrong, "--kubeconfig", kubeconfig,
                        "--data-dir", str(tmp_path / "data"), "--node-name", "agent-node"],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    assert "does not match the token's CA hash" in p.stdout + p.stderr
    p = subprocess.run([kcpp_binary, "agent", "--server", server_url, "--token", token],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    assert "CertificateSigningRequest API" in p.stdout + p.stderr
    agent = Kubelet(kcpp_binary, ["agent", "--server", server_url, "--token", token, "--kubeconfig", kubeconfig,
                                  "--data-dir", str(tmp_path / "data"), "--node-name", "agent-node",
                                  "--kubelet-port", str(free_port())])
    try:
        wait_until(lambda: cluster.kubectl("get", "node", "agent-node", check=False).returncode == 0, 20,
                   what="the agent's Node")
    finally:
        agent.stop()
        cluster.kubectl("delete", "node", "agent-node", "--wait=false", check=False)


def test_server_runs_its_own_agent_when_asked(kcpp_binary, kubectl_binary):
    port = free_port()
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent=false", "--node-name", "server-node", "--kubelet-port", str(port)])
    try:
        wait_until(lambda: handle.kubectl("get", "node", "server-node", check=False).returncode == 0, 20,
                   what="the server's Node")
        labels = wait_until(lambda: (l := get_json(handle, "node", "server-node")["metadata"]["labels"])
                            .get("node-role.kubernetes.io/control-plane") and l, 10, what="the role labels")
        assert labels["node-role.kubernetes.io/master"] == "true"
        n = get_json(handle, "node", "server-node")
        assert n["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"] == port
        assert conditions_of(n)["Ready"]["message"] == NOT_CHECKED
        roles = handle.kubectl("get", "node", "server-node").stdout
        assert "control-plane,master" in roles
        # Its credentials are a node's (the Node authorizer names the user when it refuses).
        kubeconfig = os.path.join(handle.server.data_dir, "agent", "kubelet.kubeconfig")
        denied = subprocess.run([kubectl_binary, "--kubeconfig", kubeconfig, "get", "secrets", "-A"],
                                capture_output=True, text=True, timeout=30)
        assert denied.returncode != 0
        assert 'User "system:node:server-node" cannot list resource "secrets"' in denied.stderr
    finally:
        finish()
