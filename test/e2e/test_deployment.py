"""The Deployment controller in `kcpp controller-manager` against a real server,
driven by the real kubectl (1.27 and 1.33 for the rollout commands): rolling
updates within maxSurge/maxUnavailable, rollout history/undo/status/pause/
resume/restart, proportional scaling mid-rollout, Recreate, the progress
deadline, and validation of a bad strategy.

No kubelet runs pods yet, so a stand-in kubelet (a thread below) marks pods
Running and Ready through pods/status; it can hold pods of a given image
un-ready to keep a rollout in flight."""

import os
import re
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import start_server

KUBECTLS = {v: f"/usr/lib/google-cloud-sdk/bin/kubectl.{v}" for v in ("1.27", "1.33")}
ELECTION = ["--leader-elect-lease-duration", "1.5", "--leader-elect-renew-deadline", "1",
            "--leader-elect-retry-period", "0.2"]


def eventually(fn, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class StandInKubelet:
    """Marks the namespace's pods Running and Ready (pods/status), except pods
    whose image is in `held`. Stands in for the scheduler and kubelets that are
    being built elsewhere; pods are not bound, so deletes are immediate."""

    def __init__(self, server, namespace):
        self.api = server.api()
        self.namespace = namespace
        self.held = set()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        path = f"/api/v1/namespaces/{self.namespace}/pods"
        while not self.stopping.is_set():
            r = self.api.get(path)
            if r.status == 200:
                for pod in r.json()["items"]:
                    self.make_ready(pod)
            self.stopping.wait(0.05)

    def make_ready(self, pod):
        if pod["metadata"].get("deletionTimestamp"):
            return
        images = {c["image"] for c in pod["spec"]["containers"]}
        if images & self.held:
            return
        if pod.get("status", {}).get("phase") == "Running":
            return
        pod["status"] = {"phase": "Running", "conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": now()},
            {"type": "ContainersReady", "status": "True", "lastTransitionTime": now()}]}
        name = pod["metadata"]["name"]
        self.api.put(f"/api/v1/namespaces/{self.namespace}/pods/{name}/status", pod)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.api.close()


class Observer:
    """Watches the namespace's pods and ReplicaSets and records the extremes a
    rollout reaches: most pods, most RS replicas in spec, fewest ready pods."""

    def __init__(self, server, namespace):
        self.server = server
        self.namespace = namespace
        self.pods = {}
        self.rs_spec = {}
        self.max_pods = 0
        self.max_spec = 0
        self.min_ready = None
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.follow, args=(kind,), daemon=True)
                        for kind in ("pods", "replicasets")]
        self.lock = threading.Lock()
        self.watches = []
        for t in self.threads:
            t.start()

    def follow(self, kind):
        api = self.server.api()
        prefix = "/api/v1" if kind == "pods" else "/apis/apps/v1"
        path = f"{prefix}/namespaces/{self.namespace}/{kind}"
        rv = api.get(path).json()["metadata"]["resourceVersion"]
        for item in api.get(path).json()["items"]:
            self.apply(kind, "ADDED", item)
        with api.watch(path, timeout=120, resourceVersion=rv) as w:
            self.watches.append(w)
            while not self.stopping.is_set():
                try:
                    ev = w.next_event(timeout=0.5)
                except Exception:
                    continue
                if ev is None:
                    return
                self.apply(kind, ev["type"], ev["object"])
        api.close()

    def apply(self, kind, type_, obj):
        name = obj["metadata"]["name"]
        with self.lock:
            if kind == "pods":
                if type_ == "DELETED":
                    self.pods.pop(name, None)
                else:
                    ready = any(c["type"] == "Ready" and c["status"] == "True"
                                for c in obj.get("status", {}).get("conditions", []))
                    self.pods[name] = ready
                self.max_pods = max(self.max_pods, len(self.pods))
                if self.min_ready is not None:  # armed by reset(): every event counts
                    self.min_ready = min(self.min_ready, sum(self.pods.values()))
            else:
                if type_ == "DELETED":
                    self.rs_spec.pop(name, None)
                else:
                    self.rs_spec[name] = obj["spec"].get("replicas", 0)
                self.max_spec = max(self.max_spec, sum(self.rs_spec.values()))

    def reset(self):
        with self.lock:
            self.max_pods = len(self.pods)
            self.max_spec = sum(self.rs_spec.values())
            self.min_ready = sum(self.pods.values())

    def track_ready(self):
        with self.lock:
            ready = sum(self.pods.values())
            self.min_ready = ready if self.min_ready is None else min(self.min_ready, ready)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=5)


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    """A server without its embedded controller-manager: these tests run their own."""
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--disable-controller-manager"])
    yield handle
    finish()


