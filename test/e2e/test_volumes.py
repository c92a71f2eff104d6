"""Persistent volumes with the real kubectl against `kcpp server` (embedded
controllers): k3s's default StorageClass local-path, the PersistentVolume
binder (static binding, FailedBinding, Released on Retain) and the built-in
local-path provisioner (WaitForFirstConsumer, provisioning once a node is
selected, directory under <data-dir>/storage, deletion on reclaim)."""

import json
import os
import signal
import subprocess
import time

import pytest

from conftest import unique


def eventually(fn, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def get(kubectl, *args):
    p = kubectl("get", *args, "-o", "json", check=False)
    return json.loads(p.stdout) if p.returncode == 0 else None


def apply(kubectl, obj):
    kubectl("apply", "-f", "-", input=json.dumps(obj))


def pv(name, size, policy="Retain", cls="", labels=None):
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
                     "persistentVolumeReclaimPolicy": policy, "storageClassName": cls,
                     "hostPath": {"path": f"/tmp/{name}"}}}


def pvc(name, ns, size, cls=None, modes=("ReadWriteOnce",), selector=None):
    spec = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}}
    if cls is not None:
        spec["storageClassName"] = cls
    if selector:
        spec["selector"] = selector
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}


def phase(kubectl, *args):
    obj = get(kubectl, *args)
    return obj and obj.get("status", {}).get("phase")


def events_for(kubectl, ns, name):
    out = get(kubectl, "events", "-n", ns, "--field-selector", f"involvedObject.name={name}")
    return [(e.get("reason"), e.get("message")) for e in (out or {}).get("items", [])]


def test_local_path_is_the_default_class(kubectl):
    out = kubectl("get", "storageclass").stdout
    assert "local-path (default)" in out, out
    sc = get(kubectl, "storageclass", "local-path")
    assert sc["provisioner"] == "rancher.io/local-path"
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer"
    assert sc["reclaimPolicy"] == "Delete"


