"""Pod admission as upstream's kube-apiserver does it by default: LimitRanger
(defaults and bounds from LimitRange objects) and ServiceAccount (the default
account, the kube-api-access token volume), plus the two controllers they rely
on: the default ServiceAccount and the kube-root-ca.crt ConfigMap in every
namespace. Driven with real kubectl."""

import base64
import json
import re
import time

import pytest
import yaml

from conftest import unique

MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using "
               "internal endpoints such as the internal service IP or kubernetes.default.svc. "
               "No other usage is guaranteed across distributions of Kubernetes clusters.")


def wait_for(probe, timeout=1.0, step=0.02):
    """probe() until it returns something truthy; that value, or None on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def get_json(api, path):
    r = api.get(path)
    return r.json() if r.status == 200 else None


@pytest.fixture(scope="module")
def server_ca(server):
    with open(server.kubeconfig_path) as f:
        cfg = yaml.safe_load(f)
    return base64.b64decode(cfg["clusters"][0]["cluster"]["certificate-authority-data"]).decode()


@pytest.fixture()
def ns(kubectl):
    name = unique("adm")
    kubectl("create", "namespace", name)
    return name


def pod_json(kubectl, ns, name):
    return json.loads(kubectl("get", "pod", name, "-n", ns, "-o", "json").stdout)


def apply(kubectl, ns, manifest, check=True):
    return kubectl("apply", "-n", ns, "-f", "-", input=json.dumps(manifest), check=check)


# ---- the controllers ----

def test_new_namespace_gets_default_account_and_root_ca_within_a_second(kubectl, api, server_ca):
    name = unique("fresh")
    kubectl("create", "namespace", name)
    t0 = time.monotonic()
    account = wait_for(lambda: get_json(api, f"/api/v1/namespaces/{name}/serviceaccounts/default"))
    cm = wait_for(lambda: get_json(api, f"/api/v1/namespaces/{name}/configmaps/kube-root-ca.crt"))
    elapsed = time.monotonic() - t0
    assert account and cm, f"missing after {elapsed:.2f}s: account={account} configmap={cm}"
    assert elapsed < 1.0
    assert account["metadata"]["namespace"] == name
    assert "secrets" not in account and "automountServiceAccountToken" not in account
    assert cm["data"] == {"ca.crt": server_ca}
    assert cm["metadata"]["annotations"] == {"kubernetes.io/description": DESCRIPTION}
    # kubectl sees them as upstream shows them.
    out = kubectl("get", "serviceaccounts", "-n", name).stdout
    assert re.search(r"^default\s+0\s+", out, re.M), out
    out = kubectl("get", "configmaps", "-n", name).stdout
    assert re.search(r"^kube-root-ca\.crt\s+1\s+", out, re.M), out


def test_system_namespaces_have_them_too(api, server_ca):
    # The controller-manager starts once the API server is ready: allow it that.
    for name in ("default", "kube-system", "kube-public"):
        assert wait_for(lambda: get_json(api, f"/api/v1/namespaces/{name}/serviceaccounts/default"),
                        timeout=10)
        cm = wait_for(lambda: get_json(api, f"/api/v1/namespaces/{name}/configmaps/kube-root-ca.crt"),
                      timeout=10)
        assert cm and cm["data"]["ca.crt"] == server_ca


def test_deleted_account_and_changed_root_ca_are_restored(kubectl, api, ns, server_ca):
    path = f"/api/v1/namespaces/{ns}/serviceaccounts/default"
    first = wait_for(lambda: get_json(api, path))
    assert first
    kubectl("delete", "serviceaccount", "default", "-n", ns)
    again = wait_for(lambda: (lambda a: a if a and a["metadata"]["uid"] != first["metadata"]["uid"]
                              else None)(get_json(api, path)))
    assert again, "default ServiceAccount was not re-created"

    cm_path = f"/api/v1/namespaces/{ns}/configmaps/kube-root-ca.crt"
    assert wait_for(lambda: get_json(api, cm_path))
    kubectl("patch", "configmap", "kube-root-ca.crt", "-n", ns, "--type=merge",
            "-p", '{"data":{"ca.crt":"forged","extra":"x"},'
                  '"metadata":{"annotations":{"kubernetes.io/description":null}}}')
    restored = wait_for(lambda: (lambda c: c if c and c.get("data") == {"ca.crt": server_ca} and
                                 c["metadata"].get("annotations") == {
                                     "kubernetes.io/description": DESCRIPTION} else None)(
        get_json(api, cm_path)))
    assert restored, get_json(api, cm_path)
    uid = restored["metadata"]["uid"]
    kubectl("delete", "configmap", "kube-root-ca.crt", "-n", ns)
    recreated = wait_for(lambda: (lambda c: c if c and c["metadata"]["uid"] != uid else None)(
        get_json(api, cm_path)))
    assert recreated and recreated["data"] == {"ca.crt": server_ca}


def test_deleted_namespace_content_is_not_recreated(kubectl, api):
    name = unique("gone")
    kubectl("create", "namespace", name)
    assert wait_for(lambda: get_json(api, f"/api/v1/namespaces/{name}/configmaps/kube-root-ca.crt"))
    kubectl("delete", "namespace", name, "--timeout=60s", timeout=90)
    r = api.get(f"/api/v1/namespaces/{name}")
    assert r.status == 404, r


# ---- ServiceAccount admission ----

def test_pod_runs_as_default_account_with_token_volume(kubectl, ns):
    kubectl("run", "web", "--image=nginx", "-n", ns)
    pod = pod_json(kubectl, ns, "web")
    spec = pod["spec"]
    assert spec["serviceAccountName"] == "default"
    assert spec["serviceAccount"] == "default"
    volumes = spec["volumes"]
    assert len(volumes) == 1
    name = volumes[0]["name"]
    assert re.fullmatch(r"kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}", name), name
    assert volumes[0]["projected"] == {
        "defaultMode": 420,
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
        ],
    }
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": name, "readOnly": True, "mountPath": MOUNT_PATH}]
    # kubectl describe shows the projected volume as upstream's does.
    out = kubectl("describe", "pod", "web", "-n", ns).stdout
    assert "Projected (a volume that contains injected data from multiple sources)" in out, out
    assert "TokenExpirationSeconds:  3607" in out, out
    assert "ConfigMapName:           kube-root-ca.crt" in out, out
    assert f"{MOUNT_PATH} from {name} (ro)" in out, out


def test_every_container_and_init_container_gets_the_mount(kubectl, ns):
    apply(kubectl, ns, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "multi"},
        "spec": {"initContainers": [{"name": "init", "image": "busybox"}],
                 "containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx"}]}})
    spec = pod_json(kubectl, ns, "multi")["spec"]
    name = spec["volumes"][0]["name"]
    for c in spec["initContainers"] + spec["containers"]:
        assert c["volumeMounts"] == [{"name": name, "readOnly": True, "mountPath": MOUNT_PATH}], c


def test_missing_service_account_is_forbidden(kubectl, ns):
    p = kubectl("run", "orphan", "--image=nginx", "-n", ns,
                '--overrides={"spec":{"serviceAccountName":"nope"}}', check=False)
    assert p.returncode != 0
    assert p.stderr.strip() == (
        f'Error from server (Forbidden): pods "orphan" is forbidden: error looking up service '
        f'account {ns}/nope: serviceaccount "nope" not found'), p.stderr
    kubectl("create", "serviceaccount", "robot", "-n", ns)
    kubectl("run", "robotic", "--image=nginx", "-n", ns,
            '--overrides={"spec":{"serviceAccountName":"robot"}}')
    assert pod_json(kubectl, ns, "robotic")["spec"]["serviceAccountName"] == "robot"


def test_automount_off_means_no_volume(kubectl, ns):
    kubectl("run", "quiet", "--image=nginx", "-n", ns,
            '--overrides={"spec":{"automountServiceAccountToken":false}}')
    spec = pod_json(kubectl, ns, "quiet")["spec"]
    assert spec["serviceAccountName"] == "default"
    assert "volumes" not in spec
    assert "volumeMounts" not in spec["containers"][0]
    # The account's choice counts when the pod makes none.
    apply(kubectl, ns, {"apiVersion": "v1", "kind": "ServiceAccount",
                        "metadata": {"name": "silent"}, "automountServiceAccountToken": False})
    kubectl("run", "hushed", "--image=nginx", "-n", ns, "--overrides",
            '{"spec":{"serviceAccountName":"silent"}}')
    assert "volumes" not in pod_json(kubectl, ns, "hushed")["spec"]


def test_pull_secrets_come_from_the_account(kubectl, ns):
    apply(kubectl, ns, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "puller"},
                        "imagePullSecrets": [{"name": "registry-cred"}]})
    kubectl("run", "pulled", "--image=nginx", "-n", ns, "--overrides",
            '{"spec":{"serviceAccountName":"puller"}}')
    assert pod_json(kubectl, ns, "pulled")["spec"]["imagePullSecrets"] == [{"name": "registry-cred"}]


def test_enforced_mountable_secrets(kubectl, ns):
    apply(kubectl, ns, {"apiVersion": "v1", "kind": "ServiceAccount",
                        "metadata": {"name": "strict", "annotations": {
                            "kubernetes.io/enforce-mountable-secrets": "true"}},
                        "secrets": [{"name": "allowed"}]})
    p = apply(kubectl, ns, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sneaky"},
        "spec": {"serviceAccountName": "strict",
                 "volumes": [{"name": "s", "secret": {"secretName": "other"}}],
                 "containers": [{"name": "c", "image": "nginx"}]}}, check=False)
    assert p.returncode != 0
    assert ('pods "sneaky" is forbidden: volume with secret.secretName="other" is not allowed '
            'because service account strict does not reference that secret') in p.stderr, p.stderr


def test_pod_right_after_its_namespace_is_admitted(kubectl):
    # The default account is created by a controller just after the namespace;
    # admission waits a little for it, as upstream's does.
    for _ in range(3):
        name = unique("race")
        manifest = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": name},
                     "spec": {"containers": [{"name": "c", "image": "nginx"}]}}]
        kubectl("apply", "-f", "-", input="\n---\n".join(json.dumps(m) for m in manifest))
        assert pod_json(kubectl, name, "p")["spec"]["serviceAccountName"] == "default"


# ---- LimitRanger ----

LIMITS = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits"},
          "spec": {"limits": [{"type": "Container",
                               "max": {"cpu": "1", "memory": "1Gi"},
                               "default": {"cpu": "500m", "memory": "256Mi"},
                               "defaultRequest": {"cpu": "100m", "memory": "128Mi"}},
                              {"type": "PersistentVolumeClaim", "max": {"storage": "5Gi"}}]}}


def test_limit_range_defaults_requests_and_limits(kubectl, ns):
    apply(kubectl, ns, LIMITS)
    kubectl("run", "defaulted", "--image=nginx", "-n", ns)
    pod = pod_json(kubectl, ns, "defaulted")
    assert pod["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m", "memory": "256Mi"},
        "requests": {"cpu": "100m", "memory": "128Mi"}}
    assert pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for container defaulted; "
        "cpu, memory limit for container defaulted")
    assert pod["status"]["qosClass"] == "Burstable"
    # What the pod sets itself is kept.
    kubectl("run", "own", "--image=nginx", "-n", ns, "--overrides",
            '{"spec":{"containers":[{"name":"own","image":"nginx",'
            '"resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"1","memory":"1Gi"}}}]}}')
    pod = pod_json(kubectl, ns, "own")
    assert pod["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}
    assert "kubernetes.io/limit-ranger" not in pod["metadata"].get("annotations", {})
    assert pod["status"]["qosClass"] == "Guaranteed"


def test_limit_range_max_rejects_with_upstream_message(kubectl, ns):
    apply(kubectl, ns, LIMITS)
    p = apply(kubectl, ns, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "greedy"},
        "spec": {"containers": [{"name": "c", "image": "nginx",
                                 "resources": {"limits": {"cpu": "2"}}}]}}, check=False)
    assert p.returncode != 0
    assert p.stderr.strip() == (
        'Error from server (Forbidden): error when creating "STDIN": pods "greedy" is forbidden: '
        'maximum cpu usage per Container is 1, but limit is 2'), p.stderr
    p = apply(kubectl, ns, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "greedier"},
        "spec": {"containers": [{"name": "c", "image": "nginx",
                                 "resources": {"limits": {"cpu": "2", "memory": "2Gi"}}}]}},
        check=False)
    assert p.returncode != 0
    assert ('pods "greedier" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, '
            'maximum memory usage per Container is 1Gi, but limit is 2Gi]') in p.stderr, p.stderr
    p = kubectl("get", "pods", "-n", ns, "-o", "name")
    assert "greedy" not in p.stdout


def test_limit_range_bounds_claims(kubectl, ns):
    apply(kubectl, ns, LIMITS)
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "big"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}}
    p = apply(kubectl, ns, claim, check=False)
    assert p.returncode != 0
    assert ('persistentvolumeclaims "big" is forbidden: maximum storage usage per '
            'PersistentVolumeClaim is 5Gi, but request is 10Gi') in p.stderr, p.stderr
    claim["spec"]["resources"]["requests"]["storage"] = "1Gi"
    apply(kubectl, ns, claim)


def test_pod_in_missing_namespace_is_not_found_at_once(kubectl):
    # NamespaceLifecycle admits before ServiceAccount, so nothing waits for a
    # default account that will never come.
    t0 = time.monotonic()
    p = kubectl("run", "p", "--image=nginx", "-n", "no-such-namespace", check=False)
    assert p.returncode != 0
    assert p.stderr.strip() == 'Error from server (NotFound): namespaces "no-such-namespace" not found'
    assert time.monotonic() - t0 < 1.0
