"""The rest of authentication and authorization, as upstream: anonymous requests,
bootstrap tokens, the server's join token, access reviews (kubectl auth can-i,
also --list), the Node authorizer and NodeRestriction for a kubelet's client
certificate, and RBAC escalation prevention."""

import datetime
import hashlib
import os
import re
import subprocess
import tempfile

import pytest

from conftest import start_server, unique
from test_rbac import client_cert, client_for, eventually

KUBECTL_127 = "/usr/lib/google-cloud-sdk/bin/kubectl.1.27"
RBAC = "/apis/rbac.authorization.k8s.io/v1"


def bearer(token):
    return {"Authorization": "Bearer " + token}


def kubectl_with_token(server, token, *args, binary=None, check=False):
    """kubectl with only a bearer token (no client certificate) against the server."""
    kc = server.server.kubeconfig
    empty = os.path.join(server.home, "empty-kubeconfig")
    open(empty, "w").close()
    cmd = [binary or server.kubectl_binary, "--kubeconfig", empty, "--server", kc.server,
           "--certificate-authority", kc.ca_file, "--token", token] + list(args)
    env = dict(os.environ, HOME=server.home)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    if check:
        assert p.returncode == 0, (cmd, p.stdout, p.stderr)
    return p


@pytest.fixture(scope="module")
def anon(server):
    client = server.api(client_cert=False)
    yield client
    client.close()


def cluster_role_binding(name, role, kind, subject):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": subject}]}


# -- anonymous ---------------------------------------------------------------------------

def test_anonymous_gets_health_and_version_only(anon):
    r = anon.get("/version")
    assert r.status == 200, r
    assert r.json()["major"] == "1"
    for path in ("/healthz", "/livez", "/readyz"):
        r = anon.get(path, headers={"Accept": "*/*"})
        assert r.status == 200 and r.text == "ok", (path, r)
    r = anon.get("/api")
    assert r.status == 403, r
    assert r.json()["message"] == 'forbidden: User "system:anonymous" cannot get path "/api"'
    r = anon.get("/api/v1/namespaces/default/pods")
    assert r.status == 403, r
    assert r.json()["message"] == ('pods is forbidden: User "system:anonymous" cannot list resource '
                                   '"pods" in API group "" in the namespace "default"')


def test_bad_token_is_401_not_anonymous(anon):
    for token in ("nonsense", "abcdef.0000000000000000", "K10abc::server:wrong"):
        r = anon.get("/version", headers=bearer(token))
        assert r.status == 401, (token, r)
        assert r.json()["message"] == "Unauthorized"


# -- bootstrap tokens --------------------------------------------------------------------

def bootstrap_secret(token_id, secret, expiration=None, groups=None):
    data = {"token-id": token_id, "token-secret": secret, "usage-bootstrap-authentication": "true"}
    if expiration:
        data["expiration"] = expiration
    if groups:
        data["auth-extra-groups"] = groups
    return {"apiVersion": "v1", "kind": "Secret", "type": "bootstrap.kubernetes.io/token",
            "metadata": {"name": "bootstrap-token-" + token_id, "namespace": "kube-system"},
            "stringData": data}


def test_bootstrap_token_authenticates(server, api):
    r = api.post("/api/v1/namespaces/kube-system/secrets",
                 bootstrap_secret("abcdef", "0123456789abcdef",
                                  groups="system:bootstrappers:e2e"))
    assert r.status == 201, r
    token = "abcdef.0123456789abcdef"

    def discovery():
        p = kubectl_with_token(server, token, "get", "--raw", "/apis")
        return p.returncode == 0, p
    p = eventually(discovery)
    assert p.returncode == 0, p.stderr
    assert '"APIGroupList"' in p.stdout
    # Authenticated as system:bootstrap:<id>: configmaps need a binding.
    p = kubectl_with_token(server, token, "get", "configmaps", "-n", "default")
    assert p.returncode != 0
    assert 'User "system:bootstrap:abcdef" cannot list resource "configmaps"' in p.stderr
    r = api.post(f"{RBAC}/clusterrolebindings",
                 cluster_role_binding(unique("boot-view"), "view", "Group", "system:bootstrappers:e2e"))
    assert r.status == 201, r

    def listed():
        p = kubectl_with_token(server, token, "get", "configmaps", "-n", "default")
        return p.returncode == 0, p
    p = eventually(listed)
    assert p.returncode == 0, p.stderr
    # A wrong secret for the same id is 401.
    p = kubectl_with_token(server, "abcdef.0123456789abcdee", "get", "--raw", "/apis")
    assert p.returncode != 0
    assert "Unauthorized" in p.stderr


