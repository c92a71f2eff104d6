"""ResourceQuota: the admission plugin that charges and enforces quotas, and the
controller-manager's resourcequota controller that fills in status.hard/status.used and gives usage back
when objects go away. Driven with the real kubectl and raw HTTPS."""

import re
import threading
import time

import pytest

from conftest import unique


def quota_status(api, ns, name):
    r = api.get(f"/api/v1/namespaces/{ns}/resourcequotas/{name}")
    assert r.status == 200, r
    return r.json().get("status", {})


def wait_for_status(api, ns, name, hard, used, timeout=15.0):
    """Waits until the quota's status.hard and status.used are exactly these."""
    deadline = time.time() + timeout
    status = {}
    while time.time() < deadline:
        status = quota_status(api, ns, name)
        if status.get("hard") == hard and status.get("used") == used:
            return status
        time.sleep(0.1)
    raise AssertionError(f"quota {ns}/{name} status stayed {status}, wanted hard={hard} used={used}")


def pod_manifest(name, resources=None):
    container = {"name": "c", "image": "busybox"}
    if resources:
        container["resources"] = resources
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [container]}}


def test_pod_count_quota_with_kubectl(kubectl, api, namespace):
    kubectl("create", "quota", "q", "--hard=pods=2", "-n", namespace)
    wait_for_status(api, namespace, "q", {"pods": "2"}, {"pods": "0"})
    kubectl("run", "p1", "--image=busybox", "-n", namespace)
    kubectl("run", "p2", "--image=busybox", "-n", namespace)
    assert quota_status(api, namespace, "q")["used"] == {"pods": "2"}
    third = kubectl("run", "p3", "--image=busybox", "-n", namespace, check=False)
    assert third.returncode != 0
    assert third.stderr.strip() == (
        'Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: q, '
        "requested: pods=1, used: pods=2, limited: pods=2")
    # A dry run is checked like the real thing.
    dry = kubectl("run", "p3", "--image=busybox", "--dry-run=server", "-n", namespace, check=False)
    assert "exceeded quota: q" in dry.stderr

    described = kubectl("describe", "quota", "q", "-n", namespace).stdout
    assert re.search(r"^Name:\s+q$", described, re.M), described
    assert re.search(r"^Resource\s+Used\s+Hard$", described, re.M), described
    assert re.search(r"^pods\s+2\s+2$", described, re.M), described
    listed = kubectl("get", "quota", "-n", namespace).stdout
    assert re.search(r"^NAME\s+REQUEST\s+LIMIT\s+AGE$", listed, re.M), listed
    assert re.search(r"^q\s+pods: 2/2\s+\S+", listed, re.M), listed

    # Deleting a pod gives its slot back (the controller replenishes the quota).
    kubectl("delete", "pod", "p1", "-n", namespace)
    wait_for_status(api, namespace, "q", {"pods": "2"}, {"pods": "1"})
    kubectl("run", "p3", "--image=busybox", "-n", namespace)
    assert quota_status(api, namespace, "q")["used"] == {"pods": "2"}


def test_dry_run_does_not_charge(kubectl, api, namespace):
    kubectl("create", "quota", "q", "--hard=pods=1", "-n", namespace)
    wait_for_status(api, namespace, "q", {"pods": "1"}, {"pods": "0"})
    kubectl("run", "p", "--image=busybox", "--dry-run=server", "-n", namespace)
    assert quota_status(api, namespace, "q")["used"] == {"pods": "0"}
    kubectl("run", "p", "--image=busybox", "-n", namespace)
    assert quota_status(api, namespace, "q")["used"] == {"pods": "1"}


def test_compute_quota_requires_requests(kubectl, api, namespace):
    kubectl("create", "quota", "compute", "--hard=requests.cpu=1,requests.memory=1Gi",
            "-n", namespace)
    wait_for_status(api, namespace, "compute", {"requests.cpu": "1", "requests.memory": "1Gi"},
                    {"requests.cpu": "0", "requests.memory": "0"})
    bare = kubectl("run", "bare", "--image=busybox", "-n", namespace, check=False)
    assert bare.returncode != 0
    assert bare.stderr.strip() == (
        'Error from server (Forbidden): pods "bare" is forbidden: failed quota: compute: '
        "must specify requests.cpu for: bare; requests.memory for: bare")
    r = api.post(f"/api/v1/namespaces/{namespace}/pods",
                 pod_manifest("small", {"requests": {"cpu": "500m", "memory": "512Mi"}}))
    assert r.status == 201, r
    assert quota_status(api, namespace, "compute")["used"] == {
        "requests.cpu": "500m", "requests.memory": "512Mi"}
    r = api.post(f"/api/v1/namespaces/{namespace}/pods",
                 pod_manifest("big", {"requests": {"cpu": "600m", "memory": "100Mi"}}))
    assert r.status == 403, r
    assert r.json()["message"] == (
        'pods "big" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, '
        "used: requests.cpu=500m, limited: requests.cpu=1")
    assert r.json()["reason"] == "Forbidden"
    described = kubectl("describe", "quota", "compute", "-n", namespace).stdout
    assert re.search(r"^requests\.cpu\s+500m\s+1$", described, re.M), described
    assert re.search(r"^requests\.memory\s+512Mi\s+1Gi$", described, re.M), described


