"""The seed kubectl commands of the schema issue, with the newest and the oldest kubectl.

Each command's outcome is checked on the live object, not just kubectl's exit code.
"""

import base64
import glob
import json
import os
import re
import subprocess
import tempfile

import pytest
import yaml

from conftest import ServerHandle, start_server, unique


def kubectl_versions():
    found = []
    for path in glob.glob("/usr/lib/google-cloud-sdk/bin/kubectl.1.*"):
        m = re.search(r"kubectl\.1\.(\d+)$", path)
        if m and os.access(path, os.X_OK):
            found.append((int(m.group(1)), path))
    found.sort()
    if not found:
        return []
    return [found[-1][1]] if len(found) == 1 else [found[-1][1], found[0][1]]


@pytest.fixture(scope="module")
def shared_server(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary, ["--disable-agent"])
    yield handle
    finish()


@pytest.fixture(scope="module", params=kubectl_versions(), ids=lambda p: os.path.basename(p))
def k(request, shared_server):
    """kubectl of one version against the shared server, with its own cache dir."""
    home = tempfile.mkdtemp(prefix="kcpp-kubectl-home-")
    return ServerHandle(shared_server.server, request.param, home)


@pytest.fixture
def ns(k):
    name = unique("seed")
    k.kubectl("create", "namespace", name)
    return name


def get_json(k, *args):
    return json.loads(k.kubectl("get", *args, "-o", "json").stdout)


def deployment_yaml(name, image, replicas=1, extra_label=None):
    labels = {"app": name}
    meta_labels = dict(labels)
    if extra_label:
        meta_labels.update(extra_label)
    return yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": meta_labels},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": name, "image": image}]}}}})