def test_expired_bootstrap_token_is_401(server, api):
    now = datetime.datetime.now(datetime.timezone.utc)
    past = (now - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    future = (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The expired token's Secret first, then a live twin: once the twin works, the
    # server has seen the expired one too.
    for token_id, expiration in (("zyxwvu", past), ("zyxwvv", future)):
        r = api.post("/api/v1/namespaces/kube-system/secrets",
                     bootstrap_secret(token_id, "0123456789abcdef", expiration=expiration))
        assert r.status == 201, r

    def twin_works():
        p = kubectl_with_token(server, "zyxwvv.0123456789abcdef", "get", "--raw", "/apis")
        return p.returncode == 0, p
    p = eventually(twin_works)
    assert p.returncode == 0, p.stderr
    p = kubectl_with_token(server, "zyxwvu.0123456789abcdef", "get", "--raw", "/apis")
    assert p.returncode != 0
    assert "Unauthorized" in p.stderr


# -- the server's join token ---------------------------------------------------------------

def test_join_token_file_and_identity(server, anon):
    data_dir = server.server.data_dir
    with open(os.path.join(data_dir, "server", "token")) as f:
        token = f.read().strip()
    with open(os.path.join(data_dir, "server", "node-token")) as f:
        assert f.read().strip() == token
    assert oct(os.stat(os.path.join(data_dir, "server", "token")).st_mode & 0o777) == "0o600"
    m = re.fullmatch(r"K10([0-9a-f]{64})::server:([0-9a-f]{32})", token)
    assert m, token
    with open(os.path.join(data_dir, "server", "tls", "server-ca.crt"), "rb") as f:
        assert m.group(1) == hashlib.sha256(f.read()).hexdigest()
    for presented in (token, m.group(2)):
        r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(presented))
        assert r.status == 403, r
        assert r.json()["message"].startswith('configmaps is forbidden: User "node" cannot list')
    # The joining identity may ask for node client certificates (kcpp serves no
    # CSR API yet, so ask the authorizer directly rather than through kubectl).
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
              "spec": {"resourceAttributes": {"verb": "create", "group": "certificates.k8s.io",
                                              "resource": "certificatesigningrequests"}}}
    r = anon.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review,
                  headers=bearer(token))
    assert r.status == 201, r
    assert r.json()["status"]["allowed"] is True, r
    review["spec"]["resourceAttributes"]["resource"] = "secrets"
    review["spec"]["resourceAttributes"]["group"] = ""
    r = anon.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review,
                  headers=bearer(token))
    assert r.json()["status"]["allowed"] is False, r


def test_token_flag_restart_and_no_anonymous(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--token", "my-join-secret",
                                   "--anonymous-auth=false"])
    try:
        path = os.path.join(handle.server.data_dir, "server", "token")
        with open(path) as f:
            first = f.read().strip()
        assert first.endswith("::server:my-join-secret"), first
        anon = handle.api(client_cert=False)
        try:
            r = anon.get("/version")
            assert r.status == 401, r
            r = anon.get("/version", headers=bearer("my-join-secret"))
            assert r.status == 200, r
        finally:
            anon.close()
        # Restarted without --token: the stored token is kept.
        handle.server.stop()
        handle.server.extra_args = ["--disable-agent"]
        handle.server.start(timeout=60)
        with open(path) as f:
            assert f.read().strip() == first
    finally:
        finish()


