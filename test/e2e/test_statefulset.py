"""The StatefulSet controller in `kcpp controller-manager`, with the real
kubectl. The test is the stand-in scheduler and kubelet (standin_node.py): it
binds pending pods to a node it created and reports them Running and Ready —
or holds some back to show that OrderedReady waits for them."""

import json
import os
import sys
import threading
import time

import pytest

from conftest import server_without  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from standin_node import ControllerManager, StandIn, eventually, make_node  # noqa: E402


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    """These tests run their own controller-manager and play scheduler and kubelet."""
    yield from server_without(kcpp_binary, kubectl_binary, "controller-manager", "scheduler")


@pytest.fixture
def cm(kcpp_binary, server):
    m = ControllerManager(kcpp_binary, server.kubeconfig_path, ["--controllers", "statefulset,serviceaccount"])
    yield m
    m.close()


@pytest.fixture
def standin(api, namespace):
    node = f"sts-{namespace[-8:]}"
    make_node(api, node)
    yield StandIn(api, namespace, default_node=node)
    api.delete(f"/api/v1/nodes/{node}")


def sts_manifest(name="web", replicas=3, image="nginx:1", extra_spec=None):
    spec = {"replicas": replicas, "serviceName": name,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "c", "image": image,
                                                  "volumeMounts": [{"name": "www", "mountPath": "/www"}]}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "www"},
                                      "spec": {"accessModes": ["ReadWriteOnce"],
                                               "resources": {"requests": {"storage": "1Gi"}}}}]}
    spec.update(extra_spec or {})
    return json.dumps({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
                       "spec": spec})


def pods_by_name(standin):
    return {p["metadata"]["name"]: p for p in standin.pods() if not p["metadata"].get("deletionTimestamp")}


def sts(kubectl, ns, name="web"):
    return json.loads(kubectl("get", "sts", name, "-n", ns, "-o", "json").stdout)


def claims(kubectl, ns):
    items = json.loads(kubectl("get", "pvc", "-n", ns, "-o", "json").stdout)["items"]
    return {c["metadata"]["name"]: c for c in items}


def test_ordered_identity_storage_and_scale_down(kubectl, api, namespace, standin, cm):
    ns = namespace
    standin.hold = {"web-0", "web-1", "web-2"}
    kubectl("apply", "-n", ns, "-f", "-", input=sts_manifest())
    eventually(lambda: "web-0" in pods_by_name(standin), what="web-0", step=standin.step)
    # OrderedReady: web-1 must not come while web-0 is not Ready.
    time.sleep(1.0)
    standin.step()
    assert set(pods_by_name(standin)) == {"web-0"}
    assert "www-web-0" in claims(kubectl, ns)
    standin.hold.discard("web-0")
    eventually(lambda: "web-1" in pods_by_name(standin), what="web-1 after web-0 is ready", step=standin.step)
    time.sleep(0.5)
    standin.step()
    assert "web-2" not in pods_by_name(standin)
    standin.hold.clear()
    eventually(lambda: set(pods_by_name(standin)) == {"web-0", "web-1", "web-2"}, what="3 pods",
               step=standin.step)

    pods = pods_by_name(standin)
    web1 = pods["web-1"]
    assert web1["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "web-1"
    assert web1["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "1"
    assert web1["spec"]["hostname"] == "web-1" and web1["spec"]["subdomain"] == "web"
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-1"}} in web1["spec"]["volumes"]
    pvcs = claims(kubectl, ns)
    assert {"www-web-0", "www-web-1", "www-web-2"} <= set(pvcs)
    assert pvcs["www-web-1"]["metadata"]["labels"]["app"] == "web"

    standin.settle(count=3)
    out = kubectl("rollout", "status", "sts/web", "-n", ns, "--timeout=30s").stdout
    # The API server defaults rollingUpdate.partition to 0, so kubectl reports
    # a partitioned rollout, as it does against upstream.
    assert "partitioned roll out complete: 3 new pods have been updated..." in out
    status = eventually(lambda: (lambda s: s if s.get("readyReplicas") == 3 else None)(
        sts(kubectl, ns).get("status", {})), what="status readyReplicas 3", step=standin.step)
    assert status["replicas"] == 3 and status["currentReplicas"] == 3 and status["updatedReplicas"] == 3
    assert status["availableReplicas"] == 3 and status["observedGeneration"] == 1
    assert status["currentRevision"] == status["updateRevision"] and status["collisionCount"] == 0
    assert all(p["metadata"]["labels"]["controller-revision-hash"] == status["updateRevision"]
               for p in pods.values())

    # Stable identity: a deleted pod comes back under its name with its claim.
    old_uid = pods["web-0"]["metadata"]["uid"]
    kubectl("delete", "pod", "web-0", "-n", ns, "--wait=false")
    back = eventually(lambda: (lambda p: p if p and p["metadata"]["uid"] != old_uid else None)(
        pods_by_name(standin).get("web-0")), what="web-0 recreated", step=standin.step)
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}} in back["spec"]["volumes"]

    # Scale down removes the highest ordinal first, one at a time; claims stay.
    # A watch (read on its own thread while the stand-in kubelet works) sees
    # the order of the deletions.
    rv = api.get(f"/api/v1/namespaces/{ns}/pods").json()["metadata"]["resourceVersion"]
    deleted = []
    with api.watch(f"/api/v1/namespaces/{ns}/pods", resourceVersion=rv, timeout=30) as stream:
        reader = threading.Thread(target=lambda: stream.events_until(
            lambda ev: ev["type"] == "DELETED" and deleted.append(ev["object"]["metadata"]["name"])
            is None and len(deleted) == 2, timeout=30), daemon=True)
        reader.start()
        kubectl("scale", "sts", "web", "-n", ns, "--replicas=1")
        eventually(lambda: sorted(pods_by_name(standin)) == ["web-0"], what="scaled to web-0",
                   step=standin.step)
        reader.join(timeout=10)
    assert deleted == ["web-2", "web-1"]
    assert {"www-web-1", "www-web-2"} <= set(claims(kubectl, ns))

    events = kubectl("get", "events", "-n", ns, "--field-selector", "involvedObject.kind=StatefulSet").stdout
    assert "create Pod web-0 in StatefulSet web successful" in events
    assert "create Claim www-web-0 Pod web-0 in StatefulSet web success" in events
    assert "delete Pod web-2 in StatefulSet web successful" in events


