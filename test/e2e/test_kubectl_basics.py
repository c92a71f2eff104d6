"""The real kubectl against a real kcpp server: everyday commands and their outcomes."""

import ipaddress
import json
import os
import re
import subprocess
import tempfile
import threading
import time

import yaml

from conftest import unique


def table_rows(text):
    """Parse kubectl's column output into dicts keyed by header (columns sliced by header)."""
    lines = [l for l in text.splitlines() if l.strip()]
    assert lines, "empty table output"
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    names = header.split()
    rows = []
    for line in lines[1:]:
        row = {}
        for i, name in enumerate(names):
            end = starts[i + 1] if i + 1 < len(starts) else None
            row[name] = line[starts[i]:end].strip()
        rows.append(row)
    return rows


def pod_manifest(name, labels=None):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}}


def create_pod(kubectl, ns, name, labels=None):
    kubectl("create", "-n", ns, "--validate=false", "-f", "-",
            input=json.dumps(pod_manifest(name, labels)))


def test_get_namespaces_lists_system_namespaces(kubectl):
    out = kubectl("get", "ns").stdout
    rows = table_rows(out)
    assert [k for k in rows[0]] [:2] == ["NAME", "STATUS"], out
    by_name = {r["NAME"]: r for r in rows}
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert ns in by_name, f"{ns} missing from kubectl get ns:\n{out}"
        assert by_name[ns]["STATUS"] == "Active", out


EXPECTED_RESOURCES = [
    # name, shortnames, apiVersion, namespaced, kind
    ("pods", "po", "v1", "true", "Pod"),
    ("services", "svc", "v1", "true", "Service"),
    ("configmaps", "cm", "v1", "true", "ConfigMap"),
    ("namespaces", "ns", "v1", "false", "Namespace"),
    ("secrets", "", "v1", "true", "Secret"),
    ("deployments", "deploy", "apps/v1", "true", "Deployment"),
    ("cronjobs", "cj", "batch/v1", "true", "CronJob"),
    ("jobs", "", "batch/v1", "true", "Job"),
    ("ingresses", "ing", "networking.k8s.io/v1", "true", "Ingress"),
    ("leases", "", "coordination.k8s.io/v1", "true", "Lease"),
    ("endpointslices", "", "discovery.k8s.io/v1", "true", "EndpointSlice"),
    ("roles", "", "rbac.authorization.k8s.io/v1", "true", "Role"),
    ("clusterroles", "", "rbac.authorization.k8s.io/v1", "false", "ClusterRole"),
    ("storageclasses", "sc", "storage.k8s.io/v1", "false", "StorageClass"),
    ("priorityclasses", "pc", "scheduling.k8s.io/v1", "false", "PriorityClass"),
    ("poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget"),
]


def test_api_resources_lists_builtin_types_with_short_names(kubectl):
    out = kubectl("api-resources").stdout
    rows = table_rows(out)
    assert list(rows[0].keys()) == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], out
    index = {(r["NAME"], r["APIVERSION"]): r for r in rows}
    for name, short, version, namespaced, kind in EXPECTED_RESOURCES:
        row = index.get((name, version))
        assert row is not None, f"{name} ({version}) missing from kubectl api-resources:\n{out}"
        assert row["SHORTNAMES"] == short, f"{name}: shortnames {row['SHORTNAMES']!r} != {short!r}"
        assert row["NAMESPACED"] == namespaced, f"{name}: namespaced {row['NAMESPACED']}"
        assert row["KIND"] == kind, f"{name}: kind {row['KIND']}"
    # Subresources are not resources of their own.
    assert not any("/" in r["NAME"] for r in rows), out


def test_api_resources_by_group(kubectl):
    out = kubectl("api-resources", "--api-group=apps", "-o", "name").stdout.split()
    for name in ("deployments.apps", "replicasets.apps", "statefulsets.apps",
                 "daemonsets.apps", "controllerrevisions.apps"):
        assert name in out, out
    assert "pods" not in out


def test_short_names_resolve(kubectl):
    assert "kube-system" in kubectl("get", "ns", "-o", "name").stdout
    out = kubectl("get", "cm", "-n", "kube-system", "-o", "name").stdout
    assert kubectl("get", "configmaps", "-n", "kube-system", "-o", "name").stdout == out


