"""Bearer-token authentication: service-account tokens from the TokenRequest API
(`kubectl create token`) and static tokens from --token-auth-file, presented over
raw HTTPS without a client certificate."""

import base64
import datetime
import json
import os
import subprocess
import tempfile
import time

import pytest

from conftest import start_server

STATIC_TOKEN = "s3cr3t-admin-token-0123456789"
STATIC_USER_TOKEN = "s3cr3t-plain-token-0123456789"


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    tokdir = tempfile.mkdtemp(prefix="kcpp-e2e-tokens-")
    path = os.path.join(tokdir, "tokens.csv")
    with open(path, "w") as f:
        f.write(f'{STATIC_TOKEN},static-admin,1001,"system:masters,ops"\n')
        f.write(f"{STATIC_USER_TOKEN},static-user,1002\n")
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--token-auth-file", path])
    yield handle
    finish()


@pytest.fixture(scope="module")
def anon(server):
    """Raw HTTPS client with no client certificate."""
    client = server.api(client_cert=False)
    yield client
    client.close()


def jwt_payload(token):
    parts = token.split(".")
    assert len(parts) == 3, token
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


def jwt_header(token):
    h = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# kube-apiserver caches a token's answer for 10 s (its token cache); kcpp too. A
# revoked token (ServiceAccount, Secret or bound Pod deleted) is refused once
# that answer expires: within the TTL, not at once.
TOKEN_CACHE_TTL = 10


def refused_after_revocation(anon, token):
    """Polls until the token is 401; fails if it still works past the cache TTL."""
    deadline = time.monotonic() + TOKEN_CACHE_TTL + 3
    while True:
        r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(token))
        if r.status == 401 or time.monotonic() > deadline:
            return r
        time.sleep(0.25)


@pytest.fixture(scope="module")
def bot(server):
    server.kubectl("create", "serviceaccount", "bot")
    return "bot"


def test_create_token_is_a_jwt(server, bot):
    token = server.kubectl("create", "token", bot).stdout.strip()
    header = jwt_header(token)
    assert header["alg"] in ("ES256", "RS256")
    assert header.get("kid")
    claims = jwt_payload(token)
    assert claims["iss"] == "https://kubernetes.default.svc.cluster.local"
    assert claims["sub"] == "system:serviceaccount:default:bot"
    assert claims["aud"] == ["https://kubernetes.default.svc.cluster.local"]
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["nbf"] == claims["iat"]
    sa = server.kubectl("get", "serviceaccount", bot, "-o", "json").stdout
    uid = json.loads(sa)["metadata"]["uid"]
    assert claims["kubernetes.io"]["namespace"] == "default"
    assert claims["kubernetes.io"]["serviceaccount"] == {"name": "bot", "uid": uid}


def test_service_account_token_authenticates(server, bot, anon):
    token = server.kubectl("create", "token", bot).stdout.strip()
    r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(token))
    # Authenticated as the service account; the authorizer (no RBAC yet) denies it.
    assert r.status == 403, r
    status = r.json()
    assert status["reason"] == "Forbidden"
    assert status["message"] == (
        'configmaps is forbidden: User "system:serviceaccount:default:bot" cannot list '
        'resource "configmaps" in API group "" in the namespace "default"')


def test_no_credentials_is_anonymous_but_bad_token_is_401(anon):
    r = anon.get("/api/v1/namespaces/default/configmaps")
    assert r.status == 403, r
    assert r.json()["message"].startswith('configmaps is forbidden: User "system:anonymous"'), r
    for token in ["garbage", "a.b.c",
                  # a well-formed JWT signed by no key of this server
                  "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMuZGVmYXVsdC5zdmMuY2x1"
                  "c3Rlci5sb2NhbCJ9.AAAA"]:
        r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(token))
        assert r.status == 401, (token, r)
        assert r.json()["reason"] == "Unauthorized"
        assert r.json()["message"] == "Unauthorized"


def test_token_duration(server, bot):
    token = server.kubectl("create", "token", bot, "--duration=10m").stdout.strip()
    claims = jwt_payload(token)
    assert claims["exp"] - claims["iat"] == 600
    p = server.kubectl("create", "token", bot, "--duration=5m", check=False)
    assert p.returncode != 0
    assert "may not specify a duration less than 10 minutes" in p.stderr


