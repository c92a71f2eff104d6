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