def test_create_namespace(kubectl):
    name = unique("ns")
    p = kubectl("create", "ns", name)
    assert p.stdout.strip() == f"namespace/{name} created"
    obj = json.loads(kubectl("get", "ns", name, "-o", "json").stdout)
    assert obj["kind"] == "Namespace" and obj["apiVersion"] == "v1"
    assert obj["metadata"]["name"] == name
    assert obj["status"]["phase"] == "Active"
    # Creating it again is AlreadyExists.
    p = kubectl("create", "ns", name, check=False)
    assert p.returncode != 0
    assert f'Error from server (AlreadyExists): namespaces "{name}" already exists' in p.stderr


def test_create_configmap_and_get_yaml(kubectl, namespace):
    p = kubectl("create", "configmap", "a", "--from-literal=k=v", "-n", namespace)
    assert p.stdout.strip() == "configmap/a created"
    obj = yaml.safe_load(kubectl("get", "cm", "a", "-n", namespace, "-o", "yaml").stdout)
    assert obj["apiVersion"] == "v1" and obj["kind"] == "ConfigMap"
    assert obj["data"] == {"k": "v"}
    md = obj["metadata"]
    assert md["name"] == "a" and md["namespace"] == namespace
    assert re.fullmatch(r"[0-9]+", str(md["resourceVersion"])), md
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                        md["uid"]), md
    ts = md["creationTimestamp"]
    if not isinstance(ts, str):
        ts = ts.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ts), md
    # Table output shows the DATA count.
    rows = table_rows(kubectl("get", "cm", "a", "-n", namespace).stdout)
    assert rows[0]["NAME"] == "a" and rows[0]["DATA"] == "1", rows


