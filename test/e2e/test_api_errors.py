"""Raw HTTPS against kcpp: upstream's status codes, Status bodies and API semantics."""

import http.client
import io
import json
import re
import select
import socket
import ssl
import threading
import time
import urllib.parse

import pytest
import yaml

from conftest import start_server, unique
from kcpp_harness import Response, qs


def cm(name, data=None, labels=None, **meta):
    md = {"name": name}
    if labels is not None:
        md["labels"] = labels
    md.update(meta)
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": data or {}}


def assert_status(r, code, reason, message=None, details=None):
    """r is an error response carrying a v1 Status with this code/reason (and message)."""
    assert r.status == code, f"expected HTTP {code}, got {r}"
    ctype = r.header("Content-Type") or ""
    assert ctype.startswith("application/json"), f"Content-Type {ctype!r}: {r}"
    body = r.json()
    assert body.get("kind") == "Status" and body.get("apiVersion") == "v1", body
    assert body.get("status") == "Failure", body
    assert body.get("code") == code, body
    assert body.get("reason") == reason, body
    assert body.get("metadata") == {}, body
    if message is not None:
        assert body.get("message") == message, body
    if details is not None:
        assert body.get("details") == details, body
    return body


def create_cm(api, ns, name, data=None, labels=None, **meta):
    r = api.post(f"/api/v1/namespaces/{ns}/configmaps", cm(name, data, labels, **meta))
    assert r.status == 201, r
    return r.json()


# -- authentication -----------------------------------------------------------------------

def test_anonymous_requests_are_forbidden_and_bad_credentials_401(server):
    # No credentials: system:anonymous (--anonymous-auth defaults on, as upstream),
    # which the bootstrap policy grants only health and version.
    anon = server.api(client_cert=False)
    try:
        r = anon.get("/api")
        assert_status(r, 403, "Forbidden",
                      message='forbidden: User "system:anonymous" cannot get path "/api"')
        r = anon.get("/api/v1/namespaces")
        assert_status(r, 403, "Forbidden")
        r = anon.post("/api/v1/namespaces/default/configmaps", cm("anon"))
        assert_status(r, 403, "Forbidden")
        for path in ("/api/v1/namespaces", "/api", "/apis", "/api/v1/namespaces/default/pods"):
            r = anon.get(path, headers={"Authorization": "Bearer not-a-known-token"})
            assert_status(r, 401, "Unauthorized", message="Unauthorized")
    finally:
        anon.close()


def test_health_and_version_need_no_credentials(server):
    anon = server.api(client_cert=False)
    try:
        for path in ("/healthz", "/livez", "/readyz"):
            r = anon.get(path, headers={"Accept": "*/*"})
            assert r.status == 200, (path, r)
            assert r.text == "ok", (path, r)
        r = anon.get("/version")
        assert r.status == 200, r
        v = r.json()
        assert v["major"] == "1" and v["minor"] == "33", v
        assert re.fullmatch(r"v1\.33\.\d+\+kcpp.*", v["gitVersion"]), v
    finally:
        anon.close()


# -- 404 ------------------------------------------------------------------------------------

def test_create_in_missing_namespace_is_404(api):
    r = api.post("/api/v1/namespaces/nope/configmaps", cm("x"))
    assert_status(r, 404, "NotFound", message='namespaces "nope" not found',
                  details={"name": "nope", "kind": "namespaces"})


def test_get_missing_object_is_404(api, namespace):
    r = api.get(f"/api/v1/namespaces/{namespace}/configmaps/x")
    assert_status(r, 404, "NotFound", message='configmaps "x" not found',
                  details={"name": "x", "kind": "configmaps"})
    r = api.get("/apis/apps/v1/namespaces/default/deployments/nodep")
    assert_status(r, 404, "NotFound", message='deployments.apps "nodep" not found',
                  details={"name": "nodep", "group": "apps", "kind": "deployments"})
    r = api.delete(f"/api/v1/namespaces/{namespace}/configmaps/x")
    assert_status(r, 404, "NotFound", message='configmaps "x" not found')


def test_unknown_resource_is_404(api):
    r = api.get("/api/v1/namespaces/default/widgets")
    assert_status(r, 404, "NotFound", message="the server could not find the requested resource")


# -- 409 ------------------------------------------------------------------------------------