def test_token_request_api(server, bot, api):
    r = api.post("/api/v1/namespaces/default/serviceaccounts/bot/token",
                 {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                  "spec": {"audiences": ["vault"], "expirationSeconds": 1200}})
    assert r.status == 201, r
    body = r.json()
    assert body["kind"] == "TokenRequest"
    assert body["spec"]["audiences"] == ["vault"]
    assert body["spec"]["expirationSeconds"] == 1200
    claims = jwt_payload(body["status"]["token"])
    assert claims["aud"] == ["vault"]
    exp = datetime.datetime.strptime(body["status"]["expirationTimestamp"],
                                     "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert abs(exp.timestamp() - claims["exp"]) <= 1
    # A token for another audience does not authenticate to the API server.
    anon = server.api(client_cert=False)
    try:
        r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(body["status"]["token"]))
        assert r.status == 401, r
    finally:
        anon.close()
    r = api.post("/api/v1/namespaces/default/serviceaccounts/nobody/token",
                 {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}})
    assert r.status == 404, r
    assert r.json()["message"] == 'serviceaccounts "nobody" not found'


def test_deleted_service_account_token_is_401(server, anon):
    server.kubectl("create", "serviceaccount", "temp")
    token = server.kubectl("create", "token", "temp").stdout.strip()
    r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(token))
    assert r.status == 403, r
    server.kubectl("delete", "serviceaccount", "temp")
    r = refused_after_revocation(anon, token)
    assert r.status == 401, r


def test_static_token_masters_can_list(anon):
    r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(STATIC_TOKEN))
    assert r.status == 200, r
    assert r.json()["kind"] == "ConfigMapList"


def test_static_token_plain_user_is_forbidden(anon):
    r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(STATIC_USER_TOKEN))
    assert r.status == 403, r
    assert r.json()["message"] == (
        'configmaps is forbidden: User "static-user" cannot list resource "configmaps" in API '
        'group "" in the namespace "default"')


def test_pod_bound_token_dies_with_the_pod(server, bot, anon):
    server.kubectl("run", "web", "--image=nginx", "--restart=Never")
    pod_uid = json.loads(server.kubectl("get", "pod", "web", "-o", "json").stdout)["metadata"]["uid"]
    token = server.kubectl("create", "token", bot, "--bound-object-kind=Pod",
                           "--bound-object-name=web").stdout.strip()
    claims = jwt_payload(token)
    assert claims["kubernetes.io"]["pod"] == {"name": "web", "uid": pod_uid}
    r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(token))
    assert r.status == 403, r
    server.kubectl("delete", "pod", "web", "--grace-period=0", "--force", "--wait=false")
    server.kubectl("wait", "--for=delete", "pod/web", "--timeout=30s", check=False)
    r = refused_after_revocation(anon, token)
    assert r.status == 401, r
    p = server.kubectl("create", "token", bot, "--bound-object-kind=Pod",
                       "--bound-object-name=missing", check=False)
    assert p.returncode != 0
    assert 'pods "missing" not found' in p.stderr


@pytest.mark.parametrize("seconds,detail", [
    (599, "Invalid value: 599: may not specify a duration less than 10 minutes"),
    (2**32 + 1, "Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds"),
])
def test_token_request_expiration_validation(server, bot, api, seconds, detail):
    r = api.post("/api/v1/namespaces/default/serviceaccounts/bot/token",
                 {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                  "spec": {"expirationSeconds": seconds}})
    assert r.status == 422, r
    assert r.json()["message"] == (
        f'TokenRequest.authentication.k8s.io "bot" is invalid: spec.expirationSeconds: {detail}')
    r = api.post("/api/v1/namespaces/default/serviceaccounts/bot/token",
                 {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                  "spec": {"expirationSeconds": 2**64 - 1}})
    assert r.status == 422, r