def test_apply_create_remove_field_change_image(k, ns, tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text(deployment_yaml("web", "nginx:1.24", extra_label={"tier": "front"}))
    assert "created" in k.kubectl("apply", "-n", ns, "-f", str(path)).stdout
    live = get_json(k, "deploy", "web", "-n", ns)
    assert live["metadata"]["labels"]["tier"] == "front"
    assert "kubectl.kubernetes.io/last-applied-configuration" in live["metadata"]["annotations"]
    # Remove a field: apply's three-way merge removes it from the live object.
    path.write_text(deployment_yaml("web", "nginx:1.24"))
    k.kubectl("apply", "-n", ns, "-f", str(path))
    live = get_json(k, "deploy", "web", "-n", ns)
    assert "tier" not in live["metadata"].get("labels", {}), live["metadata"]
    # Change the image: only the image changes.
    before = live
    path.write_text(deployment_yaml("web", "nginx:1.25"))
    k.kubectl("apply", "-n", ns, "-f", str(path))
    after = get_json(k, "deploy", "web", "-n", ns)
    assert after["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    b, a = before["spec"], after["spec"]
    b["template"]["spec"]["containers"][0]["image"] = "nginx:1.25"
    assert a == b, (a, b)


def test_get_pods_all_describe_delete(k, ns):
    assert "pod/nginx created" in k.kubectl("run", "nginx", "--image=nginx", "-n", ns).stdout
    out = k.kubectl("get", "pods", "-n", ns).stdout.splitlines()
    assert re.split(r"\s+", out[0].strip()) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"], out
    assert re.split(r"\s+", out[1].strip())[:4] == ["nginx", "0/1", "Pending", "0"], out
    all_out = k.kubectl("get", "all", "-n", ns).stdout
    assert "pod/nginx" in all_out, all_out
    desc = k.kubectl("describe", "pod", "nginx", "-n", ns).stdout
    assert re.search(r"^Name:\s+nginx$", desc, re.M), desc
    assert re.search(r"^Status:\s+Pending$", desc, re.M), desc
    assert re.search(r"Image:\s+nginx$", desc, re.M), desc
    assert 'pod "nginx" deleted' in k.kubectl("delete", "pod", "nginx", "-n", ns).stdout
    assert k.kubectl("get", "pod", "nginx", "-n", ns, check=False).returncode != 0


def test_run_dry_run_client_and_server(k, ns):
    out = k.kubectl("run", "nginx", "--image=nginx", "-n", ns, "-o", "yaml",
                    "--dry-run=client").stdout
    assert yaml.safe_load(out)["spec"]["containers"][0]["image"] == "nginx"
    out = k.kubectl("run", "nginx", "--image=nginx", "-n", ns, "-o", "json",
                    "--dry-run=server").stdout
    pod = json.loads(out)
    # Server-side dry run runs defaulting: upstream's defaults are visible, nothing is stored.
    assert pod["spec"]["restartPolicy"] == "Always", pod
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == "Always", pod
    assert k.kubectl("get", "pod", "nginx", "-n", ns, check=False).returncode != 0


def test_create_deployment_scale_set_image_edit_patch(k, ns):
    k.kubectl("create", "deployment", "nginx", "--image=nginx", "--replicas=3", "-n", ns)
    assert get_json(k, "deploy", "nginx", "-n", ns)["spec"]["replicas"] == 3
    k.kubectl("scale", "deployment", "nginx", "--replicas=5", "-n", ns)
    assert get_json(k, "deploy", "nginx", "-n", ns)["spec"]["replicas"] == 5
    k.kubectl("set", "image", "deployment/nginx", "nginx=nginx:1.25", "-n", ns)
    d = get_json(k, "deploy", "nginx", "-n", ns)
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    # kubectl edit with a non-interactive editor.
    env = k.kubectl_env()
    env["KUBE_EDITOR"] = "sed -i -e 's/replicas: 5/replicas: 2/'"
    p = subprocess.run(k.kubectl_cmd("edit", "deployment/nginx", "-n", ns), env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert get_json(k, "deploy", "nginx", "-n", ns)["spec"]["replicas"] == 2
    # The three patch types.
    k.kubectl("patch", "deployment", "nginx", "-n", ns, "-p",
              '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}')
    d = get_json(k, "deploy", "nginx", "-n", ns)
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    k.kubectl("patch", "deployment", "nginx", "-n", ns, "--type=merge",
              "-p", '{"metadata":{"labels":{"patched":"merge"}}}')
    k.kubectl("patch", "deployment", "nginx", "-n", ns, "--type=json",
              "-p", '[{"op":"replace","path":"/spec/replicas","value":4}]')
    d = get_json(k, "deploy", "nginx", "-n", ns)
    assert d["metadata"]["labels"]["patched"] == "merge" and d["spec"]["replicas"] == 4


def test_expose_and_create_service(k, ns):
    k.kubectl("run", "redis", "--image=redis", "--labels=app=redis,tier=cache", "-n", ns)
    k.kubectl("expose", "pod", "redis", "--port=6379", "--name", "redis-service", "-n", ns)
    svc = get_json(k, "svc", "redis-service", "-n", ns)
    assert svc["spec"]["type"] == "ClusterIP" and svc["spec"]["clusterIP"]
    assert svc["spec"]["selector"] == {"app": "redis", "tier": "cache"}, svc["spec"]
    k.kubectl("create", "service", "clusterip", "redis", "--tcp=6379:6379", "-n", ns)
    assert get_json(k, "svc", "redis", "-n", ns)["spec"]["selector"] == {"app": "redis"}
    port = 30000 + (abs(hash(ns)) % 2000)
    k.kubectl("create", "service", "nodeport", "nginx", f"--tcp=80:80", f"--node-port={port}",
              "-n", ns)
    assert get_json(k, "svc", "nginx", "-n", ns)["spec"]["ports"][0]["nodePort"] == port
    p = k.kubectl("create", "service", "nodeport", "bad", "--tcp=80:80", "--node-port=29999",
                  "-n", ns, check=False)
    assert p.returncode != 0
    assert ("provided port is not in the valid range. The range of valid ports is 30000-32767"
            in p.stderr), p.stderr
    k.kubectl("run", "web", "--image=nginx", "-n", ns)
    k.kubectl("expose", "pod", "web", "--port=80", "--name", "nginx-service", "--type=NodePort",
              "-n", ns)
    node_port = get_json(k, "svc", "nginx-service", "-n", ns)["spec"]["ports"][0]["nodePort"]
    assert 30000 <= node_port <= 32767


def test_quota_configmap_secret(k, ns, tmp_path):
    k.kubectl("create", "quota", "q", "--hard=pods=2,cpu=1", "-n", ns)
    assert get_json(k, "quota", "q", "-n", ns)["spec"]["hard"] == {"pods": "2", "cpu": "1"}
    f = tmp_path / "settings.conf"
    f.write_text("a=1\n")
    k.kubectl("create", "configmap", "cfg", "--from-literal=k=v", f"--from-file={f}", "-n", ns)
    assert get_json(k, "cm", "cfg", "-n", ns)["data"] == {"k": "v", "settings.conf": "a=1\n"}
    k.kubectl("create", "secret", "generic", "s", "--from-literal=k=s3cr3t", "-n", ns)
    out = k.kubectl("get", "secret", "s", "-n", ns, "-o", "jsonpath={.data.k}").stdout
    assert base64.b64decode(out).decode() == "s3cr3t"


def test_output_formats_explain_api_resources(k, ns):
    k.kubectl("create", "configmap", "one", "--from-literal=a=b", "-n", ns)
    assert yaml.safe_load(k.kubectl("get", "cm", "one", "-n", ns, "-o", "yaml").stdout)["data"] \
        == {"a": "b"}
    assert get_json(k, "cm", "one", "-n", ns)["metadata"]["name"] == "one"
    assert k.kubectl("get", "cm", "one", "-n", ns, "-o", "name").stdout.strip() == "configmap/one"
    assert k.kubectl("get", "cm", "one", "-n", ns, "-o",
                     "jsonpath={.metadata.name}").stdout == "one"
    out = k.kubectl("get", "cm", "one", "-n", ns, "-o",
                    "custom-columns=N:.metadata.name,V:.data.a").stdout.split()
    assert out == ["N", "V", "one", "b"], out
    wide = k.kubectl("get", "pods", "-n", ns, "-o", "wide").stdout
    assert wide.strip() == "" or "No resources" in wide or "NOMINATED NODE" in wide
    explain = k.kubectl("explain", "pod.spec.containers.livenessProbe").stdout
    assert "periodSeconds" in explain and "FIELDS:" in explain, explain
    explain = k.kubectl("explain", "deployment.spec.strategy", "--recursive").stdout
    assert "maxSurge" in explain and "rollingUpdate" in explain, explain
    resources = k.kubectl("api-resources").stdout
    assert re.search(r"^deployments\s+deploy\s+apps/v1\s+true\s+Deployment$", resources, re.M)
