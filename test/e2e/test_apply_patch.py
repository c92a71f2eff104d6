"""kubectl apply (client-side: three-way strategic merge patches with $setElementOrder and
$retainKeys), kubectl patch of every type, set image, edit, label, annotate and scale,
with the newest and the oldest supported kubectl."""

import json
import os
import subprocess

import pytest

from conftest import unique

KUBECTL_1_27 = "/usr/lib/google-cloud-sdk/bin/kubectl.1.27"


def deployment_yaml(name, image="nginx:1.24", labels=("app: web", "tier: front"), sidecar_args=True,
                    strategy=None, sidecar=True):
    label_lines = "".join(f"\n    {label}" for label in labels)
    args = '\n        args: ["sleep", "3600"]' if sidecar_args else ""
    strategy_block = f"\n  strategy:\n    type: {strategy}" if strategy else ""
    sidecar_block = f"\n      - name: sidecar\n        image: busybox{args}" if sidecar else ""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:{label_lines}
spec:
  replicas: 1{strategy_block}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: {image}
        ports:
        - containerPort: 80{sidecar_block}
"""


class Kubectl:
    """One kubectl binary against the module's server, with its own cache directory."""

    def __init__(self, server, binary):
        self.server = server
        self.binary = binary
        self.home = os.path.join(server.home, os.path.basename(binary))
        os.makedirs(self.home, exist_ok=True)

    def __call__(self, *args, input=None, check=True, env=None):
        e = self.server.kubectl_env()
        e["HOME"] = self.home
        e.update(env or {})
        cmd = [self.binary, "--kubeconfig", self.server.kubeconfig_path] + [str(a) for a in args]
        p = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=60, env=e)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl failed (rc={p.returncode}): {' '.join(cmd[3:])}\n"
                                 f"stdout: {p.stdout}\nstderr: {p.stderr}")
        return p

    def get(self, kind, name, ns):
        return json.loads(self("get", kind, name, "-n", ns, "-o", "json").stdout)

    def apply(self, manifest, ns):
        return self("apply", "-n", ns, "-f", "-", input=manifest).stdout.strip()


@pytest.fixture(scope="module", params=["newest", "1.27"])
def kc(request, server):
    if request.param == "newest":
        return Kubectl(server, server.kubectl_binary)
    if not os.access(KUBECTL_1_27, os.X_OK):
        pytest.skip("kubectl 1.27 is not installed")
    return Kubectl(server, KUBECTL_1_27)


def containers(obj):
    return [(c["name"], c["image"]) for c in obj["spec"]["template"]["spec"]["containers"]]