def resign(token, key_path, **claims):
    """The token with `claims` changed, signed again with the server's ES256 key
    (as the server itself would sign it): lets a test hold a token about to expire,
    which the TokenRequest API (≥ 10 minutes) cannot give."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = token.split(".")[0]
    payload = jwt_payload(token)
    payload.update(claims)
    signing_input = f"{header}.{b64(json.dumps(payload).encode())}"
    with open(key_path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def test_token_stops_working_after_it_expires(server, bot, anon):
    key_path = os.path.join(server.server.data_dir, "server", "tls", "service-account.key")
    token = server.kubectl("create", "token", bot).stdout.strip()
    # Expired 57 s ago: still inside the 60 s clock-skew leeway upstream allows.
    now = int(time.time())
    token = resign(token, key_path, iat=now - 120, nbf=now - 120, exp=now - 57)
    r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(token))
    assert r.status == 403, r  # authenticated as the service account, not allowed
    assert 'User "system:serviceaccount:default:bot"' in r.json()["message"]
    # Past the leeway the same token is rejected.
    time.sleep(max(0, now - 57 + 61 - time.time()) + 0.5)
    r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(token))
    assert r.status == 401, r
    assert r.json()["reason"] == "Unauthorized"

    # The signature really is checked: the same claims under a changed payload fail.
    forged = token.split(".")
    forged[1] = forged[1][:-2] + ("AA" if forged[1][-2:] != "AA" else "BB")
    r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(".".join(forged)))
    assert r.status == 401, r


def test_token_user_with_namespaced_edit_role_via_kubectl(server, tmp_path):
    """The issue's acceptance case: a user known only by a bearer token, bound to
    `edit` in one namespace, works there with the real kubectl and gets upstream's
    403 anywhere else."""
    for ns in ("team-a", "team-b"):
        server.kubectl("create", "namespace", ns)
    server.kubectl("create", "rolebinding", "static-user-edit", "--clusterrole=edit",
                   "--user=static-user", "-n", "team-a")
    kc = server.server.kubeconfig
    kubeconfig = str(tmp_path / "static-user.yaml")

    def kubectl(*args, check=True):
        cmd = [server.kubectl_binary, "--kubeconfig", kubeconfig, *args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                           env=server.kubectl_env())
        if check:
            assert p.returncode == 0, (args, p.stdout, p.stderr)
        return p

    kubectl("config", "set-cluster", "kcpp", f"--server={kc.server}",
            f"--certificate-authority={kc.ca_file}", "--embed-certs")
    kubectl("config", "set-credentials", "static-user", f"--token={STATIC_USER_TOKEN}")
    kubectl("config", "set-context", "static-user", "--cluster=kcpp", "--user=static-user")
    kubectl("config", "use-context", "static-user")

    assert kubectl("auth", "can-i", "create", "deployments", "-n", "team-a").stdout.strip() == "yes"
    p = kubectl("auth", "can-i", "create", "deployments", "-n", "team-b", check=False)
    assert p.stdout.strip() == "no", p
    # The binding reaches the authorizer through the watch cache: allow it a moment.
    deadline = time.time() + 10
    while True:
        p = kubectl("create", "deployment", "web", "--image=nginx", "-n", "team-a", check=False)
        if p.returncode == 0 or time.time() > deadline:
            break
        time.sleep(0.2)
    assert p.returncode == 0, p.stderr
    assert "deployment.apps/web created" in p.stdout
    assert kubectl("get", "deployments", "-n", "team-a", "-o", "name").stdout.strip() == \
        "deployment.apps/web"

    p = kubectl("create", "deployment", "web", "--image=nginx", "-n", "team-b", check=False)
    assert p.returncode != 0
    # kubectl create deployment words it "error: failed to create deployment: <message>".
    assert ('deployments.apps is forbidden: User "static-user" cannot create resource '
            '"deployments" in API group "apps" in the namespace "team-b"') in p.stderr, p.stderr
    p = kubectl("get", "pods", "-n", "team-b", check=False)
    assert ('Error from server (Forbidden): pods is forbidden: User "static-user" cannot list '
            'resource "pods" in API group "" in the namespace "team-b"') in p.stderr, p.stderr
    p = kubectl("get", "nodes", check=False)
    assert ('nodes is forbidden: User "static-user" cannot list resource "nodes" in API group '
            '"" at the cluster scope') in p.stderr, p.stderr


LEGACY_SECRET = """apiVersion: v1
kind: Secret
metadata:
  name: {name}
  annotations:
    kubernetes.io/service-account.name: {account}