def test_static_binding_smallest_fit_and_release(kubectl, namespace):
    big, small = unique("pv-big"), unique("pv-small")
    apply(kubectl, pv(big, "20Gi"))
    apply(kubectl, pv(small, "5Gi"))
    apply(kubectl, pvc("data", namespace, "1Gi", cls=""))
    eventually(lambda: phase(kubectl, "pvc", "data", "-n", namespace) == "Bound", what="claim bound")
    claim = get(kubectl, "pvc", "data", "-n", namespace)
    assert claim["spec"]["volumeName"] == small  # the smallest volume that fits
    assert claim["status"]["capacity"]["storage"] == "5Gi"
    assert claim["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
    assert claim["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes"
    eventually(lambda: phase(kubectl, "pv", small) == "Bound", what="volume bound")
    volume = get(kubectl, "pv", small)
    ref = volume["spec"]["claimRef"]
    assert (ref["namespace"], ref["name"], ref["uid"]) == (namespace, "data", claim["metadata"]["uid"])
    assert phase(kubectl, "pv", big) == "Available"

    kubectl("delete", "pvc", "data", "-n", namespace)
    eventually(lambda: phase(kubectl, "pv", small) == "Released", what="volume released")
    # Retain: the volume stays, still naming its old claim.
    assert get(kubectl, "pv", small)["spec"]["claimRef"]["name"] == "data"
    kubectl("delete", "pv", small, big)


def test_too_large_claim_stays_pending(kubectl, namespace):
    name = unique("pv")
    apply(kubectl, pv(name, "5Gi"))
    apply(kubectl, pvc("huge", namespace, "10Gi", cls=""))
    eventually(lambda: ("FailedBinding",
                        "no persistent volumes available for this claim and no storage class is set")
               in events_for(kubectl, namespace, "huge"), what="FailedBinding event")
    assert phase(kubectl, "pvc", "huge", "-n", namespace) == "Pending"
    assert phase(kubectl, "pv", name) == "Available"
    kubectl("delete", "pv", name)


def test_prebinding_selector_and_delete_policy(kubectl, namespace):
    labelled, other = unique("pv-fast"), unique("pv-plain")
    apply(kubectl, pv(labelled, "1Gi", policy="Delete", labels={"tier": "fast"}))
    apply(kubectl, pv(other, "1Gi"))
    apply(kubectl, pvc("fast", namespace, "1Gi", cls="", selector={"matchLabels": {"tier": "fast"}}))
    claim = pvc("named", namespace, "1Gi", cls="")
    claim["spec"]["volumeName"] = other
    apply(kubectl, claim)
    eventually(lambda: phase(kubectl, "pvc", "fast", "-n", namespace) == "Bound", what="selector claim bound")
    eventually(lambda: phase(kubectl, "pvc", "named", "-n", namespace) == "Bound", what="pre-bound claim")
    assert get(kubectl, "pvc", "fast", "-n", namespace)["spec"]["volumeName"] == labelled
    # A claim that names its volume is not bound-by-controller.
    named = get(kubectl, "pvc", "named", "-n", namespace)
    assert "pv.kubernetes.io/bound-by-controller" not in named["metadata"].get("annotations", {})
    # Policy Delete on a volume nobody provisioned: the binder deletes the object.
    kubectl("delete", "pvc", "fast", "-n", namespace)
    eventually(lambda: get(kubectl, "pv", labelled) is None, what="Delete-policy volume deleted")
    kubectl("delete", "pvc", "named", "-n", namespace)
    eventually(lambda: phase(kubectl, "pv", other) == "Released", what="volume released")
    kubectl("delete", "pv", other)


def test_local_path_provisioning(server, kubectl, namespace):
    node = unique("node")
    apply(kubectl, {"apiVersion": "v1", "kind": "Node",
                    "metadata": {"name": node, "labels": {"kubernetes.io/hostname": node}}})
    apply(kubectl, pvc("local", namespace, "2Gi"))
    claim = get(kubectl, "pvc", "local", "-n", namespace)
    assert claim["spec"]["storageClassName"] == "local-path"  # DefaultStorageClass admission
    eventually(lambda: ("WaitForFirstConsumer", "waiting for first consumer to be created before binding")
               in events_for(kubectl, namespace, "local"), what="WaitForFirstConsumer event")
    assert phase(kubectl, "pvc", "local", "-n", namespace) == "Pending"
    assert not get(kubectl, "pv", "pvc-" + claim["metadata"]["uid"])

    kubectl("annotate", "pvc", "local", "-n", namespace, f"volume.kubernetes.io/selected-node={node}")
    eventually(lambda: phase(kubectl, "pvc", "local", "-n", namespace) == "Bound", what="provisioned and bound")
    claim = get(kubectl, "pvc", "local", "-n", namespace)
    uid = claim["metadata"]["uid"]
    assert claim["spec"]["volumeName"] == f"pvc-{uid}"
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] == "rancher.io/local-path"
    volume = get(kubectl, "pv", f"pvc-{uid}")
    assert volume["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "rancher.io/local-path"
    assert volume["spec"]["capacity"]["storage"] == "2Gi"
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert volume["spec"]["storageClassName"] == "local-path"
    terms = volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"]
    assert terms[0]["matchExpressions"][0] == {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
    path = volume["spec"]["hostPath"]["path"]
    storage = os.path.join(server.server.data_dir, "storage")
    assert path == os.path.join(storage, f"pvc-{uid}_{namespace}_local")
    assert os.path.isdir(path)
    reasons = [r for r, _ in events_for(kubectl, namespace, "local")]
    assert "ProvisioningSucceeded" in reasons and "ExternalProvisioning" in reasons, reasons

    kubectl("delete", "pvc", "local", "-n", namespace)
    eventually(lambda: get(kubectl, "pv", f"pvc-{uid}") is None, what="provisioned volume deleted")
    eventually(lambda: not os.path.exists(path), what="volume directory removed")
    kubectl("delete", "node", node)


def test_claim_of_unknown_class(kubectl, namespace):
    apply(kubectl, pvc("nowhere", namespace, "1Gi", cls="no-such-class"))
    eventually(lambda: ("ProvisioningFailed", 'storageclass.storage.k8s.io "no-such-class" not found')
               in events_for(kubectl, namespace, "nowhere"), what="ProvisioningFailed event")
    assert phase(kubectl, "pvc", "nowhere", "-n", namespace) == "Pending"


def test_provisioner_role_allows_what_it_does(kubectl):
    sa = "system:serviceaccount:kube-system:local-path-provisioner-service-account"
    for verb, resource in [("create", "persistentvolumes"), ("delete", "persistentvolumes"),
                           ("update", "persistentvolumeclaims"), ("get", "nodes"),
                           ("watch", "storageclasses.storage.k8s.io"), ("create", "events")]:
        p = kubectl("auth", "can-i", verb, resource, "--as", sa, check=False)
        assert p.stdout.strip() == "yes", (verb, resource, p.stdout, p.stderr)
    p = kubectl("auth", "can-i", "delete", "persistentvolumeclaims", "--as", sa, check=False)
    assert p.stdout.strip() == "no"


def test_standalone_controller_manager_local_path_dir(kcpp_binary, kubectl_binary, tmp_path):
    """`kcpp controller-manager --local-path-dir` makes and removes the directories there."""
    from conftest import start_server
    handle, finish = start_server(kcpp_binary, kubectl_binary, ["--disable-agent", "--disable-controller-manager"])
    log = open(tmp_path / "cm.log", "w")
    cm = subprocess.Popen([kcpp_binary, "controller-manager", "--kubeconfig", handle.kubeconfig_path,
                           "--controllers", "persistentvolume-binder,local-path-provisioner",
                           "--local-path-dir", str(tmp_path / "volumes")], stdout=log, stderr=subprocess.STDOUT)
    try:
        kubectl = handle.kubectl
        claim = pvc("data", "default", "1Gi")
        claim["metadata"]["annotations"] = {"volume.kubernetes.io/selected-node": "n1"}
        apply(kubectl, claim)
        eventually(lambda: phase(kubectl, "pvc", "data", "-n", "default") == "Bound", what="claim bound")
        uid = get(kubectl, "pvc", "data", "-n", "default")["metadata"]["uid"]
        path = tmp_path / "volumes" / f"pvc-{uid}_default_data"
        assert path.is_dir()
        kubectl("delete", "pvc", "data", "-n", "default")
        eventually(lambda: not path.exists(), what="directory removed")
        eventually(lambda: get(kubectl, "pv", f"pvc-{uid}") is None, what="volume deleted")
    finally:
        cm.send_signal(signal.SIGTERM)
        try:
            cm.wait(timeout=15)
        except subprocess.TimeoutExpired:
            cm.kill()
            cm.wait()
        log.close()
        finish()