def test_create_twice_is_409_already_exists(api, namespace):
    create_cm(api, namespace, "dup")
    r = api.post(f"/api/v1/namespaces/{namespace}/configmaps", cm("dup"))
    assert_status(r, 409, "AlreadyExists", message='configmaps "dup" already exists',
                  details={"name": "dup", "kind": "configmaps"})


def test_update_with_stale_resource_version_is_409_conflict(api, namespace):
    obj = create_cm(api, namespace, "c", {"v": "1"})
    stale = json.loads(json.dumps(obj))
    obj["data"]["v"] = "2"
    r = api.put(f"/api/v1/namespaces/{namespace}/configmaps/c", obj)
    assert r.status == 200, r
    fresh = r.json()
    assert int(fresh["metadata"]["resourceVersion"]) > int(stale["metadata"]["resourceVersion"])
    stale["data"]["v"] = "3"
    r = api.put(f"/api/v1/namespaces/{namespace}/configmaps/c", stale)
    assert_status(
        r, 409, "Conflict",
        message='Operation cannot be fulfilled on configmaps "c": the object has been modified; '
                'please apply your changes to the latest version and try again',
        details={"name": "c", "kind": "configmaps"})
    got = api.get(f"/api/v1/namespaces/{namespace}/configmaps/c").json()
    assert got["data"] == {"v": "2"}


# -- 422 ------------------------------------------------------------------------------------

RFC1123_SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                     "characters, '-' or '.', and must start and end with an alphanumeric "
                     "character (e.g. 'example.com', regex used for validation is "
                     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")


def test_invalid_name_is_422_with_causes(api, namespace):
    r = api.post(f"/api/v1/namespaces/{namespace}/configmaps", cm("Bad_Name"))
    cause = f'Invalid value: "Bad_Name": {RFC1123_SUBDOMAIN}'
    assert_status(
        r, 422, "Invalid",
        message=f'ConfigMap "Bad_Name" is invalid: metadata.name: {cause}',
        details={"name": "Bad_Name", "kind": "ConfigMap",
                 "causes": [{"reason": "FieldValueInvalid", "message": cause,
                             "field": "metadata.name"}]})
    assert api.get(f"/api/v1/namespaces/{namespace}/configmaps/Bad_Name").status == 404


def test_missing_required_field_is_422(api, namespace):
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "noports"},
           "spec": {"selector": {"app": "x"}}}
    r = api.post(f"/api/v1/namespaces/{namespace}/services", svc)
    body = assert_status(r, 422, "Invalid")
    assert body["message"].startswith('Service "noports" is invalid: '), body
    assert {"reason": "FieldValueRequired", "message": "Required value",
            "field": "spec.ports"} in body["details"]["causes"], body


# -- 400 / 413 / 415 / 405 ------------------------------------------------------------------