def test_get_pods_watch_sees_added_and_deleted(server, kubectl, namespace):
    proc = server.popen_kubectl("get", "pods", "-n", namespace, "-w", "--output-watch-events",
                                "-o", "json", "-v=6",
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_chunks, err_lines = [], []
    watching = threading.Event()

    def read_stdout():
        for chunk in iter(lambda: proc.stdout.read(1), ""):
            out_chunks.append(chunk)

    def read_stderr():
        for line in proc.stderr:
            err_lines.append(line)
            if "watch=true" in line:
                watching.set()

    threads = [threading.Thread(target=read_stdout, daemon=True),
               threading.Thread(target=read_stderr, daemon=True)]
    for t in threads:
        t.start()

    def events():
        dec = json.JSONDecoder()
        text = "".join(out_chunks)
        pos, evs = 0, []
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                return evs
            try:
                ev, pos = dec.raw_decode(text, pos)
            except ValueError:
                return evs
            evs.append(ev)

    def wait_for(pred, what, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(pred(e) for e in events()):
                return
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"kubectl get -w: no {what}; stdout: {''.join(out_chunks)!r}\n"
                             f"stderr: {''.join(err_lines)[-3000:]}")

    try:
        assert watching.wait(20), f"kubectl never started its watch: {''.join(err_lines)}"
        create_pod(kubectl, namespace, "watched")
        wait_for(lambda e: e.get("type") == "ADDED"
                 and e["object"]["metadata"]["name"] == "watched", "ADDED event")
        kubectl("delete", "pod", "watched", "-n", namespace, "--wait=false")
        wait_for(lambda e: e.get("type") == "DELETED"
                 and e["object"]["metadata"]["name"] == "watched", "DELETED event")
        added = [e for e in events() if e["type"] == "ADDED"][0]["object"]
        assert added["kind"] == "Pod" and added["metadata"]["namespace"] == namespace
    finally:
        proc.terminate()
        proc.wait(10)


def test_get_pods_watch_table_output(server, kubectl, namespace):
    """Plain `kubectl get pods -w` prints a row for a pod another client creates."""
    proc = server.popen_kubectl("get", "pods", "-n", namespace, "-w", "-v=6",
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_lines, watching = [], threading.Event()

    def read_stderr():
        for line in proc.stderr:
            if "watch=true" in line:
                watching.set()

    def read_stdout():
        for line in proc.stdout:
            out_lines.append(line)

    for fn in (read_stderr, read_stdout):
        threading.Thread(target=fn, daemon=True).start()
    try:
        assert watching.wait(20), "kubectl never started its watch"
        create_pod(kubectl, namespace, "tabled")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if any(l.split()[:1] == ["tabled"] for l in out_lines):
                break
            time.sleep(0.05)
        rows = [l.split() for l in out_lines if l.split()[:1] == ["tabled"]]
        assert rows, f"no row for the pod: {out_lines}"
        assert rows[0][1] == "0/1" and rows[0][2] == "Pending", rows
    finally:
        proc.terminate()
        proc.wait(10)


def test_delete_pod(kubectl, namespace):
    create_pod(kubectl, namespace, "p")
    assert kubectl("get", "pod", "p", "-n", namespace, "-o", "name").stdout.strip() == "pod/p"
    p = kubectl("delete", "pod", "p", "-n", namespace, "--timeout=60s")
    assert p.stdout.strip() == 'pod "p" deleted'
    p = kubectl("get", "pod", "p", "-n", namespace, check=False)
    assert p.returncode != 0
    assert 'Error from server (NotFound): pods "p" not found' in p.stderr
    p = kubectl("delete", "pod", "p", "-n", namespace, check=False)
    assert p.returncode != 0
    assert 'Error from server (NotFound): pods "p" not found' in p.stderr


def test_get_raw_api_v1(kubectl):
    doc = json.loads(kubectl("get", "--raw", "/api/v1").stdout)
    assert doc["kind"] == "APIResourceList"
    assert doc["groupVersion"] == "v1"
    res = {r["name"]: r for r in doc["resources"]}
    pods = res["pods"]
    assert pods["namespaced"] is True and pods["kind"] == "Pod"
    assert pods["shortNames"] == ["po"]
    assert set(pods["verbs"]) >= {"create", "delete", "deletecollection", "get", "list",
                                  "patch", "update", "watch"}
    assert "pods/status" in res
    assert set(res["pods/status"]["verbs"]) == {"get", "patch", "update"}
    assert res["namespaces"]["namespaced"] is False
    assert res["configmaps"]["shortNames"] == ["cm"]
    assert "services" in res and "secrets" in res
    # The root lists v1, the groups list apps.
    versions = json.loads(kubectl("get", "--raw", "/api").stdout)
    assert versions["kind"] == "APIVersions" and versions["versions"] == ["v1"]
    groups = json.loads(kubectl("get", "--raw", "/apis").stdout)
    assert groups["kind"] == "APIGroupList"
    names = {g["name"] for g in groups["groups"]}
    assert {"apps", "batch", "networking.k8s.io", "rbac.authorization.k8s.io"} <= names


MULTI_DOC = """\
apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: {ns}
data:
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: {ns}
type: Opaque
stringData:
  password: hunter2
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: {ns}
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {ns}
spec:
  replicas: 2
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
        image: registry.k8s.io/pause:3.10
"""


def test_create_and_delete_multi_document_manifest(server, kubectl):
    ns = unique("multi")
    with tempfile.TemporaryDirectory() as tmp:
        manifest = os.path.join(tmp, "stack.yaml")
        with open(manifest, "w") as f:
            f.write(MULTI_DOC.format(ns=ns))
        check_multi_document_manifest(kubectl, ns, manifest)


def check_multi_document_manifest(kubectl, ns, manifest):
    p = kubectl("create", "--validate=false", "-f", str(manifest))
    assert p.stdout.splitlines() == [
        f"namespace/{ns} created",
        "configmap/cfg created",
        "secret/creds created",
        "service/web created",
        "deployment.apps/web created",
    ], p.stdout
    cm = json.loads(kubectl("get", "cm", "cfg", "-n", ns, "-o", "json").stdout)
    assert cm["data"] == {"color": "blue"}
    secret = json.loads(kubectl("get", "secret", "creds", "-n", ns, "-o", "json").stdout)
    assert secret["metadata"]["name"] == "creds"
    svc = json.loads(kubectl("get", "svc", "web", "-n", ns, "-o", "json").stdout)
    assert svc["spec"]["ports"][0]["port"] == 80
    dep = json.loads(kubectl("get", "deploy", "web", "-n", ns, "-o", "json").stdout)
    assert dep["apiVersion"] == "apps/v1" and dep["spec"]["replicas"] == 2
    assert dep["metadata"]["generation"] == 1

    p = kubectl("delete", "-f", str(manifest), "--timeout=30s", timeout=60)
    assert p.stdout.splitlines() == [
        f'namespace "{ns}" deleted',
        'configmap "cfg" deleted',
        'secret "creds" deleted',
        'service "web" deleted',
        'deployment.apps "web" deleted',
    ], p.stdout
    for kind, name in (("cm", "cfg"), ("secret", "creds"), ("svc", "web"), ("deploy", "web")):
        p = kubectl("get", kind, name, "-n", ns, check=False)
        assert p.returncode != 0 and "(NotFound)" in p.stderr, (kind, p.stderr)
    p = kubectl("get", "ns", ns, check=False)
    assert p.returncode != 0
    assert f'Error from server (NotFound): namespaces "{ns}" not found' in p.stderr


def test_service_and_deployment_defaults(kubectl, namespace):
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    kubectl("create", "-n", namespace, "--validate=false", "-f", "-", input=json.dumps(svc))
    spec = json.loads(kubectl("get", "svc", "web", "-n", namespace, "-o", "json").stdout)["spec"]
    assert spec.get("type") == "ClusterIP", spec
    assert spec.get("sessionAffinity") == "None", spec
    assert spec["ports"][0].get("protocol") == "TCP", spec
    assert spec["ports"][0].get("targetPort") == 80, spec
    # A cluster IP from the default service CIDR (10.43.0.0/16), not the apiserver's own.
    assert ipaddress.ip_address(spec.get("clusterIP", "")) in ipaddress.ip_network(
        "10.43.0.0/16"), spec
    assert spec["clusterIP"] != "10.43.0.1" and spec.get("clusterIPs") == [spec["clusterIP"]]
    assert spec.get("ipFamilies") == ["IPv4"], spec
    rows = table_rows(kubectl("get", "svc", "web", "-n", namespace).stdout)
    assert rows[0]["TYPE"] == "ClusterIP" and rows[0]["PORT(S)"] == "80/TCP", rows

    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
           "spec": {"selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "web",
                                                          "image": "registry.k8s.io/pause:3.10"}]}}}}
    kubectl("create", "-n", namespace, "--validate=false", "-f", "-", input=json.dumps(dep))
    spec = json.loads(kubectl("get", "deploy", "web", "-n", namespace, "-o", "json").stdout)["spec"]
    assert spec.get("replicas") == 1, spec
    assert spec.get("strategy") == {"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": "25%", "maxUnavailable": "25%"}}, spec
    assert spec.get("revisionHistoryLimit") == 10 and spec.get("progressDeadlineSeconds") == 600
    pod = spec["template"]["spec"]
    assert pod.get("restartPolicy") == "Always" and pod.get("dnsPolicy") == "ClusterFirst", pod
    assert pod.get("terminationGracePeriodSeconds") == 30, pod
    assert pod["containers"][0].get("imagePullPolicy") == "IfNotPresent", pod
    assert pod["containers"][0].get("terminationMessagePath") == "/dev/termination-log", pod