def test_object_count_quota_for_other_groups(kubectl, api, namespace):
    # The namespace's kube-root-ca.crt counts as a ConfigMap, as upstream's does.
    deadline = time.time() + 10
    while api.get(f"/api/v1/namespaces/{namespace}/configmaps/kube-root-ca.crt").status != 200:
        assert time.time() < deadline, "kube-root-ca.crt never appeared"
        time.sleep(0.05)
    kubectl("create", "quota", "q", "--hard=count/deployments.apps=1,configmaps=2", "-n", namespace)
    wait_for_status(api, namespace, "q", {"count/deployments.apps": "1", "configmaps": "2"},
                    {"count/deployments.apps": "0", "configmaps": "1"})
    kubectl("create", "deployment", "d1", "--image=busybox", "-n", namespace)
    second = kubectl("create", "deployment", "d2", "--image=busybox", "-n", namespace, check=False)
    assert second.stderr.strip() == (
        'error: failed to create deployment: deployments.apps "d2" is forbidden: exceeded quota: q, '
        "requested: count/deployments.apps=1, used: count/deployments.apps=1, "
        "limited: count/deployments.apps=1")
    kubectl("create", "configmap", "c1", "-n", namespace)
    assert quota_status(api, namespace, "q")["used"] == {"count/deployments.apps": "1",
                                                         "configmaps": "2"}
    kubectl("delete", "configmap", "c1", "-n", namespace)
    wait_for_status(api, namespace, "q", {"count/deployments.apps": "1", "configmaps": "2"},
                    {"count/deployments.apps": "1", "configmaps": "1"})


def test_spec_change_updates_status(kubectl, api, namespace):
    kubectl("create", "quota", "q", "--hard=pods=3", "-n", namespace)
    wait_for_status(api, namespace, "q", {"pods": "3"}, {"pods": "0"})
    kubectl("run", "p", "--image=busybox", "-n", namespace)
    kubectl("patch", "quota", "q", "-n", namespace, "--type=merge",
            "-p", '{"spec":{"hard":{"pods":"1","services":"2"}}}')
    wait_for_status(api, namespace, "q", {"pods": "1", "services": "2"},
                    {"pods": "1", "services": "0"})
    again = kubectl("run", "p2", "--image=busybox", "-n", namespace, check=False)
    assert "exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1" in again.stderr


def test_concurrent_creates_take_exactly_the_free_slots(server, api, namespace):
    r = api.post(f"/api/v1/namespaces/{namespace}/resourcequotas",
                 {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"},
                  "spec": {"hard": {"pods": "5"}}})
    assert r.status == 201, r
    wait_for_status(api, namespace, "q", {"pods": "5"}, {"pods": "0"})
    results = {}
    start = threading.Barrier(20)

    def create(i):
        client = server.api()
        try:
            start.wait()
            name = f"p{i}"
            results[name] = client.post(f"/api/v1/namespaces/{namespace}/pods",
                                        pod_manifest(name), retry=False)
        finally:
            client.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 20
    created = [n for n, r in results.items() if r.status == 201]
    refused = [r for r in results.values() if r.status != 201]
    assert len(created) == 5, {n: r.status for n, r in results.items()}
    for r in refused:
        assert r.status == 403, r
        assert "exceeded quota: q, requested: pods=1, used: pods=5, limited: pods=5" in r.json()["message"]
    assert quota_status(api, namespace, "q")["used"] == {"pods": "5"}
    pods = api.get(f"/api/v1/namespaces/{namespace}/pods").json()["items"]
    assert sorted(p["metadata"]["name"] for p in pods) == sorted(created)
    # The controller's own recount agrees with what admission charged.
    wait_for_status(api, namespace, "q", {"pods": "5"}, {"pods": "5"})


def test_missing_usage_is_status_unknown(api, namespace):
    """A quota that limits a resource but shows no usage for it yet refuses
    creates that would use it, as upstream."""
    name = unique("q")
    body = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name},
            "spec": {"hard": {"pods": "1", "secrets": "4"}}}
    r = api.post(f"/api/v1/namespaces/{namespace}/resourcequotas", body)
    assert r.status == 201, r
    wait_for_status(api, namespace, name, {"pods": "1", "secrets": "4"}, {"pods": "0", "secrets": "0"})
    # Drop status.used.pods (as if the controller had not computed it yet).
    status = quota_status(api, namespace, name)
    q = api.get(f"/api/v1/namespaces/{namespace}/resourcequotas/{name}").json()
    q["status"] = {"hard": status["hard"], "used": {"secrets": "0"}}
    r = api.put(f"/api/v1/namespaces/{namespace}/resourcequotas/{name}/status", q)
    assert r.status == 200, r
    r = api.post(f"/api/v1/namespaces/{namespace}/pods", pod_manifest("p"))
    assert r.status == 403, r
    assert r.json()["message"] == (
        f'pods "p" is forbidden: status unknown for quota: {name}, resources: pods')
