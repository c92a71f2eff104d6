"""RBAC: a user authenticated by a client certificate from the cluster's client CA gets
exactly what its bindings grant (upstream's 403 message otherwise); the bootstrap policy
exists at start."""

import os
import ssl
import subprocess
import tempfile

import pytest

from conftest import unique
from kcpp_harness import ApiClient


def client_cert(server, cn, groups=()):
    """A key and certificate for CN=cn (O=groups) signed by the cluster's client CA."""
    tls = os.path.join(server.server.data_dir, "server", "tls")
    d = tempfile.mkdtemp(prefix="kcpp-rbac-")
    key, csr, crt = (os.path.join(d, n) for n in ("u.key", "u.csr", "u.crt"))
    subj = "/CN=" + cn + "".join("/O=" + g for g in groups)
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr,
                    "-subj", subj], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(tls, "client-ca.crt"),
                    "-CAkey", os.path.join(tls, "client-ca.key"), "-CAcreateserial",
                    "-out", crt, "-days", "1"], check=True, capture_output=True)
    return crt, key


def client_for(server, crt, key):
    kc = server.server.kubeconfig
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=kc.ca_file)
    ctx.load_cert_chain(crt, key)
    return ApiClient(kc.host, kc.port, ctx)


def make_ns(api):
    name = unique("rbac")
    r = api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                         "metadata": {"name": name}})
    assert r.status == 201, r
    return name


def configmap(name):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"k": "v"}}


def deployment(name):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def eventually(fn, timeout=5.0):
    import time
    deadline = time.monotonic() + timeout
    while True:
        r = fn()
        if r[0] or time.monotonic() > deadline:
            return r[1]
        time.sleep(0.05)


def test_bootstrap_roles_exist(kubectl):
    p = kubectl("get", "clusterrole", "cluster-admin", "edit", "view", "admin",
                "system:discovery", "system:basic-user", "system:public-info-viewer", "-o", "name")
    assert p.stdout.split() == ["clusterrole.rbac.authorization.k8s.io/" + n for n in
                                ("cluster-admin", "edit", "view", "admin", "system:discovery",
                                 "system:basic-user", "system:public-info-viewer")]
    p = kubectl("get", "clusterrolebinding", "cluster-admin", "-o",
                "jsonpath={.subjects[0].name}")
    assert p.stdout == "system:masters"
    p = kubectl("get", "clusterrole", "edit", "-o",
                "jsonpath={.metadata.annotations.rbac\\.authorization\\.kubernetes\\.io/autoupdate}")
    assert p.stdout == "true"


def test_rolebinding_to_edit(server, api):
    a = make_ns(api)
    b = make_ns(api)
    crt, key = client_cert(server, "alice")
    alice = client_for(server, crt, key)
    try:
        # No binding yet: denied with upstream's message.
        r = alice.post(f"/api/v1/namespaces/{a}/configmaps", configmap("c0"))
        assert r.status == 403, r
        binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                   "metadata": {"name": "alice-edit"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                               "name": "edit"},
                   "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                 "name": "alice"}]}
        r = api.post(f"/apis/rbac.authorization.k8s.io/v1/namespaces/{a}/rolebindings", binding)
        assert r.status == 201, r

        def create_cm():
            r = alice.post(f"/api/v1/namespaces/{a}/configmaps", configmap(unique("c")))
            return r.status == 201, r
        r = eventually(create_cm)
        assert r.status == 201, r
        r = alice.post(f"/apis/apps/v1/namespaces/{a}/deployments", deployment("d1"))
        assert r.status == 201, r
        r = alice.get(f"/api/v1/namespaces/{a}/configmaps")
        assert r.status == 200, r

        r = alice.post(f"/api/v1/namespaces/{b}/configmaps", configmap("c1"))
        assert r.status == 403, r
        status = r.json()
        assert status["reason"] == "Forbidden", status
        assert status["message"] == (f'configmaps is forbidden: User "alice" cannot create '
                                     f'resource "configmaps" in API group "" in the namespace "{b}"'), status
        r = alice.get("/api/v1/nodes")
        assert r.status == 403, r
        assert r.json()["message"] == ('nodes is forbidden: User "alice" cannot list resource '
                                       '"nodes" in API group "" at the cluster scope')
        # edit does not grant RBAC writes (that is admin's).
        r = alice.post(f"/apis/rbac.authorization.k8s.io/v1/namespaces/{a}/rolebindings", binding)
        assert r.status == 403, r

        r = api.delete(f"/apis/rbac.authorization.k8s.io/v1/namespaces/{a}/rolebindings/alice-edit")
        assert r.status == 200, r

        def denied():
            r = alice.post(f"/api/v1/namespaces/{a}/configmaps", configmap(unique("c")))
            return r.status == 403, r
        r = eventually(denied)
        assert r.status == 403, r
    finally:
        alice.close()


def test_group_from_certificate_and_discovery(server, api):
    crt, key = client_cert(server, "bob", groups=("readers",))
    bob = client_for(server, crt, key)
    try:
        # system:discovery is bound to system:authenticated.
        r = bob.get("/api")
        assert r.status == 200, r
        r = bob.get("/api/v1/namespaces/default/configmaps")
        assert r.status == 403, r
        crb = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": unique("readers-view")},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                           "name": "view"},
               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                             "name": "readers"}]}
        r = api.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", crb)
        assert r.status == 201, r

        def can_list():
            r = bob.get("/api/v1/namespaces/default/configmaps")
            return r.status == 200, r
        r = eventually(can_list)
        assert r.status == 200, r
        # view grants no secrets and no writes.
        assert bob.get("/api/v1/namespaces/default/secrets").status == 403
        assert bob.post("/api/v1/namespaces/default/configmaps", configmap("x")).status == 403
    finally:
        bob.close()