def test_secret_string_data_is_folded_into_data(kubectl, namespace):
    manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"},
                "type": "Opaque", "stringData": {"password": "hunter2"},
                "data": {"user": "YWRtaW4="}}
    p = kubectl("create", "-n", namespace, "--validate=false", "-f", "-",
                input=json.dumps(manifest))
    assert p.stdout.strip() == "secret/creds created"
    secret = json.loads(kubectl("get", "secret", "creds", "-n", namespace, "-o", "json").stdout)
    assert secret.get("data") == {"password": "aHVudGVyMg==", "user": "YWRtaW4="}, secret
    assert "stringData" not in secret, secret
    # kubectl create secret generic also works (and sends base64 data).
    kubectl("create", "secret", "generic", "gen", "--from-literal=token=s3cr3t", "-n", namespace)
    secret = json.loads(kubectl("get", "secret", "gen", "-n", namespace, "-o", "json").stdout)
    assert secret["data"] == {"token": "czNjcjN0"} and secret["type"] == "Opaque", secret


def labels_of(kubectl, ns, kind, name):
    return json.loads(kubectl("get", kind, name, "-n", ns, "-o", "json").stdout)["metadata"]


def test_label_and_annotate(kubectl, namespace):
    kubectl("create", "-n", namespace, "--validate=false", "-f", "-", input=json.dumps(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "lab"},
         "data": {"a": "b"}}))
    p = kubectl("label", "cm", "lab", "env=prod", "tier=web", "-n", namespace)
    assert p.stdout.strip() == "configmap/lab labeled"
    assert labels_of(kubectl, namespace, "cm", "lab")["labels"] == {"env": "prod", "tier": "web"}

    p = kubectl("label", "cm", "lab", "env=dev", "-n", namespace, check=False)
    assert p.returncode != 0
    assert "'env' already has a value (prod), and --overwrite is false" in p.stderr
    assert labels_of(kubectl, namespace, "cm", "lab")["labels"]["env"] == "prod"

    kubectl("label", "cm", "lab", "env=dev", "--overwrite", "-n", namespace)
    assert labels_of(kubectl, namespace, "cm", "lab")["labels"] == {"env": "dev", "tier": "web"}

    p = kubectl("label", "cm", "lab", "env-", "-n", namespace)
    assert p.stdout.strip() == "configmap/lab unlabeled"
    assert labels_of(kubectl, namespace, "cm", "lab")["labels"] == {"tier": "web"}

    p = kubectl("annotate", "cm", "lab", "note=first", "-n", namespace)
    assert p.stdout.strip() == "configmap/lab annotated"
    assert labels_of(kubectl, namespace, "cm", "lab")["annotations"] == {"note": "first"}
    p = kubectl("annotate", "cm", "lab", "note=second", "-n", namespace, check=False)
    assert p.returncode != 0 and "already has a value (first)" in p.stderr, p.stderr
    kubectl("annotate", "cm", "lab", "note=second", "--overwrite", "-n", namespace)
    assert labels_of(kubectl, namespace, "cm", "lab")["annotations"] == {"note": "second"}
    kubectl("annotate", "cm", "lab", "note-", "-n", namespace)
    md = labels_of(kubectl, namespace, "cm", "lab")
    assert not md.get("annotations"), md
    # The data is untouched by metadata edits.
    assert json.loads(kubectl("get", "cm", "lab", "-n", namespace, "-o", "json").stdout)[
        "data"] == {"a": "b"}


