"""Audit log (--audit-log-path, --audit-policy-file): upstream's audit.k8s.io/v1 Event
lines for every request, with the Audit-Id response header naming them."""

import json
import os
import tempfile
import time
import uuid

import pytest

from conftest import start_server, unique

TOKEN = "audit-test-token-0123456789"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class AuditLog:
    def __init__(self, path):
        self.path = path

    def events(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def for_id(self, audit_id, stages, timeout=5.0):
        """The events of one request, once all `stages` are written (the writer is async)."""
        deadline = time.time() + timeout
        while True:
            found = [e for e in self.events() if e["auditID"] == audit_id]
            if sorted(e["stage"] for e in found) == sorted(stages) or time.time() > deadline:
                return found
            time.sleep(0.05)


def audit_id(response):
    value = response.header("Audit-Id")
    assert value, f"no Audit-Id header: {response.headers}"
    return value


@pytest.fixture(scope="module")
def setup(kcpp_binary, kubectl_binary):
    d = tempfile.mkdtemp(prefix="kcpp-e2e-audit-")
    tokens = os.path.join(d, "tokens.csv")
    with open(tokens, "w") as f:
        f.write(f"{TOKEN},plain-user,2001,\"devs\"\n")
    log = os.path.join(d, "audit", "audit.log")
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--token-auth-file", tokens,
                                   "--audit-log-path", log])
    yield handle, AuditLog(log)
    finish()


@pytest.fixture(scope="module")
def server(setup):
    return setup[0]


@pytest.fixture(scope="module")
def log(setup):
    return setup[1]


def configmap(name, data=None):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": data or {"k": "v"}}


def test_create_is_logged_at_metadata_with_both_stages(api, log):
    name = unique("cm")
    r = api.post("/api/v1/namespaces/default/configmaps?fieldManager=e2e", configmap(name),
                 headers={"User-Agent": "audit-e2e/1.0"})
    assert r.status == 201, r
    events = log.for_id(audit_id(r), ["RequestReceived", "ResponseComplete"])
    assert [e["stage"] for e in events] == ["RequestReceived", "ResponseComplete"], events
    received, done = events
    for e in events:
        assert e["kind"] == "Event" and e["apiVersion"] == "audit.k8s.io/v1"
        assert e["level"] == "Metadata"
        assert e["verb"] == "create"
        assert e["requestURI"] == "/api/v1/namespaces/default/configmaps?fieldManager=e2e"
        assert e["userAgent"] == "audit-e2e/1.0"
        assert e["sourceIPs"] == ["127.0.0.1"]
        assert "system:masters" in e["user"]["groups"]
        assert e["objectRef"] == {"resource": "configmaps", "namespace": "default",
                                  "apiVersion": "v1"}
        assert "requestObject" not in e and "responseObject" not in e
    assert "responseStatus" not in received
    assert received["stageTimestamp"] == received["requestReceivedTimestamp"]
    assert done["responseStatus"] == {"metadata": {}, "code": 201}
    assert done["annotations"]["authorization.k8s.io/decision"] == "allow"
    assert done["stageTimestamp"] >= done["requestReceivedTimestamp"]
    assert len(done["stageTimestamp"]) == len("2024-05-01T10:00:00.123456Z")


def test_error_keeps_the_status_fields(api, log):
    r = api.get("/api/v1/namespaces/default/configmaps/" + unique("missing"))
    assert r.status == 404
    done = log.for_id(audit_id(r), ["RequestReceived", "ResponseComplete"])[-1]
    status = done["responseStatus"]
    assert status["code"] == 404 and status["reason"] == "NotFound"
    assert status["status"] == "Failure" and "not found" in status["message"]
    assert done["objectRef"]["name"] == r.json()["details"]["name"]


def test_client_audit_id_is_kept(api, log):
    mine = str(uuid.uuid4())
    r = api.get("/api/v1/namespaces/default", headers={"Audit-ID": mine})
    assert r.status == 200
    assert r.header("Audit-Id") == mine
    assert len(log.for_id(mine, ["RequestReceived", "ResponseComplete"])) == 2


def test_failed_authentication_is_one_event_without_a_user(server, log):
    anon = server.api(client_cert=False)
    try:
        r = anon.get("/api/v1/namespaces", headers=bearer("not-a-token"))
    finally:
        anon.close()
    assert r.status == 401
    events = log.for_id(audit_id(r), ["ResponseStarted"])
    assert len(events) == 1, events
    e = events[0]
    assert e["stage"] == "ResponseStarted"
    assert e["user"] == {}
    assert e["verb"] == "list"
    assert e["responseStatus"]["code"] == 401
    assert e["responseStatus"]["reason"] == "Unauthorized"
    assert "annotations" not in e


