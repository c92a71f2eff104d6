"""certificates.k8s.io/v1 CertificateSigningRequests against `kcpp server` with
the real kubectl: create (the server records the requester), validation with
upstream's messages, `kubectl certificate approve|deny` through the /approval
subresource, the controller-manager's signer issuing approved requests, kubelet
client requests made with the join token auto-approved, and `kcpp sim --server
--token` joining nodes by TLS bootstrap (one certificate per node)."""

import base64
import json
import os
import subprocess
import tempfile
import time

import pytest


def eventually(fn, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def make_request(cn, orgs=()):
    with tempfile.TemporaryDirectory() as d:
        subject = "".join(f"/O={o}" for o in orgs) + f"/CN={cn}"
        subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", f"{d}/key.pem", "-out", f"{d}/csr.pem", "-subj", subject],
                       check=True, capture_output=True)
        with open(f"{d}/csr.pem", "rb") as f:
            return base64.b64encode(f.read()).decode()


def csr(name, request, signer="kubernetes.io/kube-apiserver-client", usages=("client auth",), **spec):
    return {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": name},
            "spec": {"request": request, "signerName": signer, "usages": list(usages), **spec}}


def get_csr(kubectl, name):
    return json.loads(kubectl("get", "csr", name, "-o", "json").stdout)


def condition(obj, type_):
    for c in obj.get("status", {}).get("conditions", []):
        if c["type"] == type_:
            return c
    return None


def test_create_records_the_requester_and_approve_issues(kubectl):
    kubectl("apply", "-f", "-", input=json.dumps(csr("alice", make_request("alice", ["dev"]))))
    obj = get_csr(kubectl, "alice")
    assert obj["spec"]["username"] == "system:admin" or obj["spec"]["username"], obj["spec"]
    assert "system:authenticated" in obj["spec"]["groups"]
    assert obj.get("status", {}) == {}
    out = kubectl("get", "csr").stdout
    assert "alice" in out and "Pending" in out, out
    kubectl("certificate", "approve", "alice")
    approved = eventually(lambda: condition(get_csr(kubectl, "alice"), "Approved"), what="Approved")
    assert approved["status"] == "True" and approved["reason"] == "KubectlApprove"
    issued = eventually(lambda: get_csr(kubectl, "alice")["status"].get("certificate"), what="certificate issued")
    pem = base64.b64decode(issued)
    text = subprocess.run(["openssl", "x509", "-noout", "-subject"], input=pem, capture_output=True,
                          check=True).stdout.decode()
    assert "CN = alice" in text and "O = dev" in text, text
    assert "Approved,Issued" in kubectl("get", "csr", "alice").stdout


def test_deny(kubectl):
    kubectl("apply", "-f", "-", input=json.dumps(csr("bob", make_request("bob"))))
    kubectl("certificate", "deny", "bob")
    denied = eventually(lambda: condition(get_csr(kubectl, "bob"), "Denied"), what="Denied")
    assert denied["reason"] == "KubectlDeny"
    time.sleep(1)
    assert not get_csr(kubectl, "bob")["status"].get("certificate")
    assert "Denied" in kubectl("get", "csr", "bob").stdout


def test_bad_requests_are_rejected(kubectl):
    bad = csr("bad", base64.b64encode(b"not a pem").decode(), usages=("client auth",), expirationSeconds=60)
    p = kubectl("apply", "-f", "-", input=json.dumps(bad), check=False)
    assert p.returncode != 0
    assert "spec.request: Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST" in p.stderr, p.stderr
    assert "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)" \
        in p.stderr, p.stderr
    nosigner = csr("nosigner", make_request("x"), signer="", usages=("bogus",))
    p = kubectl("apply", "-f", "-", input=json.dumps(nosigner), check=False)
    assert p.returncode != 0
    assert "spec.signerName: Required value" in p.stderr, p.stderr
    assert 'spec.usages[0]: Unsupported value: "bogus"' in p.stderr, p.stderr