def test_label_and_field_selectors(kubectl, namespace):
    create_pod(kubectl, namespace, "x-pending", {"app": "x"})
    create_pod(kubectl, namespace, "x-running", {"app": "x"})
    create_pod(kubectl, namespace, "y-pending", {"app": "y"})
    # Move one pod to Running through the status subresource.
    kubectl("patch", "pod", "x-running", "-n", namespace, "--subresource=status",
            "--type=merge", "-p", '{"status":{"phase":"Running"}}')
    phase = json.loads(kubectl("get", "pod", "x-running", "-n", namespace, "-o", "json").stdout)[
        "status"]["phase"]
    assert phase == "Running"

    out = kubectl("get", "pods", "-n", namespace, "-l", "app=x",
                  "--field-selector", "status.phase=Pending", "-o", "name").stdout.split()
    assert out == ["pod/x-pending"]
    out = kubectl("get", "pods", "-n", namespace, "-l", "app=x", "-o", "name").stdout.split()
    assert sorted(out) == ["pod/x-pending", "pod/x-running"]
    out = kubectl("get", "pods", "-n", namespace,
                  "--field-selector", "status.phase!=Running", "-o", "name").stdout.split()
    assert sorted(out) == ["pod/x-pending", "pod/y-pending"]
    out = kubectl("get", "pods", "-n", namespace,
                  "--field-selector", "metadata.name=y-pending", "-o", "name").stdout.split()
    assert out == ["pod/y-pending"]
    p = kubectl("get", "pods", "-n", namespace, "--field-selector", "spec.bogus=1", check=False)
    assert p.returncode != 0
    assert "(BadRequest)" in p.stderr, p.stderr
    assert "field label not supported: spec.bogus" in p.stderr, p.stderr


def test_chunked_list(server, kubectl, namespace, api):
    for i in range(100):
        r = api.post(f"/api/v1/namespaces/{namespace}/configmaps",
                     {"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": f"cm-{i:03d}"}, "data": {"i": str(i)}})
        assert r.status == 201, r
    p = kubectl("get", "cm", "-n", namespace, "--chunk-size=10", "-o", "name", "-v=6")
    names = [n for n in p.stdout.split() if n.startswith("configmap/cm-")]
    assert sorted(names) == [f"configmap/cm-{i:03d}" for i in range(100)]
    assert len(names) == 100  # no duplicates
    requests = [l for l in p.stderr.splitlines()
                if f"/namespaces/{namespace}/configmaps?" in l and "limit=10" in l]
    assert len(requests) >= 10, "\n".join(requests) or p.stderr
    assert sum("continue=" in l for l in requests) >= 9, "\n".join(requests)
    # Table output pages too, and still lists everything once.
    out = kubectl("get", "cm", "-n", namespace, "--chunk-size=7").stdout
    rows = [r for r in table_rows(out) if r["NAME"].startswith("cm-")]
    assert len(rows) == 100