@pytest.fixture
def manager(kcpp_binary, server):
    log = tempfile.NamedTemporaryFile(prefix="kcpp-cm-", suffix=".log", delete=False)
    proc = subprocess.Popen([kcpp_binary, "controller-manager", "--kubeconfig",
                             server.kubeconfig_path, *ELECTION],
                            stdout=log, stderr=subprocess.STDOUT)
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    with open(log.name) as f:
        text = f.read()
    os.unlink(log.name)
    assert rc == 0, text


@pytest.fixture
def kubelet(server, namespace):
    k = StandInKubelet(server, namespace)
    yield k
    k.stop()


def run_kubectl(server, version, *args, check=True, input=None, timeout=60):
    """kubectl of a given version (None: the fixture's newest) against the server."""
    cmd = [KUBECTLS[version] if version else server.kubectl_binary,
           "--kubeconfig", server.kubeconfig_path, *[str(a) for a in args]]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input,
                       env=server.kubectl_env())
    if check and p.returncode != 0:
        raise AssertionError(f"kubectl {version} failed: {' '.join(cmd[3:])}\n{p.stdout}\n{p.stderr}")
    return p


def deployment(api, ns, name="web"):
    return api.get(f"/apis/apps/v1/namespaces/{ns}/deployments/{name}").json()


def replica_sets(api, ns):
    items = api.get(f"/apis/apps/v1/namespaces/{ns}/replicasets").json()["items"]
    return sorted(items, key=lambda rs: int(rs["metadata"]["annotations"].get(
        "deployment.kubernetes.io/revision", "0")))


def condition(d, type_):
    for c in d.get("status", {}).get("conditions", []):
        if c["type"] == type_:
            return c
    return None


def rolled_out(api, ns, image, replicas=3, name="web"):
    """The deployment's template has `image`, every replica is updated and
    available, and only the new RS has replicas."""
    d = deployment(api, ns, name)
    s = d.get("status", {})
    if d["spec"]["template"]["spec"]["containers"][0]["image"] != image:
        return None
    if s.get("observedGeneration") != d["metadata"]["generation"]:
        return None
    if not (s.get("updatedReplicas") == s.get("availableReplicas") == s.get("replicas") == replicas):
        return None
    active = [rs for rs in replica_sets(api, ns) if rs["spec"]["replicas"] > 0]
    if len(active) != 1 or active[0]["spec"]["template"]["spec"]["containers"][0]["image"] != image:
        return None
    return d


def rollout_until_done(observer, api, ns, image, timeout=30.0, replicas=3):
    def step():
        observer.track_ready()
        return rolled_out(api, ns, image, replicas=replicas)
    return eventually(step, timeout=timeout, what=f"rollout to {image}")


