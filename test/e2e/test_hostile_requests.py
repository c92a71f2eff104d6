"""Hostile requests: malformed, oversized, deeply nested, mistyped and forged input.
For each: upstream's Status code, reason and message; the server stays up (a GET
right after works); and no stored object changes (the objects of a namespace
seeded at start are compared before and after)."""

import base64
import json
import os
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import start_server
from kcpp_harness import ApiClient

NS = "hostile"
CMS = f"/api/v1/namespaces/{NS}/configmaps"
SECRETS = f"/api/v1/namespaces/{NS}/secrets"
DEPLOYS = f"/apis/apps/v1/namespaces/{NS}/deployments"
HEADER_TIMEOUT = 32  # upstream's ReadHeaderTimeout


def cm(name, **extra):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}
    body.update(extra)
    return body


class SlowLoris:
    """A TLS connection that sends a request header one byte every few seconds and
    never finishes it: the server must close it at its header timeout."""

    def __init__(self, kubeconfig):
        self.closed_after = None
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=kubeconfig.ca_file)
        raw = socket.create_connection((kubeconfig.host, kubeconfig.port), timeout=5)
        self.sock = ctx.wrap_socket(raw, server_hostname=kubeconfig.host)
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._drip, daemon=True)
        self.thread.start()

    def _drip(self):
        header = b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 1000
        self.sock.settimeout(3)
        for byte in header:
            try:
                self.sock.sendall(bytes([byte]))
                if self.sock.recv(1) == b"":  # orderly close by the server
                    break
            except (socket.timeout, TimeoutError):
                continue  # still open: keep dripping
            except (OSError, ssl.SSLError):
                break
        self.closed_after = time.monotonic() - self.started

    def wait(self, timeout):
        self.thread.join(timeout)
        return self.closed_after


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary, ["--disable-agent"])
    yield handle
    finish()


@pytest.fixture(scope="module")
def slow_loris(server):
    """Started first, checked last: the header timeout runs while the others run."""
    return SlowLoris(server.server.kubeconfig)


@pytest.fixture(scope="module")
def seeded(api, slow_loris):
    r = api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                         "metadata": {"name": NS}})
    assert r.status == 201, r
    for i in range(3):
        assert api.post(CMS, cm(f"seed-{i}")).status == 201
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "seed"},
              "data": {"k": base64.b64encode(b"v").decode()}}
    assert api.post(SECRETS, secret).status == 201
    # The controller-manager adds kube-root-ca.crt to every new namespace; the
    # snapshots must not see it arrive between "before" and "after".
    deadline = time.monotonic() + 15
    while api.get(CMS + "/kube-root-ca.crt").status != 200:
        assert time.monotonic() < deadline, "no kube-root-ca.crt in the namespace"
        time.sleep(0.05)
    return True


def snapshot(api):
    out = {}
    for path in (CMS, SECRETS, DEPLOYS):
        r = api.get(path)
        assert r.status == 200, r
        for item in r.json()["items"]:
            out[(path, item["metadata"]["name"])] = json.dumps(item, sort_keys=True)
    return out


@pytest.fixture
def unchanged(api, seeded):
    """The namespace's objects are the same after the test, and the server answers."""
    before = snapshot(api)
    yield
    fresh = None
    try:
        fresh = ApiClient(api.host, api.port, api.ssl_context)
        r = fresh.get("/api/v1/namespaces/" + NS)
        assert r.status == 200, f"server not answering after the request: {r}"
        assert snapshot(fresh) == before
    finally:
        if fresh:
            fresh.close()


def status_of(r, code, reason):
    assert r.status == code, r
    body = r.json()
    assert body["kind"] == "Status" and body["status"] == "Failure", body
    assert body["code"] == code, body
    assert body.get("reason", "") == reason, body
    return body["message"]


# --- malformed bodies --------------------------------------------------------