def test_malformed_json_is_400(api, namespace):
    r = api.post(f"/api/v1/namespaces/{namespace}/configmaps",
                 b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": ')
    body = assert_status(r, 400, "BadRequest")
    assert body["message"], body
    r = api.post(f"/api/v1/namespaces/{namespace}/configmaps", b"{not json at all")
    assert_status(r, 400, "BadRequest")


def test_namespace_and_name_mismatch_is_400(api, namespace):
    body = cm("mismatch")
    body["metadata"]["namespace"] = "kube-system"
    r = api.post(f"/api/v1/namespaces/{namespace}/configmaps", body)
    assert_status(r, 400, "BadRequest",
                  message="the namespace of the provided object does not match the namespace "
                          "sent on the request")
    create_cm(api, namespace, "named")
    r = api.put(f"/api/v1/namespaces/{namespace}/configmaps/named", cm("other"))
    assert_status(r, 400, "BadRequest",
                  message="the name of the object (other) does not match the name on the URL "
                          "(named)")


class _PrefixedReader(io.RawIOBase):
    """Bytes already received, then the rest of the socket."""

    def __init__(self, prefix, sock):
        self.prefix = prefix
        self.sock = sock

    def readable(self):
        return True

    def readinto(self, b):
        if self.prefix:
            n = min(len(b), len(self.prefix))
            b[:n] = self.prefix[:n]
            self.prefix = self.prefix[n:]
            return n
        data = self.sock.recv(len(b))
        b[:len(data)] = data
        return len(data)


class _PrefixedSocket:
    def __init__(self, prefix, sock):
        self.reader = io.BufferedReader(_PrefixedReader(prefix, sock))

    def makefile(self, mode, *args, **kw):
        return self.reader


def send_large_body(server, path, data):
    """POST data the way curl does: stop sending as soon as the server answers early.

    Returns (Response or None, bytes sent, error or None)."""
    kc = server.server.kubeconfig
    raw = socket.create_connection((kc.host, kc.port), timeout=30)
    tls = kc.ssl_context().wrap_socket(raw, server_hostname=kc.host)
    try:
        head = (f"POST {path} HTTP/1.1\r\nHost: {kc.host}:{kc.port}\r\n"
                f"Content-Type: application/json\r\nAccept: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode()
        tls.sendall(head)
        sent, error, early = 0, None, b""
        while sent < len(data) and not early:
            readable, _, _ = select.select([tls], [], [], 0)
            if readable or tls.pending():
                # Maybe only TLS 1.3 session tickets; look for application data.
                tls.setblocking(False)
                try:
                    early = tls.recv(65536)
                    if not early:
                        error = ConnectionResetError("server closed the connection")
                        break
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    pass
                except (OSError, ssl.SSLError) as e:
                    error = e
                    break
                finally:
                    tls.settimeout(30)
                if early:
                    break
            try:
                tls.sendall(data[sent:sent + 65536])
            except (OSError, ssl.SSLError) as e:
                error = e
                break
            sent += min(65536, len(data) - sent)
        resp = http.client.HTTPResponse(_PrefixedSocket(early, tls))
        try:
            resp.begin()
            body = resp.read()
        except (OSError, ssl.SSLError, http.client.HTTPException) as e:
            return None, sent, error or e
        return Response(resp.status, resp.reason, resp.getheaders(), body), sent, error
    finally:
        tls.close()


def test_body_over_3mib_is_413(server, api, namespace):
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    data = json.dumps(cm("big", {"blob": "x" * (3 * 1024 * 1024 + 4096)})).encode()
    r, sent, error = send_large_body(server, path, data)
    assert r is not None, (f"server closed the connection without an HTTP answer after "
                           f"{sent} of {len(data)} body bytes ({error!r})")
    assert_status(r, 413, "RequestEntityTooLarge",
                  message="Request entity too large: limit is 3145728")
    assert api.get(f"{path}/big").status == 404


def test_configmap_over_1mib_is_422(server, api, namespace):
    """A body under the request limit is read in full; a ConfigMap over 1 MiB is Invalid."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    data = json.dumps(cm("under", {"blob": "y" * (3 * 1024 * 1024 - 4096)})).encode()
    r, sent, error = send_large_body(server, path, data)
    assert r is not None and sent == len(data), (sent, len(data), error)
    body = assert_status(r, 422, "Invalid")
    assert body["message"].startswith('ConfigMap "under" is invalid: '), body
    assert "1048576" in body["message"], body
    assert api.get(f"{path}/under").status == 404


def test_unsupported_content_type_is_415(api, namespace):
    r = api.post(f"/api/v1/namespaces/{namespace}/configmaps", json.dumps(cm("t")),
                 content_type="text/plain")
    body = assert_status(r, 415, "UnsupportedMediaType")
    prefix = ("the body of the request was in an unknown format - accepted media types "
              "include: ")
    assert body["message"].startswith(prefix), body
    accepted = [t.strip() for t in body["message"][len(prefix):].split(",")]
    assert "application/json" in accepted and "application/yaml" in accepted, body


def test_method_not_allowed_is_405(api, namespace):
    create_cm(api, namespace, "m")
    msg = "the server does not allow this method on the requested resource"
    # POST to an object's URL.
    r = api.post(f"/api/v1/namespaces/{namespace}/configmaps/m", cm("m"))
    assert_status(r, 405, "MethodNotAllowed", message=msg)
    # PUT to a collection.
    r = api.put(f"/api/v1/namespaces/{namespace}/configmaps", cm("m"))
    assert_status(r, 405, "MethodNotAllowed", message=msg)
    # DELETE of a status subresource.
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}}
    assert api.post(f"/api/v1/namespaces/{namespace}/pods", pod).status == 201
    r = api.delete(f"/api/v1/namespaces/{namespace}/pods/p/status")
    assert_status(r, 405, "MethodNotAllowed", message=msg)


# -- object semantics -----------------------------------------------------------------------

def test_status_subresource_split(api, namespace):
    base = f"/api/v1/namespaces/{namespace}/services"
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "split"},
           "spec": {"selector": {"app": "split"}, "ports": [{"port": 80}]}}
    r = api.post(base, svc)
    assert r.status == 201, r
    obj = r.json()
    condition = {"type": "Ready", "status": "True", "observedGeneration": 1,
                 "lastTransitionTime": "2024-01-02T03:04:05Z", "reason": "TestReason",
                 "message": "set by the test"}

    # PUT on the main resource: the spec/metadata change lands, the status change is ignored.
    obj["metadata"].setdefault("labels", {})["touched"] = "main"
    obj["status"] = {"conditions": [condition]}
    r = api.put(f"{base}/split", obj)
    assert r.status == 200, r
    after_main = r.json()
    assert after_main["metadata"]["labels"]["touched"] == "main"
    assert not after_main.get("status", {}).get("conditions"), after_main
    got = api.get(f"{base}/split").json()
    assert not got.get("status", {}).get("conditions"), got

    # PUT on /status: only the status changes.
    got["spec"]["ports"][0]["port"] = 81
    got["status"] = {"conditions": [condition]}
    r = api.put(f"{base}/split/status", got)
    assert r.status == 200, r
    after_status = r.json()
    assert after_status["status"]["conditions"] == [condition], after_status
    assert after_status["spec"]["ports"][0]["port"] == 80, after_status
    assert int(after_status["metadata"]["resourceVersion"]) > int(
        after_main["metadata"]["resourceVersion"])
    got = api.get(f"{base}/split").json()
    assert got["status"]["conditions"] == [condition]
    assert got["spec"]["ports"][0]["port"] == 80

    # GET on /status returns the whole object.
    r = api.get(f"{base}/split/status")
    assert r.status == 200 and r.json()["kind"] == "Service", r


def test_generation_bumps_only_on_spec_change(api, namespace):
    base = f"/apis/apps/v1/namespaces/{namespace}/deployments"
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "gen"},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "gen"}},
                    "template": {"metadata": {"labels": {"app": "gen"}},
                                 "spec": {"containers": [{"name": "c",
                                                          "image": "registry.k8s.io/pause:3.10"}]}}}}
    r = api.post(base, dep)
    assert r.status == 201, r
    assert r.json()["metadata"]["generation"] == 1

    r = api.patch(f"{base}/gen", {"metadata": {"labels": {"extra": "label"},
                                               "annotations": {"a": "b"}}})
    assert r.status == 200, r
    assert r.json()["metadata"]["generation"] == 1, r.json()["metadata"]

    r = api.patch(f"{base}/gen", {"spec": {"replicas": 3}})
    assert r.status == 200, r
    assert r.json()["metadata"]["generation"] == 2
    assert r.json()["spec"]["replicas"] == 3

    r = api.patch(f"{base}/gen", {"spec": {"template": {"spec": {"containers": [
        {"name": "c", "image": "registry.k8s.io/pause:3.9"}]}}}})
    assert r.status == 200, r
    assert r.json()["metadata"]["generation"] == 3

    r = api.patch(f"{base}/gen/status", {"status": {"observedGeneration": 3}})
    assert r.status == 200, r
    assert r.json()["metadata"]["generation"] == 3
    assert api.get(f"{base}/gen").json()["metadata"]["generation"] == 3


def test_noop_update_keeps_resource_version(api, namespace):
    obj = create_cm(api, namespace, "noop", {"a": "1"})
    r = api.put(f"/api/v1/namespaces/{namespace}/configmaps/noop", obj)
    assert r.status == 200, r
    assert r.json()["metadata"]["resourceVersion"] == obj["metadata"]["resourceVersion"]


def test_finalizers_hold_deletion_until_removed(api, namespace):
    path = f"/api/v1/namespaces/{namespace}/configmaps/fin"
    create_cm(api, namespace, "fin", {"a": "1"}, finalizers=["example.com/keep"])
    r = api.delete(path)
    assert r.status == 200, r
    body = r.json()
    assert body["kind"] == "ConfigMap", body
    assert body["metadata"].get("deletionTimestamp"), body
    assert body["metadata"]["finalizers"] == ["example.com/keep"]

    got = api.get(path)
    assert got.status == 200, got
    md = got.json()["metadata"]
    assert md.get("deletionTimestamp") and md.get("deletionGracePeriodSeconds") == 0, md
    names = [i["metadata"]["name"] for i in
             api.get(f"/api/v1/namespaces/{namespace}/configmaps").json()["items"]]
    assert "fin" in names

    # Deleting again changes nothing; the object still waits for its finalizer.
    r = api.delete(path)
    assert r.status == 200 and r.json()["metadata"].get("deletionTimestamp"), r
    assert api.get(path).status == 200

    r = api.patch(path, {"metadata": {"finalizers": None}})
    assert r.status == 200, r
    deadline = time.monotonic() + 10
    while api.get(path).status != 404:
        assert time.monotonic() < deadline, "object not removed after its finalizer was"
        time.sleep(0.05)


def test_generate_name(api, namespace):
    names = set()
    for _ in range(3):
        r = api.post(f"/api/v1/namespaces/{namespace}/configmaps",
                     {"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"generateName": "gen-"}, "data": {"a": "b"}})
        assert r.status == 201, r
        obj = r.json()
        name = obj["metadata"]["name"]
        assert re.fullmatch(r"gen-[bcdfghjklmnpqrstvwxz2456789]{5}", name), name
        assert obj["metadata"]["generateName"] == "gen-"
        assert api.get(f"/api/v1/namespaces/{namespace}/configmaps/{name}").status == 200
        names.add(name)
    assert len(names) == 3


def test_dry_run_creates_nothing(api, namespace):
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    r = api.post(qs(base, dryRun="All"), cm("dry", {"a": "1"}))
    assert r.status == 201, r
    obj = r.json()
    assert obj["metadata"]["name"] == "dry" and obj["data"] == {"a": "1"}
    assert obj["metadata"].get("uid") and obj["metadata"].get("creationTimestamp"), obj
    assert_status(api.get(f"{base}/dry"), 404, "NotFound")

    real = create_cm(api, namespace, "real", {"a": "1"})
    r = api.delete(qs(f"{base}/real", dryRun="All"))
    assert r.status == 200, r
    still = api.get(f"{base}/real")
    assert still.status == 200, still
    assert still.json()["metadata"]["resourceVersion"] == real["metadata"]["resourceVersion"]

    real["data"]["a"] = "2"
    r = api.put(qs(f"{base}/real", dryRun="All"), real)
    assert r.status == 200 and r.json()["data"] == {"a": "2"}, r
    assert api.get(f"{base}/real").json()["data"] == {"a": "1"}


def test_pretty_output(api, namespace):
    create_cm(api, namespace, "pretty", {"a": "1"})
    path = f"/api/v1/namespaces/{namespace}/configmaps/pretty"
    compact = api.get(path).text
    assert "\n" not in compact.strip(), compact
    pretty = api.get(qs(path, pretty="true")).text
    # Two-space indented JSON, one member per line (Go's json.MarshalIndent layout).
    assert pretty.rstrip("\n") == json.dumps(json.loads(pretty), indent=2), pretty
    assert json.loads(pretty) == json.loads(compact)
    assert "\n" not in api.get(qs(path, pretty="false")).text.strip()
    # curl gets pretty output by default, as upstream does for curl/wget/browsers.
    curl = api.get(path, headers={"User-Agent": "curl/8.0"}).text
    assert curl.rstrip("\n") == json.dumps(json.loads(curl), indent=2), curl


def test_yaml_request_and_response(api, namespace):
    body = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n"
            "  labels:\n    source: yaml\ndata:\n  key: value\n  multi: |\n    line1\n    line2\n")
    r = api.post(f"/api/v1/namespaces/{namespace}/configmaps", body,
                 content_type="application/yaml")
    assert r.status == 201, r
    obj = r.json()
    assert obj["data"] == {"key": "value", "multi": "line1\nline2\n"}
    assert obj["metadata"]["labels"] == {"source": "yaml"}
    r = api.get(f"/api/v1/namespaces/{namespace}/configmaps/from-yaml",
                headers={"Accept": "application/yaml"})
    assert r.status == 200, r
    assert (r.header("Content-Type") or "").startswith("application/yaml"), r.headers
    doc = yaml.safe_load(r.text)
    assert doc["kind"] == "ConfigMap" and doc["data"] == obj["data"]
    assert doc["metadata"]["uid"] == obj["metadata"]["uid"]


def test_label_selector_operators(api, namespace):
    create_cm(api, namespace, "a", labels={"env": "prod", "tier": "web"})
    create_cm(api, namespace, "b", labels={"env": "dev"})
    create_cm(api, namespace, "c", labels={"tier": "db"})
    create_cm(api, namespace, "d", labels={})

    def names(selector):
        r = api.get(qs(f"/api/v1/namespaces/{namespace}/configmaps", labelSelector=selector))
        assert r.status == 200, (selector, r)
        return sorted(i["metadata"]["name"] for i in r.json()["items"]
                      if i["metadata"]["name"] in ("a", "b", "c", "d"))

    cases = {
        "env=prod": ["a"],
        "env==prod": ["a"],
        "env!=prod": ["b", "c", "d"],
        "env in (prod,dev)": ["a", "b"],
        "env notin (prod)": ["b", "c", "d"],
        "env": ["a", "b"],
        "!env": ["c", "d"],
        "env,tier": ["a"],
        "env=prod,tier=web": ["a"],
        "env=prod,tier=db": [],
        "tier in (web,db),env!=prod": ["c"],
    }
    for selector, expected in cases.items():
        assert names(selector) == expected, selector
    r = api.get(qs(f"/api/v1/namespaces/{namespace}/configmaps", labelSelector="env in prod"))
    assert_status(r, 400, "BadRequest")


def list_rv(api, path):
    r = api.get(path)
    assert r.status == 200, r
    return r.json()["metadata"]["resourceVersion"]


def test_watch_with_label_selector_reports_leaving_objects_as_deleted(api, namespace):
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    rv = list_rv(api, base)
    with api.watch(base, resourceVersion=rv, labelSelector="app=w") as w:
        assert w.status == 200
        create_cm(api, namespace, "outside", labels={"app": "z"})
        create_cm(api, namespace, "w1", labels={"app": "w"})
        evs = w.events_until(lambda e: e["object"]["metadata"]["name"] == "w1")
        assert [(e["type"], e["object"]["metadata"]["name"]) for e in evs] == [("ADDED", "w1")]

        r = api.patch(f"{base}/w1", {"metadata": {"labels": {"app": "z"}}})
        assert r.status == 200, r
        left_rv = r.json()["metadata"]["resourceVersion"]
        ev = w.events_until(lambda e: True)[-1]
        assert ev["type"] == "DELETED", ev
        assert ev["object"]["metadata"]["name"] == "w1"
        # Upstream sends the last state that matched, at the revision of the change.
        assert ev["object"]["metadata"]["resourceVersion"] == left_rv, ev
        assert ev["object"]["metadata"]["labels"] == {"app": "w"}, ev

        r = api.patch(f"{base}/w1", {"metadata": {"labels": {"app": "w"}}})
        assert r.status == 200, r
        ev = w.events_until(lambda e: True)[-1]
        assert ev["type"] == "ADDED" and ev["object"]["metadata"]["labels"] == {"app": "w"}, ev

        r = api.patch(f"{base}/w1", {"data": {"k": "v"}})
        ev = w.events_until(lambda e: True)[-1]
        assert ev["type"] == "MODIFIED" and ev["object"]["data"] == {"k": "v"}, ev

        assert api.delete(f"{base}/w1").status == 200
        ev = w.events_until(lambda e: True)[-1]
        assert ev["type"] == "DELETED" and ev["object"]["metadata"]["name"] == "w1", ev


def test_watch_bookmarks_before_timeout(api, namespace):
    """Upstream sends a BOOKMARK ~2 s before a watch's timeoutSeconds when bookmarks are allowed."""
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    rv = list_rv(api, base)
    started = time.monotonic()
    with api.watch(base, timeout=20, resourceVersion=rv, allowWatchBookmarks="true",
                   timeoutSeconds=5) as w:
        assert w.status == 200
        evs = w.events_until(lambda e: e["type"] == "BOOKMARK", timeout=8)
        bm = evs[-1]
        assert bm["object"]["kind"] == "ConfigMap" and bm["object"]["apiVersion"] == "v1", bm
        assert int(bm["object"]["metadata"]["resourceVersion"]) >= int(rv), bm
        # The stream then ends at the timeout.
        while w.next_event(timeout=10) is not None:
            pass
        elapsed = time.monotonic() - started
        assert 4 <= elapsed <= 9, elapsed


def test_watch_timeout_seconds_ends_stream(api, namespace):
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    # A new namespace soon gets kube-root-ca.crt (as upstream's): let it come
    # first so that the watch below has nothing to report.
    deadline = time.monotonic() + 5
    while api.get(f"{base}/kube-root-ca.crt").status != 200 and time.monotonic() < deadline:
        time.sleep(0.02)
    rv = list_rv(api, base)
    started = time.monotonic()
    with api.watch(base, timeout=15, resourceVersion=rv, timeoutSeconds=1) as w:
        assert w.status == 200
        assert w.next_event(timeout=10) is None
    assert time.monotonic() - started < 5


def test_pagination_is_consistent_under_concurrent_writes(server, api, namespace):
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    for i in range(60):
        create_cm(api, namespace, f"base-{i:02d}", {"v": "0"})
    # name -> list of (rv, value) for every acknowledged write
    history = {f"base-{i:02d}": [] for i in range(60)}
    for item in api.get(base).json()["items"]:
        if item["metadata"]["name"] in history:
            history[item["metadata"]["name"]].append(
                (int(item["metadata"]["resourceVersion"]), item["data"]["v"]))
    stop = threading.Event()
    errors = []

    def writer():
        client = server.api()
        n = 0
        try:
            while not stop.is_set():
                n += 1
                name = f"base-{n % 60:02d}"
                r = client.patch(f"{base}/{name}", {"data": {"v": str(n)}})
                if r.status != 200:
                    errors.append(r)
                    return
                history[name].append((int(r.json()["metadata"]["resourceVersion"]), str(n)))
                r = client.post(base, cm(f"new-{n:04d}", {"v": "new"}))
                if r.status != 201:
                    errors.append(r)
                    return
                history[f"new-{n:04d}"] = [(int(r.json()["metadata"]["resourceVersion"]),
                                            "new")]
        finally:
            client.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        time.sleep(0.2)
        pages, token, snapshot_rv = [], None, None
        while True:
            r = api.get(qs(base, limit=7, **({"continue": token} if token else {})))
            assert r.status == 200, r
            body = r.json()
            pages.append(body)
            if snapshot_rv is None:
                snapshot_rv = body["metadata"]["resourceVersion"]
            else:
                assert body["metadata"]["resourceVersion"] == snapshot_rv, body["metadata"]
            assert len(body["items"]) <= 7
            token = body["metadata"].get("continue")
            if not token:
                break
            time.sleep(0.02)  # let the writer get ahead of the pager
    finally:
        stop.set()
        t.join(30)
    assert not errors, errors
    R = int(snapshot_rv)
    items = [i for p in pages for i in p["items"]]
    listed = [i["metadata"]["name"] for i in items]
    assert len(listed) == len(set(listed)), "an object appeared on two pages"
    assert listed == sorted(listed), "pages are not in key order"
    expected = {}
    for name, writes in list(history.items()):
        visible = [w for w in writes if w[0] <= R]
        if visible:
            expected[name] = max(visible)
    got = {i["metadata"]["name"]: (int(i["metadata"]["resourceVersion"]), i["data"]["v"])
           for i in items if i["metadata"]["name"] in history}
    assert got == expected, f"list at rv {R} differs from the writes acknowledged by then"
    assert any(max(w)[0] > R for w in history.values()), "writer made no writes during paging"
    assert len(pages) >= 9


# -- 410 Expired (compaction) -----------------------------------------------------------------

@pytest.fixture(scope="module")
def compacting(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--compact-interval", "2"])
    client = handle.api()
    ns = unique("compact")
    r = client.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                            "metadata": {"name": ns}})
    assert r.status == 201, r
    yield handle, client, ns
    client.close()
    finish()


def wait_compacted(client, ns, rv, timeout=30):
    """Keep writing until a list at exactly rv answers 410; returns that response."""
    base = f"/api/v1/namespaces/{ns}/configmaps"
    deadline = time.monotonic() + timeout
    n = 0
    while time.monotonic() < deadline:
        n += 1
        r = client.post(base, cm(unique("filler"), {"n": str(n)}))
        assert r.status == 201, r
        r = client.get(qs(base, resourceVersion=rv, resourceVersionMatch="Exact"))
        if r.status != 200:
            return r
        time.sleep(0.25)
    raise AssertionError(f"revision {rv} was not compacted within {timeout}s")


def test_list_exact_at_compacted_revision_is_410(compacting):
    _, client, ns = compacting
    base = f"/api/v1/namespaces/{ns}/configmaps"
    obj = create_cm(client, ns, "exact", {"v": "old"})
    rv0 = obj["metadata"]["resourceVersion"]
    r = client.patch(f"{base}/exact", {"data": {"v": "new"}})
    assert r.status == 200, r
    # Before compaction, an exact list shows the object as it was at rv0.
    r = client.get(qs(base, resourceVersion=rv0, resourceVersionMatch="Exact"))
    assert r.status == 200, r
    body = r.json()
    assert body["metadata"]["resourceVersion"] == rv0
    old = [i for i in body["items"] if i["metadata"]["name"] == "exact"]
    assert old and old[0]["data"] == {"v": "old"}, body

    r = wait_compacted(client, ns, rv0)
    assert_status(r, 410, "Expired", message="The resourceVersion for the provided list is too old.")
    # NotOlderThan an old revision is still served (from the latest state).
    r = client.get(qs(base, resourceVersion=rv0, resourceVersionMatch="NotOlderThan"))
    assert r.status == 200, r
    assert int(r.json()["metadata"]["resourceVersion"]) > int(rv0)


def churn(handle, ns, writes, threads=8):
    """`writes` updates of a few ConfigMaps, from several keep-alive clients at once."""
    errors = []

    def worker(i):
        client = handle.api()
        base = f"/api/v1/namespaces/{ns}/configmaps"
        try:
            r = client.get(f"{base}/churn-{i}")
            if r.status == 404:
                r = client.post(base, cm(f"churn-{i}", {"n": "0"}))
            for n in range(writes // threads):
                r = client.patch(f"{base}/churn-{i}", {"data": {"n": str(n)}})
                if r.status != 200:
                    errors.append(r)
                    return
        finally:
            client.close()

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors[:3]


def test_watch_from_compacted_revision_gets_410_error_event(compacting):
    """A watch from a revision that is compacted and older than the watch cache's history.

    Upstream's watch cache replays recent events from memory even after the datastore
    compacted them; once a revision is older than that history too, the watch gets one
    ERROR event carrying a 410 Expired Status and ends. The test writes until that happens
    (bounded), so it does not depend on the cache's size."""
    handle, client, ns = compacting
    obj = create_cm(client, ns, "watched", {"v": "1"})
    rv0 = obj["metadata"]["resourceVersion"]
    wait_compacted(client, ns, rv0)
    written = 0
    while True:
        with client.watch(f"/api/v1/namespaces/{ns}/configmaps", resourceVersion=rv0) as w:
            assert w.status == 200, w.body()
            ev = w.next_event(timeout=10)
            assert ev is not None, "watch ended without an event"
            if ev["type"] == "ERROR":
                st = ev["object"]
                assert st["kind"] == "Status" and st["apiVersion"] == "v1", st
                assert st["status"] == "Failure" and st["code"] == 410, st
                assert st["reason"] == "Expired", st
                assert re.fullmatch(rf"too old resource version: {rv0} \(\d+\)",
                                    st["message"]), st
                assert w.next_event(timeout=10) is None, "the stream should end after the ERROR"
                return
            # Still replayed from the watch cache's history: the first event is the next change.
            assert ev["type"] in ("ADDED", "MODIFIED", "DELETED"), ev
            assert int(ev["object"]["metadata"]["resourceVersion"]) > int(rv0), ev
        assert written < 120000, (f"after {written} more writes, a watch from compacted "
                                  f"revision {rv0} still replays history instead of 410")
        churn(handle, ns, 4000)
        written += 4000


def test_continue_token_at_compacted_revision_is_410(compacting):
    _, client, ns = compacting
    base = f"/api/v1/namespaces/{ns}/configmaps"
    for i in range(3):
        create_cm(client, ns, f"page-{i}")
    r = client.get(qs(base, limit=1))
    assert r.status == 200, r
    token = r.json()["metadata"]["continue"]
    assert token
    wait_compacted(client, ns, r.json()["metadata"]["resourceVersion"])
    r = client.get(qs(base, limit=1, **{"continue": token}))
    body = assert_status(r, 410, "Expired")
    assert "continue parameter is too old" in body["message"], body