def test_apply_creates_then_is_unchanged(kc, namespace):
    name = unique("web")
    assert kc.apply(deployment_yaml(name), namespace) == f"deployment.apps/{name} created"
    live = kc.get("deployment", name, namespace)
    last = json.loads(live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.24", last
    assert kc.apply(deployment_yaml(name), namespace) == f"deployment.apps/{name} unchanged"
    assert kc.get("deployment", name, namespace)["metadata"]["resourceVersion"] == \
        live["metadata"]["resourceVersion"]


def test_apply_removes_what_the_manifest_no_longer_has(kc, namespace):
    name = unique("web")
    kc.apply(deployment_yaml(name), namespace)
    # A label set outside the manifest is not the manifest's to remove.
    kc("label", "deployment", name, "owner=ops", "-n", namespace)
    out = kc.apply(deployment_yaml(name, labels=("app: web",), sidecar_args=False), namespace)
    assert out == f"deployment.apps/{name} configured"
    live = kc.get("deployment", name, namespace)
    assert live["metadata"]["labels"] == {"app": "web", "owner": "ops"}, live["metadata"]
    sidecar = live["spec"]["template"]["spec"]["containers"][1]
    assert "args" not in sidecar, sidecar
    assert containers(live) == [("web", "nginx:1.24"), ("sidecar", "busybox")]
    assert live["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] == 80
    # A container the manifest drops is deleted by its merge key.
    kc.apply(deployment_yaml(name, labels=("app: web",), sidecar=False), namespace)
    assert containers(kc.get("deployment", name, namespace)) == [("web", "nginx:1.24")]


def test_apply_changing_the_image_changes_only_the_image(kc, namespace):
    name = unique("web")
    kc.apply(deployment_yaml(name), namespace)
    before = kc.get("deployment", name, namespace)
    assert kc.apply(deployment_yaml(name, image="nginx:1.25"), namespace) == \
        f"deployment.apps/{name} configured"
    after = kc.get("deployment", name, namespace)
    assert containers(after) == [("web", "nginx:1.25"), ("sidecar", "busybox")]
    for obj in (before, after):
        obj["spec"]["template"]["spec"]["containers"][0].pop("image")
        for field in ("resourceVersion", "generation", "annotations", "managedFields"):
            obj["metadata"].pop(field, None)
        obj.pop("status", None)
    assert before == after


def test_apply_switching_strategy_clears_rolling_update(kc, namespace):
    # DeploymentStrategy has the retainKeys patch strategy: kubectl sends $retainKeys.
    name = unique("web")
    kc.apply(deployment_yaml(name, strategy="RollingUpdate"), namespace)
    kc("patch", "deployment", name, "-n", namespace, "--type=merge",
       "-p", '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1}}}}')
    kc.apply(deployment_yaml(name, strategy="Recreate"), namespace)
    assert kc.get("deployment", name, namespace)["spec"]["strategy"] == {"type": "Recreate"}


def test_apply_keeps_server_set_fields(kc, namespace):
    name = unique("svc")
    manifest = f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
"""
    kc.apply(manifest, namespace)
    ip = kc.get("service", name, namespace)["spec"]["clusterIP"]
    kc.apply(manifest.replace("port: 80", "port: 80\n    targetPort: 8080"), namespace)
    spec = kc.get("service", name, namespace)["spec"]
    assert spec["clusterIP"] == ip, spec
    assert [(p["port"], p["targetPort"]) for p in spec["ports"]] == [(80, 8080)], spec


def test_patch_strategic_keeps_other_containers(kc, namespace):
    name = unique("web")
    kc.apply(deployment_yaml(name), namespace)
    p = kc("patch", "deployment", name, "-n", namespace,
           "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}}}')
    assert p.stdout.strip() == f"deployment.apps/{name} patched"
    assert containers(kc.get("deployment", name, namespace)) == [("web", "nginx:1.25"), ("sidecar", "busybox")]
    # Deleting one container by its key.
    kc("patch", "deployment", name, "-n", namespace,
       "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}')
    assert containers(kc.get("deployment", name, namespace)) == [("web", "nginx:1.25")]


def test_patch_merge_and_json(kc, namespace):
    name = unique("web")
    kc.apply(deployment_yaml(name), namespace)
    kc("patch", "deployment", name, "-n", namespace, "--type=merge", "-p", '{"metadata":{"labels":{"env":"prod"}}}')
    assert kc.get("deployment", name, namespace)["metadata"]["labels"]["env"] == "prod"
    # A merge patch replaces lists whole.
    kc("patch", "deployment", name, "-n", namespace, "--type=merge",
       "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"nginx"}]}}}}')
    assert containers(kc.get("deployment", name, namespace)) == [("only", "nginx")]
    p = kc("patch", "deployment", name, "-n", namespace, "--type=json",
           "-p", '[{"op":"replace","path":"/spec/replicas","value":3}]')
    assert p.stdout.strip() == f"deployment.apps/{name} patched"
    assert kc.get("deployment", name, namespace)["spec"]["replicas"] == 3


def test_set_image_edit_label_annotate_scale(kc, namespace):
    name = unique("web")
    kc.apply(deployment_yaml(name), namespace)
    assert kc("set", "image", f"deployment/{name}", "web=nginx:1.25", "-n", namespace).stdout.strip() == \
        f"deployment.apps/{name} image updated"
    assert containers(kc.get("deployment", name, namespace)) == [("web", "nginx:1.25"), ("sidecar", "busybox")]
    p = kc("edit", "deployment", name, "-n", namespace, env={"EDITOR": "sed -i s/replicas:\\ 1/replicas:\\ 2/"})
    assert p.stdout.strip() == f"deployment.apps/{name} edited", p.stderr
    assert kc.get("deployment", name, namespace)["spec"]["replicas"] == 2
    assert kc("label", "deployment", name, "team=a", "-n", namespace).stdout.strip() == \
        f"deployment.apps/{name} labeled"
    # kubectl 1.27 words it "annotate".
    assert kc("annotate", "deployment", name, "note=hi", "-n", namespace).stdout.strip() in (
        f"deployment.apps/{name} annotated", f"deployment.apps/{name} annotate")
    kc("label", "deployment", name, "tier-", "-n", namespace)
    meta = kc.get("deployment", name, namespace)["metadata"]
    assert meta["labels"] == {"app": "web", "team": "a"}, meta
    assert meta["annotations"]["note"] == "hi", meta
    assert kc("scale", "deployment", name, "--replicas=5", "-n", namespace).stdout.strip() == \
        f"deployment.apps/{name} scaled"
    assert kc.get("deployment", name, namespace)["spec"]["replicas"] == 5


def test_patch_errors_as_upstream_words_them(kc, namespace):
    name = unique("web")
    kc.apply(deployment_yaml(name, strategy="RollingUpdate"), namespace)

    def fails(patch):
        p = kc("patch", "deployment", name, "-n", namespace, "-p", patch, check=False)
        assert p.returncode != 0, p.stdout
        return p.stderr.strip()

    assert fails('{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}') == \
        "Error from server: map: map[image:x] does not contain declared merge key: name"
    assert fails('{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":1}}}}') == \
        "Error from server (BadRequest): invalid patch format of retainKeys"
    assert fails('{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"}],'
                 '"containers":[{"name":"b"}]}}}}').startswith(
        "Error from server: The order in patch list:")
    assert containers(kc.get("deployment", name, namespace)) == [("web", "nginx:1.24"), ("sidecar", "busybox")]


PATCH_DEMO = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: patch-demo
spec:
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: patch-demo-ctr
        image: nginx
      tolerations:
      - effect: NoSchedule
        key: dedicated
        value: test-team
"""


def test_the_documented_patch_demo(kc, namespace):
    # The walk-through of "Update API Objects in Place Using kubectl patch".
    kc.apply(PATCH_DEMO, namespace)
    kc("patch", "deployment", "patch-demo", "-n", namespace, "--patch-file", "/dev/stdin",
       input="spec:\n  template:\n    spec:\n      containers:\n      - name: patch-demo-ctr-2\n"
             "        image: redis\n")
    spec = kc.get("deployment", "patch-demo", namespace)["spec"]["template"]["spec"]
    assert [(c["name"], c["image"]) for c in spec["containers"]] == \
        [("patch-demo-ctr-2", "redis"), ("patch-demo-ctr", "nginx")]
    # tolerations has no patch strategy: the patch's list replaces it.
    kc("patch", "deployment", "patch-demo", "-n", namespace,
       "-p", '{"spec":{"template":{"spec":{"tolerations":[{"effect":"NoSchedule","key":"disktype","value":"ssd"}]}}}}')
    spec = kc.get("deployment", "patch-demo", namespace)["spec"]["template"]["spec"]
    assert spec["tolerations"] == [{"effect": "NoSchedule", "key": "disktype", "value": "ssd"}]
    # A JSON merge patch replaces the containers list.
    kc("patch", "deployment", "patch-demo", "-n", namespace, "--type", "merge",
       "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"patch-demo-ctr-3","image":"gcr.io/google-samples/hello-app:2.0"}]}}}}')
    spec = kc.get("deployment", "patch-demo", namespace)["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["containers"]] == ["patch-demo-ctr-3"]
    # $retainKeys clears rollingUpdate when the strategy type changes.
    kc("patch", "deployment", "patch-demo", "-n", namespace, "--type=merge",
       "-p", '{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}}}}')
    kc("patch", "deployment", "patch-demo", "-n", namespace,
       "-p", '{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}')
    assert kc.get("deployment", "patch-demo", namespace)["spec"]["strategy"] == {"type": "Recreate"}