def test_kubelet_client_csr_from_the_join_token_is_auto_approved_and_issued(server, kubectl):
    with open(os.path.join(server.server.data_dir, "server", "node-token")) as f:
        token = f.read().strip()
    anon = server.api(client_cert=False)
    body = csr("node-csr-e2e", make_request("system:node:joiner", ["system:nodes"]),
               signer="kubernetes.io/kube-apiserver-client-kubelet", usages=("digital signature", "client auth"))
    r = anon.request("POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", body,
                     headers={"Authorization": f"Bearer {token}"})
    assert r.status == 201, r
    created = r.json()
    assert created["spec"]["username"] == "node"
    assert "system:bootstrappers" in created["spec"]["groups"]
    approved = eventually(lambda: condition(get_csr(kubectl, "node-csr-e2e"), "Approved"), what="auto-approval")
    assert approved["reason"] == "AutoApproved"
    assert approved["message"] == "Auto approving kubelet client certificate after SubjectAccessReview."
    issued = eventually(lambda: get_csr(kubectl, "node-csr-e2e")["status"].get("certificate"), what="issued")
    text = subprocess.run(["openssl", "x509", "-noout", "-subject", "-ext", "extendedKeyUsage"],
                          input=base64.b64decode(issued), capture_output=True, check=True).stdout.decode()
    assert "CN = system:node:joiner" in text and "TLS Web Client Authentication" in text, text
    # The bootstrap identity may ask, but a request for someone else's kind of certificate is not auto-approved.
    other = csr("not-a-node", make_request("mallory", ["dev"]))
    r = anon.request("POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", other,
                     headers={"Authorization": f"Bearer {token}"})
    assert r.status == 201, r
    time.sleep(1.5)
    assert condition(get_csr(kubectl, "not-a-node"), "Approved") is None
    anon.close()


def test_sim_joins_with_the_token_one_certificate_per_node(kcpp_binary, server, kubectl, namespace):
    from sim_harness import Process
    with open(os.path.join(server.server.data_dir, "server", "node-token")) as f:
        token = f.read().strip()
    url = server.server.kubeconfig.server
    sim = Process([kcpp_binary, "sim", "--server", url, "--token", token, "--nodes", "3",
                   "--name-prefix", "joined-", "--pod-start-delay", "100ms"], "kcpp-sim-join-")
    try:
        def ready():
            items = json.loads(kubectl("get", "nodes", "-o", "json").stdout)["items"]
            names = [n["metadata"]["name"] for n in items if n["metadata"]["name"].startswith("joined-") and
                     any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"].get("conditions", []))]
            return sorted(names) == ["joined-0", "joined-1", "joined-2"]
        eventually(ready, timeout=60, what="3 Ready joined nodes")
        csrs = json.loads(kubectl("get", "csr", "-o", "json").stdout)["items"]
        mine = {}
        for c in csrs:
            if c["metadata"]["name"].startswith("node-csr-") and c["spec"]["username"] == "node":
                block = base64.b64decode(c["spec"]["request"])
                subject = subprocess.run(["openssl", "req", "-noout", "-subject"], input=block,
                                         capture_output=True, check=True).stdout.decode()
                mine[subject.strip()] = c
        for i in range(3):
            c = mine.get(f"subject=O = system:nodes, CN = system:node:joined-{i}")
            assert c, mine.keys()
            assert condition(c, "Approved")["reason"] == "AutoApproved" and c["status"].get("certificate")
        table = kubectl("get", "csr").stdout
        assert table.count("Approved,Issued") >= 3, table
        # Workloads land on them, and the nodes report their pods Running.
        kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3", "-n", namespace)

        def running():
            pods = json.loads(kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
            ok = [p for p in pods if p["status"].get("phase") == "Running" and
                  p["spec"].get("nodeName", "").startswith("joined-")]
            return len(ok) == 3 and len({p["spec"]["nodeName"] for p in ok}) == 3
        eventually(running, timeout=60, what="3 Running pods on joined nodes")
    finally:
        print(sim.text()[-4000:])  # shown by pytest when the test fails
        sim.close()


def test_sim_with_a_bad_token_fails_clearly(kcpp_binary, server):
    url = server.server.kubeconfig.server
    p = subprocess.run([kcpp_binary, "sim", "--server", url, "--token", "K10" + "0" * 64 + "::server:wrong",
                        "--nodes", "1"], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    out = p.stdout + p.stderr
    assert "joining" in out and "Unauthorized" in out, out