@pytest.mark.parametrize("version", ["1.27", "1.33"])
def test_rolling_update_and_rollout_commands(server, api, namespace, manager, kubelet, version):
    kc = lambda *a, **kw: run_kubectl(server, version, "-n", namespace, *a, **kw)  # noqa: E731
    observer = Observer(server, namespace)
    try:
        kc("create", "deployment", "web", "--image=nginx", "--replicas=3")
        d = eventually(lambda: rolled_out(api, namespace, "nginx"), what="3 available")
        assert condition(d, "Available")["status"] == "True"
        assert condition(d, "Available")["reason"] == "MinimumReplicasAvailable"
        assert condition(d, "Progressing")["reason"] == "NewReplicaSetAvailable"
        (first,) = replica_sets(api, namespace)
        assert condition(d, "Progressing")["message"] == \
            f'ReplicaSet "{first["metadata"]["name"]}" has successfully progressed.'
        hash_ = first["metadata"]["labels"]["pod-template-hash"]
        assert first["metadata"]["name"] == f"web-{hash_}"
        assert first["spec"]["selector"]["matchLabels"]["pod-template-hash"] == hash_
        assert first["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == hash_
        assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
        assert kc("rollout", "status", "deployment/web", "--timeout=20s").returncode == 0

        # Rolling update (25%/25% of 3: surge 1, unavailable 0).
        eventually(lambda: sum(observer.pods.values()) == 3, what="observer caught up")
        observer.reset()
        kc("set", "image", "deployment/web", "nginx=nginx:2")
        d = rollout_until_done(observer, api, namespace, "nginx:2")
        old, new = replica_sets(api, namespace)
        assert old["spec"]["replicas"] == 0 and new["spec"]["replicas"] == 3
        assert new["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
        assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
        assert observer.max_spec <= 4, f"RS replicas reached {observer.max_spec} > replicas + maxSurge"
        assert observer.min_ready >= 3, f"ready pods fell to {observer.min_ready} < replicas - maxUnavailable"
        described = kc("describe", "deployment", "web").stdout
        assert re.search(rf"NewReplicaSet:\s+{new['metadata']['name']} \(3/3 replicas created\)", described), described
        assert "Scaled up replica set" in described  # the Events section
        events = kc("get", "events", "--field-selector", "involvedObject.kind=Deployment").stdout
        assert f"Scaled up replica set {new['metadata']['name']} from 0 to 1" in events
        assert f"Scaled down replica set {old['metadata']['name']} from 3 to 2" in events

        # The deployment's change-cause is copied onto its current RS, where history reads it.
        kc("annotate", "deployment/web", "kubernetes.io/change-cause=image set to nginx:2")
        eventually(lambda: replica_sets(api, namespace)[1]["metadata"]["annotations"].get(
            "kubernetes.io/change-cause") == "image set to nginx:2", what="change-cause on the RS")
        history = kc("rollout", "history", "deployment/web").stdout
        lines = [line.split(None, 1) for line in history.splitlines()[2:] if line.strip()]
        assert [line[0] for line in lines] == ["1", "2"], history
        assert lines[0][1].strip() == "<none>" and lines[1][1].strip() == "image set to nginx:2", history
        detail = kc("rollout", "history", "deployment/web", "--revision=1").stdout
        assert "nginx" in detail and "nginx:2" not in detail

        # Undo: back to the first template, as revision 3.
        kc("rollout", "undo", "deployment/web")
        d = eventually(lambda: rolled_out(api, namespace, "nginx"), what="undo")
        assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
        rss = replica_sets(api, namespace)
        assert [rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] for rs in rss] == ["2", "3"]
        assert rss[1]["metadata"]["name"] == first["metadata"]["name"]
        assert rss[1]["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
        assert kc("rollout", "status", "deployment/web", "--timeout=20s").returncode == 0

        # Pause: a template change makes no new RS until resume.
        kc("rollout", "pause", "deployment/web")
        eventually(lambda: (condition(deployment(api, namespace), "Progressing") or {}).get("reason")
                   == "DeploymentPaused", what="Progressing DeploymentPaused")
        kc("set", "image", "deployment/web", "nginx=nginx:3")
        time.sleep(1.0)  # give the controller time to (wrongly) act
        assert len(replica_sets(api, namespace)) == 2
        assert deployment(api, namespace)["status"]["observedGeneration"] == \
            deployment(api, namespace)["metadata"]["generation"]
        kc("rollout", "resume", "deployment/web")
        rollout_until_done(observer, api, namespace, "nginx:3")
        assert len(replica_sets(api, namespace)) == 3

        # Restart: a new template annotation, a new RS.
        kc("rollout", "restart", "deployment/web")
        d = eventually(lambda: (lambda d: d if "kubectl.kubernetes.io/restartedAt" in
                                (d["spec"]["template"]["metadata"].get("annotations") or {}) and
                                rolled_out(api, namespace, "nginx:3") else None)(deployment(api, namespace)),
                       what="restart rolled out")
        assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "5"
        assert kc("rollout", "status", "deployment/web", "--timeout=20s").returncode == 0
        assert "successfully rolled out" in kc("rollout", "status", "deployment/web").stdout

        kc("delete", "deployment", "web")
        eventually(lambda: api.get(f"/apis/apps/v1/namespaces/{namespace}/deployments/web").status == 404,
                   what="deployment gone")
    finally:
        observer.stop()


def test_rollout_with_unready_new_pods_keeps_min_available(server, api, namespace, manager, kubelet):
    kc = lambda *a, **kw: run_kubectl(server, None, "-n", namespace, *a, **kw)  # noqa: E731
    kc("apply", "-f", "-", input="""
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
""")
    eventually(lambda: rolled_out(api, namespace, "nginx", replicas=4), what="4 available")
    observer = Observer(server, namespace)
    try:
        eventually(lambda: sum(observer.pods.values()) == 4, what="observer caught up")
        observer.reset()
        kubelet.held.add("nginx:2")
        kc("set", "image", "deployment/web", "nginx=nginx:2")
        # One old pod may go (unavailable 1) and two new ones come (surge 1): then it waits.
        eventually(lambda: [rs["spec"]["replicas"] for rs in replica_sets(api, namespace)] == [3, 2],
                   what="old 3 / new 2")
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            observer.track_ready()
            time.sleep(0.05)
        assert [rs["spec"]["replicas"] for rs in replica_sets(api, namespace)] == [3, 2]
        d = deployment(api, namespace)
        assert d["status"]["availableReplicas"] == 3 and d["status"]["unavailableReplicas"] == 2
        assert condition(d, "Available")["status"] == "True"  # 3 >= 4 - 1
        kubelet.held.clear()
        rollout_until_done(observer, api, namespace, "nginx:2", replicas=4)
        assert observer.max_spec <= 5, observer.max_spec
        assert observer.min_ready >= 3, observer.min_ready
    finally:
        observer.stop()


def test_scaling_mid_rollout_is_proportional(server, api, namespace, manager, kubelet):
    kc = lambda *a, **kw: run_kubectl(server, None, "-n", namespace, *a, **kw)  # noqa: E731
    kc("apply", "-f", "-", input="""
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
""")
    eventually(lambda: rolled_out(api, namespace, "nginx", replicas=4), what="4 available")
    # Hold the new pods un-ready: the rollout stops at surge 1 (old 4, new 1).
    kubelet.held.add("nginx:2")
    kc("set", "image", "deployment/web", "nginx=nginx:2")
    eventually(lambda: [rs["spec"]["replicas"] for rs in replica_sets(api, namespace)] == [4, 1],
               what="rollout stuck at old 4 / new 1")
    kc("scale", "deployment", "web", "--replicas=8")
    # 8 + surge 2 (25% rounds up) = 10 spread over 4:1 -> old 8, new 2.
    eventually(lambda: [rs["spec"]["replicas"] for rs in replica_sets(api, namespace)] == [8, 2],
               what="proportional scale to old 8 / new 2")
    old, new = replica_sets(api, namespace)
    for rs in (old, new):
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "8"
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "10"
    kubelet.held.clear()
    eventually(lambda: rolled_out(api, namespace, "nginx:2", replicas=8), what="rollout to 8")


def test_recreate_never_mixes_old_and_new_pods(server, api, namespace, manager, kubelet):
    kc = lambda *a, **kw: run_kubectl(server, None, "-n", namespace, *a, **kw)  # noqa: E731
    kc("apply", "-f", "-", input="""
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  strategy: {type: Recreate}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
""")
    eventually(lambda: rolled_out(api, namespace, "nginx"), what="3 available")
    mixed = []
    stop = threading.Event()
    watcher_api = server.api()

    def watch_mix():
        while not stop.is_set():
            pods = watcher_api.get(f"/api/v1/namespaces/{namespace}/pods").json()["items"]
            images = {p["spec"]["containers"][0]["image"] for p in pods}
            if len(images) > 1:
                mixed.append(images)
            time.sleep(0.02)
    t = threading.Thread(target=watch_mix, daemon=True)
    t.start()
    try:
        kc("set", "image", "deployment/web", "nginx=nginx:2")
        eventually(lambda: rolled_out(api, namespace, "nginx:2"), what="recreated")
    finally:
        stop.set()
        t.join(timeout=5)
        watcher_api.close()
    assert not mixed, f"old and new pods at once: {mixed[:3]}"


def test_progress_deadline_exceeded(server, api, namespace, manager, kubelet):
    kc = lambda *a, **kw: run_kubectl(server, None, "-n", namespace, *a, **kw)  # noqa: E731
    kubelet.held.add("never-ready")
    kc("apply", "-f", "-", input="""
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 2
  progressDeadlineSeconds: 3
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec: {containers: [{name: c, image: never-ready}]}
""")
    cond = eventually(lambda: (lambda c: c if c and c["status"] == "False" else None)(
        condition(deployment(api, namespace, "stuck"), "Progressing")), timeout=15,
        what="Progressing False")
    assert cond["reason"] == "ProgressDeadlineExceeded"
    (rs,) = replica_sets(api, namespace)
    assert cond["message"] == f'ReplicaSet "{rs["metadata"]["name"]}" has timed out progressing.'
    assert condition(deployment(api, namespace, "stuck"), "Available")["status"] == "False"
    p = kc("rollout", "status", "deployment/stuck", "--timeout=10s", check=False)
    assert p.returncode != 0 and "exceeded its progress deadline" in p.stderr


def test_invalid_strategy_is_rejected(server, namespace):
    p = run_kubectl(server, None, "-n", namespace, "apply", "-f", "-", check=False, input="""
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  replicas: 1
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: bad}}
    spec: {containers: [{name: c, image: nginx}]}
""")
    assert p.returncode != 0
    # Upstream prints the intstr with Go's %#v.
    assert 'The Deployment "bad" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: ' \
           'intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0' in p.stderr, p.stderr