def kubeconfig_for(server, crt, key, path):
    """The admin kubeconfig with its user's credentials replaced by crt/key."""
    import base64
    import yaml
    with open(server.kubeconfig_path) as f:
        cfg = yaml.safe_load(f)
    for u in cfg["users"]:
        with open(crt, "rb") as f:
            u["user"]["client-certificate-data"] = base64.b64encode(f.read()).decode()
        with open(key, "rb") as f:
            u["user"]["client-key-data"] = base64.b64encode(f.read()).decode()
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f)


def test_kubectl_auth_can_i(server, api):
    a = make_ns(api)
    b = make_ns(api)
    crt, key = client_cert(server, "carol")
    kc = os.path.join(os.path.dirname(crt), "kubeconfig")
    kubeconfig_for(server, crt, key, kc)
    env = server.kubectl_env()
    env["KUBECONFIG"] = kc

    def can_i(*args):
        p = subprocess.run([server.kubectl_binary, "--kubeconfig", kc, "auth", "can-i", *args],
                           capture_output=True, text=True, env=env, timeout=60)
        assert p.stdout.strip() in ("yes", "no"), (p.stdout, p.stderr)
        return p.stdout.strip()

    assert can_i("create", "deployments", "-n", a) == "no"
    r = api.post(f"/apis/rbac.authorization.k8s.io/v1/namespaces/{a}/rolebindings",
                 {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                  "metadata": {"name": "carol-edit"},
                  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                              "name": "edit"},
                  "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                "name": "carol"}]})
    assert r.status == 201, r
    assert eventually(lambda: ((v := can_i("create", "deployments", "-n", a)) == "yes", v)) == "yes"
    assert can_i("create", "deployments", "-n", b) == "no"
    assert can_i("list", "nodes") == "no"
    assert can_i("get", "/healthz") == "yes"
    # The admin (system:masters) may do anything.
    p = server.kubectl("auth", "can-i", "delete", "nodes", check=False)
    assert p.stdout.strip() == "yes", p

    # Upstream's validation: exactly one kind of attributes.
    r = api.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                 {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                  "spec": {}})
    assert r.status == 422, r
    r = api.get("/apis/authorization.k8s.io/v1")
    assert r.status == 200, r
    assert [x["name"] for x in r.json()["resources"]] == [
        "localsubjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews",
        "subjectaccessreviews"]


def test_clusterrole_aggregation(kubectl, api):
    import json
    edit = json.loads(kubectl("get", "clusterrole", "edit", "-o", "json").stdout)
    assert {"apiGroups": [""], "resources": ["configmaps", "events", "persistentvolumeclaims",
                                             "replicationcontrollers",
                                             "replicationcontrollers/scale", "secrets",
                                             "serviceaccounts", "services", "services/proxy"],
            "verbs": ["create", "delete", "deletecollection", "patch", "update"]} in edit["rules"]
    name = unique("widgets-view")
    r = api.post("/apis/rbac.authorization.k8s.io/v1/clusterroles",
                 {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                  "metadata": {"name": name,
                               "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
                  "rules": [{"apiGroups": ["example.com"], "resources": ["widgets"],
                             "verbs": ["get"]}]})
    assert r.status == 201, r
    want = {"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get"]}

    def aggregated(role):
        rules = api.get(f"/apis/rbac.authorization.k8s.io/v1/clusterroles/{role}").json()["rules"]
        return want in rules, rules
    # view selects it; edit selects view; admin selects edit.
    for role in ("view", "edit", "admin"):
        rules = eventually(lambda: aggregated(role))
        assert want in rules, (role, rules)
    r = api.delete(f"/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}")
    assert r.status == 200, r
    rules = eventually(lambda: (want not in aggregated("admin")[1], aggregated("admin")[1]))
    assert want not in rules


def test_impersonation(server, api, kubectl):
    a = make_ns(api)
    b = make_ns(api)
    r = api.post(f"/apis/rbac.authorization.k8s.io/v1/namespaces/{a}/rolebindings",
                 {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                  "metadata": {"name": "dave-edit"},
                  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                              "name": "edit"},
                  "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                "name": "dave"}]})
    assert r.status == 201, r

    def can_i(*args):
        p = kubectl("auth", "can-i", *args, "--as=dave", check=False)
        assert p.stdout.strip() in ("yes", "no"), (p.stdout, p.stderr)
        return p.stdout.strip()
    assert eventually(lambda: ((v := can_i("create", "deployments", "-n", a)) == "yes", v)) == "yes"
    assert can_i("create", "deployments", "-n", b) == "no"
    assert can_i("list", "nodes") == "no"
    p = kubectl("get", "configmaps", "-n", b, "--as=dave", check=False)
    assert p.returncode != 0
    assert (f'configmaps is forbidden: User "dave" cannot list resource "configmaps" in API '
            f'group "" in the namespace "{b}"') in p.stderr, p.stderr
    kubectl("create", "configmap", "by-dave", "-n", a, "--as=dave")

    # A user without the impersonate permission cannot.
    crt, key = client_cert(server, "erin")
    erin = client_for(server, crt, key)
    try:
        r = erin.request("GET", f"/api/v1/namespaces/{a}/configmaps",
                         headers={"Impersonate-User": "dave"})
        assert r.status == 403, r
        assert r.json()["message"] == ('users "dave" is forbidden: User "erin" cannot impersonate '
                                       'resource "users" in API group "" at the cluster scope')
    finally:
        erin.close()