@pytest.mark.parametrize("body,message", [
    ('{"apiVersion":"v1",', "couldn't get version/kind; json parse error: unexpected end of JSON input"),
    ('{"apiVersion" "v1"}', "couldn't get version/kind; json parse error: invalid character '\"' "
                            "after object key"),
    ("[" * 100000 + "]" * 100000,
     "couldn't get version/kind; json parse error: invalid character '[' exceeded max depth"),
    ('{"a":' * 100000 + "1" + "}" * 100000,
     "couldn't get version/kind; json parse error: invalid character '{' exceeded max depth"),
    (b'\xff{"apiVersion":"v1"}', None),
])
def test_malformed_json(api, unchanged, body, message):
    r = api.post(CMS, body, content_type="application/json")
    got = status_of(r, 400, "BadRequest")
    if message:
        assert got == message
    else:
        assert got.startswith("couldn't get version/kind; json parse error: invalid character"), got


BILLION_LAUGHS = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\n" + \
    'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n"
        for i in range(8))


@pytest.mark.parametrize("body,message", [
    ("apiVersion: v1\nkind: [ConfigMap\nmetadata: {", None),
    ("[" * 100000, None),
    (BILLION_LAUGHS, "error converting YAML to JSON: yaml: document contains excessive aliasing"),
])
def test_malformed_yaml(api, unchanged, body, message):
    started = time.monotonic()
    r = api.post(CMS, body, content_type="application/yaml")
    got = status_of(r, 400, "BadRequest")
    assert got.startswith("error converting YAML to JSON: "), got
    if message:
        assert got == message
    assert time.monotonic() - started < 5


def test_body_over_the_limit_is_413(api, unchanged):
    huge = json.dumps(cm("huge", data={"k": "x" * (3 * 1024 * 1024 + 10)}))
    r = api.post(CMS, huge)
    assert status_of(r, 413, "RequestEntityTooLarge") == "Request entity too large: limit is 3145728"


def test_body_just_under_the_limit_is_validated(api, unchanged):
    near = json.dumps(cm("near", data={"k": "x" * (3 * 1024 * 1024 - 200)}))
    assert len(near) < 3 * 1024 * 1024
    r = api.post(CMS, near)
    message = status_of(r, 422, "Invalid")
    assert message.startswith('ConfigMap "near" is invalid: ') and "1048576" in message, message[:300]


# --- wrong types ---------------------------------------------------------------

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
              "spec": {"replicas": "3", "selector": {"matchLabels": {"a": "b"}},
                       "template": {"metadata": {"labels": {"a": "b"}},
                                    "spec": {"containers": [{"name": "c", "image": "i"}]}}}}


@pytest.mark.parametrize("path,body,message", [
    (CMS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": "x"},
     'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal string '
     "into Go struct field ConfigMap.metadata of type v1.ObjectMeta"),
    (CMS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "l", "labels": ["x"]}},
     'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array '
     "into Go struct field ObjectMeta.metadata.labels of type map[string]string"),
    (CMS, cm("n", data={"k": 1}),
     'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number '
     "into Go struct field ConfigMap.data of type string"),
    (DEPLOYS, DEPLOYMENT,
     'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string '
     "into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (SECRETS, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"},
               "data": {"k": "!!notbase64"}},
     'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0'),
    (SECRETS, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"},
               "data": {"k": "YWJjZA=x"}},
     'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 6'),
])
def test_wrong_types_are_400(api, unchanged, path, body, message):
    assert status_of(api.post(path, body), 400, "BadRequest") == message


def test_wrong_types_in_an_update_are_400(api, unchanged):
    current = api.get(CMS + "/seed-0").json()
    current["data"] = ["not", "a", "map"]
    r = api.put(CMS + "/seed-0", current)
    assert status_of(r, 400, "BadRequest").startswith(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array')


def test_merge_patch_making_wrong_types_is_refused(api, unchanged):
    """Upstream decodes the patched object into the Go type: a wrong type is 422
    `"" is invalid: patch: Invalid value: "<patched JSON>": json: cannot unmarshal ...`."""
    for query in ("?dryRun=All", ""):
        r = api.patch(CMS + "/seed-1" + query, {"data": {"k": {"nested": "object"}}})
        message = status_of(r, 422, "Invalid")
        assert message.startswith(' "" is invalid: patch: Invalid value: "{'), message
        assert message.endswith(
            'json: cannot unmarshal object into Go struct field ConfigMap.data of type string'), message


def test_duplicate_keys(api, unchanged):
    body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"1"},"data":{"b":"2"}}'
    r = api.post(CMS + "?fieldValidation=Strict", body)
    assert status_of(r, 400, "BadRequest") == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
        'duplicate field "data"')
    # The default (Warn) takes the last and warns; dry run stores nothing.
    r = api.post(CMS + "?dryRun=All", body)
    assert r.status == 201, r
    assert r.json()["data"] == {"b": "2"}
    assert 'duplicate field \\"data\\"' in (r.header("Warning") or "") or \
        'duplicate field "data"' in (r.header("Warning") or ""), r.headers