# -- access reviews -----------------------------------------------------------------------

def test_can_i_and_subject_access_review(server, kubectl, api):
    p = kubectl("auth", "can-i", "create", "pods")
    assert p.stdout.strip() == "yes"
    p = kubectl("auth", "can-i", "create", "pods", "--as=x", check=False)
    assert p.returncode == 1 and p.stdout.strip() == "no", (p.stdout, p.stderr)
    r = api.post("/apis/authorization.k8s.io/v1/subjectaccessreviews",
                 {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                  "spec": {"user": "x", "groups": ["system:authenticated"],
                           "nonResourceAttributes": {"path": "/api", "verb": "get"}}})
    assert r.status == 201, r
    assert r.json()["status"]["allowed"] is True
    assert r.json()["spec"]["user"] == "x"
    r = api.post("/apis/authorization.k8s.io/v1/subjectaccessreviews",
                 {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                  "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}})
    assert r.status == 422, r
    assert r.json()["message"] == (
        'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": '
        'at least one of user or group must be specified')
    r = api.post("/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews",
                 {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
                  "spec": {"user": "x", "resourceAttributes": {"verb": "get", "resource": "pods",
                                                               "namespace": "other"}}})
    assert r.status == 422, r
    assert r.json()["message"] == (
        'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: '
        'spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace')


@pytest.mark.parametrize("binary", [None, KUBECTL_127])
def test_can_i_list(server, binary):
    kc = server.kubectl_cmd("auth", "can-i", "--list")
    if binary:
        kc[0] = binary
    env = server.kubectl_env()
    admin = subprocess.run(kc, capture_output=True, text=True, env=env, timeout=60)
    assert admin.returncode == 0, admin.stderr
    lines = admin.stdout.splitlines()
    assert lines[0].split() == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    assert any(l.split() == ["*.*", "[]", "[]", "[*]"] for l in lines), admin.stdout
    sa = subprocess.run(kc + ["--as=system:serviceaccount:default:default"], capture_output=True,
                        text=True, env=env, timeout=60)
    assert sa.returncode == 0, sa.stderr
    rows = [l.split() for l in sa.stdout.splitlines()]
    assert ["selfsubjectaccessreviews.authorization.k8s.io", "[]", "[]", "[create]"] in rows, sa.stdout
    assert ["[/api]", "[]", "[get]"] in rows, sa.stdout
    assert not any(r and r[0] == "*.*" for r in rows), sa.stdout


# -- the Node authorizer and NodeRestriction ---------------------------------------------

def test_node_reads_only_its_pods_secrets_and_writes_only_itself(server, api):
    ns = "default"
    for name in ("node-s1", "node-s2"):
        r = api.post(f"/api/v1/namespaces/{ns}/secrets",
                     {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
                      "stringData": {"k": "v"}})
        assert r.status == 201, r
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "on-n1"},
           "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "busybox"}],
                    "volumes": [{"name": "s", "secret": {"secretName": "node-s1"}}]}}
    r = api.post(f"/api/v1/namespaces/{ns}/pods", pod)
    assert r.status == 201, r
    r = api.post("/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n2"}})
    assert r.status == 201, r
    crt, key = client_cert(server, "system:node:n1", groups=("system:nodes",))
    node = client_for(server, crt, key)
    try:
        def readable():
            r = node.get(f"/api/v1/namespaces/{ns}/secrets/node-s1")
            return r.status == 200, r
        r = eventually(readable)
        assert r.status == 200, r
        r = node.get(f"/api/v1/namespaces/{ns}/secrets/node-s2")
        assert r.status == 403, r
        assert r.json()["message"] == (
            'secrets "node-s2" is forbidden: User "system:node:n1" cannot get resource "secrets" '
            'in API group "" in the namespace "default": no relationship found between node '
            "'n1' and this object")
        r = node.get("/api/v1/namespaces/default/configmaps")
        assert r.status == 403, r
        # Its own Node object: create and read; another node's: neither.
        r = node.post("/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
        assert r.status == 201, r
        r = node.get("/api/v1/nodes/n1")
        assert r.status == 200, r
        r = node.patch("/api/v1/nodes/n2", {"metadata": {"labels": {"x": "y"}}})
        assert r.status == 403, r
        assert r.json()["message"] == 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"'
        r = node.patch("/api/v1/nodes/n1", {"metadata": {"labels": {"node-restriction.kubernetes.io/a": "b"}}})
        assert r.status == 403, r
        assert r.json()["message"] == ('nodes "n1" is forbidden: is not allowed to modify labels: '
                                       'node-restriction.kubernetes.io/a')
        r = node.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1")
        assert r.status == 200, r
        assert [p["metadata"]["name"] for p in r.json()["items"]] == ["on-n1"]
        r = node.get("/api/v1/pods")
        assert r.status == 403, r
        # Unbound from the node (pod deleted): the secret is no longer readable.
        r = api.delete(f"/api/v1/namespaces/{ns}/pods/on-n1?gracePeriodSeconds=0")
        assert r.status == 200, r

        def denied():
            r = node.get(f"/api/v1/namespaces/{ns}/secrets/node-s1")
            return r.status == 403, r
        r = eventually(denied)
        assert r.status == 403, r
    finally:
        node.close()


# -- RBAC escalation ----------------------------------------------------------------------

def test_edit_user_cannot_bind_cluster_admin(server, api):
    crt, key = client_cert(server, "eve")
    eve = client_for(server, crt, key)
    writer = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
              "metadata": {"name": unique("crb-writer")},
              "rules": [{"apiGroups": ["rbac.authorization.k8s.io"],
                         "resources": ["clusterrolebindings", "clusterroles"],
                         "verbs": ["create"]}]}
    try:
        r = api.post(f"{RBAC}/clusterroles", writer)
        assert r.status == 201, r
        for role in ("edit", writer["metadata"]["name"]):
            r = api.post(f"{RBAC}/clusterrolebindings",
                         cluster_role_binding(unique("eve"), role, "User", "eve"))
            assert r.status == 201, r
        grab = cluster_role_binding("eve-admin", "cluster-admin", "User", "eve")

        def forbidden_by_escalation():
            r = eve.post(f"{RBAC}/clusterrolebindings", grab)
            return r.status == 403 and "attempting to grant" in r.json()["message"], r
        r = eventually(forbidden_by_escalation)
        assert r.status == 403, r
        assert r.json()["message"] == (
            'clusterrolebindings.rbac.authorization.k8s.io "eve-admin" is forbidden: user "eve" '
            '(groups=["system:authenticated"]) is attempting to grant RBAC permissions not '
            'currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n'
            '{NonResourceURLs:["*"], Verbs:["*"]}')
        # A role with rules eve holds is fine; one with more is not.
        mine = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": unique("eve-sub")},
                "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]}
        r = eve.post(f"{RBAC}/clusterroles", mine)
        assert r.status == 201, r
        more = dict(mine, metadata={"name": unique("eve-more")},
                    rules=[{"apiGroups": [""], "resources": ["nodes"], "verbs": ["delete"]}])
        r = eve.post(f"{RBAC}/clusterroles", more)
        assert r.status == 403, r
        assert r.json()["message"].endswith(
            'is attempting to grant RBAC permissions not currently held:\n'
            '{APIGroups:[""], Resources:["nodes"], Verbs:["delete"]}')
        # The cluster admin (system:masters) may grant anything.
        r = api.post(f"{RBAC}/clusterrolebindings", grab)
        assert r.status == 201, r
    finally:
        eve.close()