def test_forbidden_is_annotated(server, log):
    user = server.api(client_cert=False)
    try:
        r = user.get("/api/v1/namespaces/default/secrets", headers=bearer(TOKEN))
    finally:
        user.close()
    assert r.status == 403
    done = log.for_id(audit_id(r), ["RequestReceived", "ResponseComplete"])[-1]
    assert done["user"] == {"username": "plain-user", "uid": "2001",
                            "groups": ["devs", "system:authenticated"]}
    assert done["annotations"]["authorization.k8s.io/decision"] == "forbid"
    assert done["responseStatus"]["reason"] == "Forbidden"


def test_impersonation_logs_both_users(api, log):
    r = api.get("/api/v1/namespaces/default/configmaps",
                headers={"Impersonate-User": "jane", "Impersonate-Group": "devs"})
    assert r.status == 403
    done = log.for_id(audit_id(r), ["RequestReceived", "ResponseComplete"])[-1]
    assert "system:masters" in done["user"]["groups"]
    assert done["impersonatedUser"] == {"username": "jane",
                                        "groups": ["devs", "system:authenticated"]}


def test_watch_has_response_started(api, log):
    with api.watch("/api/v1/namespaces/default/configmaps", timeoutSeconds=1) as w:
        aid = w.resp.getheader("Audit-Id")
        w.body()
    events = log.for_id(aid, ["RequestReceived", "ResponseStarted", "ResponseComplete"])
    assert [e["stage"] for e in events] == ["RequestReceived", "ResponseStarted",
                                            "ResponseComplete"], events
    assert events[1]["responseStatus"]["code"] == 200
    assert events[0]["verb"] == "watch"


def test_public_and_non_resource_paths(server, api, log):
    anon = server.api(client_cert=False)
    try:
        r = anon.get("/readyz")
    finally:
        anon.close()
    assert r.status == 200
    done = log.for_id(audit_id(r), ["RequestReceived", "ResponseComplete"])[-1]
    assert done["user"]["username"] == "system:anonymous"
    assert "objectRef" not in done
    r = api.get("/apis")
    done = log.for_id(audit_id(r), ["RequestReceived", "ResponseComplete"])[-1]
    assert done["verb"] == "get" and done["requestURI"] == "/apis"


def test_kubectl_requests_are_logged(kubectl, log):
    before = len(log.events())
    kubectl("get", "namespaces")
    time.sleep(0.3)
    agents = {e.get("userAgent", "") for e in log.events()[before:]}
    assert any(a.startswith("kubectl") for a in agents), agents


POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  verbs: [get]
  resources:
  - group: ""
    resources: [configmaps]
- level: RequestResponse
  resources:
  - group: ""
    resources: [configmaps]
  namespaces: [default]
- level: Metadata
"""


def test_policy_file_chooses_levels_and_stages(kcpp_binary, kubectl_binary):
    d = tempfile.mkdtemp(prefix="kcpp-e2e-audit-policy-")
    policy = os.path.join(d, "policy.yaml")
    with open(policy, "w") as f:
        f.write(POLICY)
    log = AuditLog(os.path.join(d, "audit.log"))
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--audit-log-path", log.path,
                                   "--audit-policy-file", policy])
    api = handle.api()
    try:
        name = unique("cm")
        created = api.post("/api/v1/namespaces/default/configmaps", configmap(name))
        assert created.status == 201
        got = api.get(f"/api/v1/namespaces/default/configmaps/{name}")
        assert got.status == 200
        listed = api.get("/api/v1/namespaces/kube-system/configmaps")
        events = log.for_id(audit_id(created), ["ResponseComplete"])
        assert [e["stage"] for e in events] == ["ResponseComplete"]
        e = events[0]
        assert e["level"] == "RequestResponse"
        assert e["requestObject"]["metadata"]["name"] == name
        assert e["responseObject"]["metadata"]["name"] == name
        assert e["responseObject"]["metadata"]["uid"]
        assert log.for_id(audit_id(got), [], timeout=0.5) == []
        other = log.for_id(audit_id(listed), ["ResponseComplete"])
        assert other[0]["level"] == "Metadata" and "responseObject" not in other[0]
    finally:
        api.close()
        finish()


def test_bad_policy_file_stops_the_server(kcpp_binary, tmp_path):
    import subprocess
    policy = tmp_path / "policy.yaml"
    policy.write_text("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Loud\n")
    p = subprocess.run([kcpp_binary, "server", "--disable-agent", "--data-dir",
                        str(tmp_path / "data"), "--https-listen-port", "0",
                        "--audit-log-path", str(tmp_path / "a.log"),
                        "--audit-policy-file", str(policy)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert 'rules[0].level: Unsupported value: "Loud"' in p.stdout + p.stderr