type: kubernetes.io/service-account-token
"""


def wait_for_secret_token(server, name, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        p = server.kubectl("get", "secret", name, "-o", "json", check=False)
        if p.returncode == 0:
            secret = json.loads(p.stdout)
            if secret.get("data", {}).get("token"):
                return secret
        time.sleep(0.2)
    raise AssertionError(f"secret {name} got no token")


def test_legacy_token_secret_is_filled_and_authenticates(server, bot, anon):
    """Upstream since 1.24: a token Secret is made only when asked for; the tokens
    controller fills it and the API server accepts its token while it exists."""
    p = server.kubectl("apply", "-f", "-", input=LEGACY_SECRET.format(name="bot-legacy", account=bot))
    assert "secret/bot-legacy created" in p.stdout, p
    secret = wait_for_secret_token(server, "bot-legacy")
    sa_uid = json.loads(server.kubectl("get", "serviceaccount", bot, "-o", "json").stdout)[
        "metadata"]["uid"]
    assert secret["metadata"]["annotations"]["kubernetes.io/service-account.uid"] == sa_uid
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert data["namespace"] == "default"
    with open(server.server.kubeconfig.ca_file) as f:
        assert data["ca.crt"].strip() in f.read()
    token = data["token"]
    claims = jwt_payload(token)
    assert claims == {
        "iss": "kubernetes/serviceaccount",
        "sub": "system:serviceaccount:default:bot",
        "kubernetes.io/serviceaccount/namespace": "default",
        "kubernetes.io/serviceaccount/secret.name": "bot-legacy",
        "kubernetes.io/serviceaccount/service-account.name": "bot",
        "kubernetes.io/serviceaccount/service-account.uid": sa_uid,
    }
    r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(token))
    assert r.status == 403, r
    assert r.json()["message"] == (
        'configmaps is forbidden: User "system:serviceaccount:default:bot" cannot list '
        'resource "configmaps" in API group "" in the namespace "default"')

    server.kubectl("delete", "secret", "bot-legacy")
    r = refused_after_revocation(anon, token)
    assert r.status == 401, r
    assert r.json()["message"] == "Unauthorized"


def test_legacy_token_secret_without_account_annotation_is_invalid(server):
    p = server.kubectl("apply", "-f", "-", check=False, input="""apiVersion: v1
kind: Secret
metadata:
  name: no-account
type: kubernetes.io/service-account-token
""")
    assert p.returncode != 0
    assert ('The Secret "no-account" is invalid: metadata.annotations[kubernetes.io/'
            'service-account.name]: Required value') in p.stderr, p.stderr


def test_legacy_token_secret_of_a_missing_account_is_deleted(server, anon):
    server.kubectl("apply", "-f", "-", input=LEGACY_SECRET.format(name="ghost-legacy",
                                                                  account="ghost"))
    deadline = time.time() + 15
    while server.kubectl("get", "secret", "ghost-legacy", check=False).returncode == 0:
        assert time.time() < deadline, "the secret of a missing account was kept"
        time.sleep(0.2)
    # A deleted ServiceAccount takes its token Secrets (and their tokens) with it.
    server.kubectl("create", "serviceaccount", "shortlived")
    server.kubectl("apply", "-f", "-", input=LEGACY_SECRET.format(name="shortlived-legacy",
                                                                  account="shortlived"))
    token = base64.b64decode(
        wait_for_secret_token(server, "shortlived-legacy")["data"]["token"]).decode()
    r = anon.get("/api/v1/namespaces/default/configmaps", headers=bearer(token))
    assert r.status == 403, r
    server.kubectl("delete", "serviceaccount", "shortlived")
    deadline = time.time() + 15
    while server.kubectl("get", "secret", "shortlived-legacy", check=False).returncode == 0:
        assert time.time() < deadline, "the token secret outlived its service account"
        time.sleep(0.2)
    r = refused_after_revocation(anon, token)
    assert r.status == 401, r