def test_invalid_utf8_in_strings_becomes_replacement_characters(api, seeded):
    """Go's decoder reads invalid UTF-8 in strings as U+FFFD; so does kcpp."""
    body = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"utf8"},"data":{"k":"a\xff\xfeb"}}'
    r = api.post(CMS + "?dryRun=All", body, content_type="application/json")
    assert r.status == 201, r
    assert r.json()["data"]["k"] == "a\ufffd\ufffdb"


# --- names and paths -------------------------------------------------------------

@pytest.mark.parametrize("method,path", [
    ("GET", CMS + "/%2e%2e"), ("GET", CMS + "/.."), ("DELETE", CMS + "/%2E%2E"),
    ("PUT", CMS + "/%2e%2e"), ("PATCH", CMS + "/%2e%2e"),
])
def test_dot_dot_names_in_the_url_are_400(api, unchanged, method, path):
    body = cm("..") if method == "PUT" else ({} if method == "PATCH" else None)
    r = api.request(method, path, body=body,
                    content_type="application/merge-patch+json" if method == "PATCH" else None)
    assert status_of(r, 400, "BadRequest") == "Name parameter invalid: \"..\": may not be '..'"


def test_percent_encoded_slash_is_a_path_separator(api, unchanged):
    r = api.get(CMS + "/seed-0%2Fstatus")
    assert status_of(r, 404, "NotFound") == "the server could not find the requested resource"
    r = api.get(CMS + "/seed%2D0")  # an escaped ordinary character names the object
    assert r.status == 200 and r.json()["metadata"]["name"] == "seed-0", r


def test_invalid_percent_escape_is_400(api, unchanged):
    r = api.get(CMS + "/%zz")
    assert r.status == 400 and r.text.startswith("400 Bad Request"), r


@pytest.mark.parametrize("name", ["../x", "a/b", "..", "x%2fy"])
def test_traversal_names_in_the_body_are_invalid(api, unchanged, name):
    r = api.post(CMS, cm(name))
    message = status_of(r, 422, "Invalid")
    assert message.startswith(f'ConfigMap "{name}" is invalid: metadata.name: Invalid value: "{name}"'), message


def test_unknown_content_type_is_415(api, unchanged):
    r = api.post(CMS, "name: x", content_type="text/x-weird")
    assert status_of(r, 415, "UnsupportedMediaType") == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml, application/vnd.kubernetes.protobuf")


# --- transport ---------------------------------------------------------------------

def test_oversized_header_is_431_or_closed(server, unchanged):
    client = server.api()
    try:
        r = client.get(CMS, headers={"X-Big": "x" * (1100 * 1024)}, retry=False)
        assert r.status == 431, r
    except (ConnectionError, ssl.SSLError, OSError):
        pass  # closed while the client was still sending: also a refusal
    finally:
        client.close()


def test_control_characters_in_a_header_are_400(server, unchanged):
    client = server.api(client_cert=False)
    try:
        r = client.get(CMS, headers={"Authorization": "Bearer a\x7fb"}, retry=False)
        assert r.status == 400 and r.text.startswith("400 Bad Request"), r
    finally:
        client.close()


