"""OpenAPI v3 and schema-driven field validation, as the real kubectl sees them:
`kubectl explain` reads the published documents, `kubectl create` gets upstream's
strict decoding errors and warnings."""

import json
import os
import re
import subprocess

import pytest
import yaml

from conftest import unique

BAD_POD = """
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  contaners:
  - name: c
    image: nginx
  containers:
  - name: c
    image: nginx
"""

DEPLOYMENT_WRONG_TYPE = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: "three"
  selector:
    matchLabels: {{app: x}}
  template:
    metadata:
      labels: {{app: x}}
    spec:
      containers:
      - name: c
        image: nginx
"""


def test_explain_pod_probe(kubectl):
    out = kubectl("explain", "pod.spec.containers.livenessProbe").stdout
    assert re.search(r"^KIND:\s+Pod$", out, re.M), out
    assert re.search(r"^VERSION:\s+v1$", out, re.M), out
    assert "FIELD: livenessProbe <Probe>" in out, out
    assert "Periodic probe of container liveness." in out, out
    assert "Probe describes a health check to be performed against a container" in out, out
    assert re.search(r"^  failureThreshold\t<integer>$", out, re.M), out
    assert re.search(r"^  httpGet\t<HTTPGetAction>$", out, re.M), out


def test_explain_enum_and_required(kubectl):
    out = kubectl("explain", "pod.spec.restartPolicy").stdout
    assert "FIELD: restartPolicy <string>" in out, out
    assert "ENUM:" in out and "Always" in out and "OnFailure" in out, out
    out = kubectl("explain", "pod.spec").stdout
    assert re.search(r"^  containers\t<\[\]Container> -required-$", out, re.M), out


def test_explain_recursive(kubectl):
    out = kubectl("explain", "deployment.spec.strategy", "--recursive").stdout
    assert re.search(r"^GROUP:\s+apps$", out, re.M), out
    assert "FIELD: strategy <DeploymentStrategy>" in out, out
    assert re.search(r"^  rollingUpdate\t<RollingUpdateDeployment>$", out, re.M), out
    assert re.search(r"^    maxSurge\t<IntOrString>$", out, re.M), out
    assert re.search(r"^  type\t<string>$", out, re.M), out


def test_create_unknown_field_is_rejected(kubectl, namespace):
    name = unique("bad")
    p = kubectl("create", "-n", namespace, "-f", "-", input=BAD_POD.format(name=name), check=False)
    assert p.returncode != 0, p
    assert ('Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
            'unknown field "spec.contaners"') in p.stderr, p.stderr
    assert kubectl("get", "pod", "-n", namespace, name, check=False).returncode != 0


def test_create_with_warn_drops_unknown_fields(kubectl, namespace):
    name = unique("warned")
    p = kubectl("create", "-n", namespace, "--validate=warn", "-f", "-",
                input=BAD_POD.format(name=name))
    assert 'Warning: unknown field "spec.contaners"' in p.stderr, p.stderr
    pod = json.loads(kubectl("get", "pod", "-n", namespace, name, "-o", "json").stdout)
    assert "contaners" not in pod["spec"]
    assert pod["spec"]["containers"][0]["name"] == "c"


def test_wrong_scalar_type(kubectl, namespace):
    p = kubectl("create", "-n", namespace, "-f", "-",
                input=DEPLOYMENT_WRONG_TYPE.format(name=unique("d")), check=False)
    assert p.returncode != 0, p
    assert ('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal '
            'string into Go struct field DeploymentSpec.spec.replicas of type int32') in p.stderr, p.stderr


def test_raw_field_validation(api, namespace):
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"b"},"dta":{}}'
    r = api.request("POST", path + "?fieldValidation=Strict", body.encode(),
                    content_type="application/json")
    assert r.status == 400, r
    assert r.json()["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict '
                                   'decoding error: unknown field "dta", duplicate field "metadata.name"')
    r = api.request("POST", path, body.encode(), content_type="application/json")
    assert r.status == 201, r
    assert r.header("Warning") == ('299 - "unknown field \\"dta\\"", '
                                   '299 - "duplicate field \\"metadata.name\\""'), r.header("Warning")
    assert r.json()["metadata"]["name"] == "b"
    r = api.request("POST", path + "?fieldValidation=Nope", b'{"metadata":{"name":"c"}}',
                    content_type="application/json")
    assert r.status == 422, r


OLDEST_KUBECTL = "/usr/lib/google-cloud-sdk/bin/kubectl.1.27"


@pytest.mark.skipif(not os.access(OLDEST_KUBECTL, os.X_OK), reason="no kubectl 1.27 here")
def test_oldest_kubectl_reads_openapi_v2_then_v3(server, namespace):
    """kubectl 1.27 (and 1.28) fetch /openapi/v2 as protobuf before validating or
    explaining; without it they fail with NotFound."""
    def run(*args, stdin=None):
        return subprocess.run([OLDEST_KUBECTL, "--kubeconfig", server.kubeconfig_path, *args],
                              input=stdin, capture_output=True, text=True, timeout=60,
                              env=server.kubectl_env())
    p = run("explain", "pod.spec.containers.livenessProbe")
    assert p.returncode == 0, p.stderr
    assert "FIELD: livenessProbe <Probe>" in p.stdout, p.stdout
    p = run("explain", "pod.spec.restartPolicy", "--output=plaintext-openapiv2")
    assert p.returncode == 0, p.stderr
    assert "Restart policy for all containers within the pod." in p.stdout, p.stdout
    p = run("create", "-n", namespace, "-f", "-", stdin=BAD_POD.format(name=unique("old")))
    assert p.returncode != 0, p
    assert 'strict decoding error: unknown field "spec.contaners"' in p.stderr, p.stderr


def test_openapi_v3_documents_and_caching(api):
    r = api.get("/openapi/v3")
    assert r.status == 200, r
    paths = r.json()["paths"]
    for key in ("api", "api/v1", "apis", "apis/apps", "apis/apps/v1"):
        assert key in paths, sorted(paths)
    url = paths["api/v1"]["serverRelativeURL"]
    digest = url.split("?hash=")[1]
    r = api.get(url)
    assert r.status == 200, r
    assert r.header("Cache-Control") == "public, immutable"
    assert r.header("Etag") == f'"{digest}"'
    doc = r.json()
    assert doc["openapi"] == "3.0.0"
    assert doc["info"] == {"title": "Kubernetes", "version": "v1.33.0+kcpp"}
    patch = doc["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"]
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "", "kind": "Pod", "version": "v1"}
    assert "io.k8s.api.core.v1.PodSpec" in doc["components"]["schemas"]
    r = api.get("/openapi/v3/api/v1?hash=stale")
    assert r.status == 301, r
    assert r.header("Location") == url
    assert api.get("/openapi/v3/apis/nope/v1").status == 404
    v2 = api.get("/openapi/v2")
    assert v2.status == 200, v2
    assert "io.k8s.api.core.v1.Pod" in v2.json()["definitions"]