def test_partitioned_rolling_update_history_and_undo(kubectl, namespace, standin, cm):
    ns = namespace
    kubectl("apply", "-n", ns, "-f", "-", input=sts_manifest(extra_spec={
        "podManagementPolicy": "Parallel",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}))
    eventually(lambda: len(pods_by_name(standin)) == 3, what="3 pods at once", step=standin.step)
    standin.settle(count=3)
    kubectl("rollout", "status", "sts/web", "-n", ns, "--timeout=30s")
    first = sts(kubectl, ns)["status"]["updateRevision"]

    kubectl("apply", "-n", ns, "-f", "-", input=sts_manifest(image="nginx:2", extra_spec={
        "podManagementPolicy": "Parallel",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}))

    def images():
        return {n: p["spec"]["containers"][0]["image"] for n, p in pods_by_name(standin).items()}
    eventually(lambda: images() == {"web-0": "nginx:1", "web-1": "nginx:1", "web-2": "nginx:2"}
               and all(p.get("status", {}).get("phase") == "Running" for p in pods_by_name(standin).values()),
               what="only web-2 updated", step=standin.step)
    standin.settle(count=3)
    out = kubectl("rollout", "status", "sts/web", "-n", ns, "--timeout=30s").stdout
    assert "partitioned roll out complete: 1 new pods have been updated" in out
    status = eventually(lambda: (lambda s: s if s.get("updatedReplicas") == 1 and s.get("readyReplicas") == 3
                                 else None)(sts(kubectl, ns).get("status", {})),
                        what="status of the partitioned rollout", step=standin.step)
    assert status["currentRevision"] == first and status["updateRevision"] != first
    assert status["currentReplicas"] == 2
    time.sleep(0.5)
    standin.step()
    assert images()["web-1"] == "nginx:1"

    # Partition 0: the rest follow, highest first; the update revision becomes current.
    kubectl("patch", "sts", "web", "-n", ns, "-p", '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}')
    eventually(lambda: set(images().values()) == {"nginx:2"} and len(images()) == 3,
               what="all at nginx:2", step=standin.step)
    eventually(lambda: (lambda s: s.get("currentRevision") == s.get("updateRevision") and
                        s.get("updatedReplicas") == 3)(sts(kubectl, ns).get("status", {})),
               what="update revision current", step=standin.step)
    history = kubectl("rollout", "history", "sts/web", "-n", ns).stdout
    assert "REVISION" in history and "1 " in history and "2 " in history

    kubectl("rollout", "undo", "sts/web", "-n", ns)
    eventually(lambda: set(images().values()) == {"nginx:1"} and len(images()) == 3,
               timeout=30, what="rolled back to nginx:1", step=standin.step)
    revisions = json.loads(kubectl("get", "controllerrevisions", "-n", ns, "-o", "json").stdout)["items"]
    assert {r["metadata"]["name"]: r["revision"] for r in revisions}[first] == 3


def test_on_delete_and_claims_deleted_with_the_set_policy(kubectl, namespace, standin, cm):
    ns = namespace
    spec = {"updateStrategy": {"type": "OnDelete"},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"}}
    kubectl("apply", "-n", ns, "-f", "-", input=sts_manifest(replicas=1, extra_spec=spec))
    pod = eventually(lambda: pods_by_name(standin).get("web-0"), what="web-0", step=standin.step)
    owner = claims(kubectl, ns)["www-web-0"]["metadata"]["ownerReferences"][0]
    assert owner["kind"] == "StatefulSet" and owner["name"] == "web" and not owner.get("controller")
    kubectl("apply", "-n", ns, "-f", "-", input=sts_manifest(replicas=1, image="nginx:2", extra_spec=spec))
    eventually(lambda: sts(kubectl, ns).get("status", {}).get("observedGeneration") == 2,
               what="generation 2 observed", step=standin.step)
    assert pods_by_name(standin)["web-0"]["metadata"]["uid"] == pod["metadata"]["uid"]
    kubectl("delete", "pod", "web-0", "-n", ns, "--wait=false")
    eventually(lambda: (pods_by_name(standin).get("web-0") or {}).get("spec", {}).get(
        "containers", [{}])[0].get("image") == "nginx:2", what="web-0 at nginx:2", step=standin.step)


def test_bad_statefulset_is_refused(kubectl, namespace):
    p = kubectl("apply", "-n", namespace, "-f", "-", check=False,
                input=sts_manifest(extra_spec={"podManagementPolicy": "Sometimes"}))
    assert p.returncode != 0
    assert "podManagementPolicy" in p.stderr