def test_self_signed_client_certificate_is_refused(server, unchanged):
    d = tempfile.mkdtemp(prefix="kcpp-hostile-")
    key, crt = os.path.join(d, "k.pem"), os.path.join(d, "c.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt,
                    "-subj", "/CN=admin/O=system:masters", "-days", "1"],
                   check=True, capture_output=True)
    kc = server.server.kubeconfig
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=kc.ca_file)
    ctx.load_cert_chain(crt, key)
    client = ApiClient(kc.host, kc.port, ctx)
    try:
        r = client.get(CMS, retry=False)
        assert status_of(r, 401, "Unauthorized") == "Unauthorized"
    except (ssl.SSLError, ConnectionError, OSError):
        pass  # the TLS handshake refused the certificate
    finally:
        client.close()


# --- service-account tokens ----------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der_to_raw(der):
    """An ECDSA DER signature (SEQUENCE of two INTEGERs) as JWS's 64-byte r||s."""
    assert der[0] == 0x30
    i = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        out += der[i + 2:i + 2 + n].lstrip(b"\0").rjust(32, b"\0")
        i += 2 + n
    return out


def sign(server, claims, header=None):
    key = os.path.join(server.server.data_dir, "server", "tls", "service-account.key")
    head = b64url(json.dumps(header or {"alg": "ES256", "kid": "x"}).encode())
    body = b64url(json.dumps(claims).encode())
    signing_input = f"{head}.{body}".encode()
    der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input,
                         capture_output=True, check=True).stdout
    return f"{head}.{body}.{b64url(der_to_raw(der))}"


@pytest.fixture(scope="module")
def robot(server, seeded):
    server.kubectl("create", "serviceaccount", "robot", "-n", NS)
    server.kubectl("create", "rolebinding", "robot-admin", "--clusterrole=admin",
                   f"--serviceaccount={NS}:robot", "-n", NS)
    token = server.kubectl("create", "token", "robot", "-n", NS).stdout.strip()
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return token, claims


def with_token(server, token):
    client = server.api(client_cert=False)
    try:
        return client.get(CMS, headers={"Authorization": f"Bearer {token}"})
    finally:
        client.close()


def test_genuine_token_works(server, robot):
    assert with_token(server, robot[0]).status == 200  # the forgeries below are the only change


@pytest.mark.parametrize("forgery", ["expired", "other-audience", "tampered", "alg-none",
                                     "wrong-key", "garbage"])
def test_forged_service_account_tokens_are_401(server, robot, unchanged, forgery):
    token, claims = robot
    now = int(time.time())
    if forgery == "expired":
        bad = sign(server, dict(claims, iat=now - 7200, nbf=now - 7200, exp=now - 3600))
    elif forgery == "other-audience":
        bad = sign(server, dict(claims, aud=["https://elsewhere.example"]))
    elif forgery == "tampered":
        head, _, sig = token.split(".")
        bad = f"{head}.{b64url(json.dumps(dict(claims, sub='system:admin')).encode())}.{sig}"
    elif forgery == "alg-none":
        none = b64url(json.dumps({"alg": "none"}).encode())
        bad = f"{none}.{b64url(json.dumps(claims).encode())}."
    elif forgery == "wrong-key":
        d = tempfile.mkdtemp(prefix="kcpp-hostile-key-")
        other = os.path.join(d, "k.pem")
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
                        other], check=True, capture_output=True)
        head = b64url(json.dumps({"alg": "ES256"}).encode())
        body = b64url(json.dumps(claims).encode())
        der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", other],
                             input=f"{head}.{body}".encode(), capture_output=True, check=True).stdout
        bad = f"{head}.{body}.{b64url(der_to_raw(der))}"
    else:
        bad = "a.b.c.d"
    r = with_token(server, bad)
    assert status_of(r, 401, "Unauthorized") == "Unauthorized"


def test_slow_loris_is_closed_at_the_header_timeout(slow_loris, api, seeded):
    closed = slow_loris.wait(timeout=HEADER_TIMEOUT + 20)
    assert closed is not None, "the server kept a never-ending request header open"
    assert HEADER_TIMEOUT - 2 <= closed <= HEADER_TIMEOUT + 15, closed
    assert api.get("/api/v1/namespaces/" + NS).status == 200
