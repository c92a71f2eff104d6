"""Events: one stored object, served as core/v1 and as events.k8s.io/v1 (as upstream)."""

import json


def test_core_event_is_read_through_events_k8s_io(api, kubectl, namespace):
    core = {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "pulled", "namespace": namespace},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": namespace},
            "reason": "Pulled", "message": "image pulled", "type": "Normal",
            "source": {"component": "kubelet"}, "count": 2}
    r = api.post(f"/api/v1/namespaces/{namespace}/events", core)
    assert r.status == 201, r
    r = api.get(f"/apis/events.k8s.io/v1/namespaces/{namespace}/events/pulled")
    assert r.status == 200, r
    ev = r.json()
    assert ev["apiVersion"] == "events.k8s.io/v1" and ev["kind"] == "Event", ev
    assert ev["note"] == "image pulled" and ev["regarding"]["name"] == "p", ev
    assert ev["deprecatedSource"] == {"component": "kubelet"} and ev["deprecatedCount"] == 2, ev
    assert "message" not in ev and "involvedObject" not in ev, ev
    # The same object: the same resourceVersion and uid through both versions.
    core_read = api.get(f"/api/v1/namespaces/{namespace}/events/pulled").json()
    assert core_read["metadata"]["uid"] == ev["metadata"]["uid"]
    assert core_read["metadata"]["resourceVersion"] == ev["metadata"]["resourceVersion"]


def test_events_k8s_io_event_is_listed_by_kubectl_get_events(api, kubectl, namespace):
    new = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
           "metadata": {"name": "scheduled", "namespace": namespace},
           "eventTime": "2026-01-01T00:00:00.000000Z",
           "regarding": {"kind": "Pod", "name": "web-0", "namespace": namespace},
           "reason": "Scheduled", "note": "assigned to node-1", "type": "Normal",
           "action": "Binding", "reportingController": "default-scheduler",
           "reportingInstance": "default-scheduler-1"}
    r = api.post(f"/apis/events.k8s.io/v1/namespaces/{namespace}/events", new)
    assert r.status == 201, r
    items = json.loads(kubectl("get", "events", "-n", namespace, "-o", "json").stdout)["items"]
    by_name = {e["metadata"]["name"]: e for e in items}
    assert "scheduled" in by_name, items
    core = by_name["scheduled"]
    assert core["message"] == "assigned to node-1", core
    assert core["involvedObject"]["name"] == "web-0", core
    assert core["reportingComponent"] == "default-scheduler", core
    # Field selectors of core/v1 events see it too.
    out = kubectl("get", "events", "-n", namespace,
                  "--field-selector", "involvedObject.name=web-0", "-o", "name").stdout
    assert "scheduled" in out, out
    # Deleting through one version deletes the one object.
    r = api.delete(f"/api/v1/namespaces/{namespace}/events/scheduled")
    assert r.status == 200, r
    r = api.get(f"/apis/events.k8s.io/v1/namespaces/{namespace}/events/scheduled")
    assert r.status == 404, r


def test_replicaset_creating_60_pods_writes_25_events_as_upstream(server, kcpp_binary, kubectl,
                                                                   namespace):
    """The controller-manager's events pass upstream's EventCorrelator: per
    object a burst of 25 writes (then 1 per 5 minutes), and more than 9 similar
    events (same reason, different message) in 10 minutes folded into one
    "(combined from similar events): ..." event whose count is patched. A
    ReplicaSet creating 60 pods therefore leaves 9 SuccessfulCreate events plus
    one combined event counting 16: 25 writes, not 60."""
    from sim_harness import eventually, start_sim

    sim = start_sim(kcpp_binary, server.kubeconfig_path, "--nodes", 2, "--name-prefix", "evt-",
                    "--node-lease-renew-interval", "1s", "--pod-start-delay", "100ms",
                    "--max-pod-grace-period", "1s")
    try:
        kubectl("create", "deployment", "web", "--image=nginx", "--replicas=60", "-n", namespace)

        def available():
            d = json.loads(kubectl("get", "deployment", "web", "-n", namespace, "-o", "json").stdout)
            return d.get("status", {}).get("availableReplicas", 0) == 60

        eventually(available, timeout=90, what="60 available replicas", interval=0.5)

        def replicaset_creates():
            items = json.loads(kubectl("get", "events", "-n", namespace,
                                       "--field-selector", "involvedObject.kind=ReplicaSet",
                                       "-o", "json").stdout)["items"]
            creates = [e for e in items if e["reason"] == "SuccessfulCreate"]
            return creates if sum(e.get("count", 1) for e in creates) >= 25 else None

        creates = eventually(replicaset_creates, timeout=20, what="25 SuccessfulCreate writes")
        assert len(creates) <= 26, [e["message"] for e in creates]
        assert sum(e.get("count", 1) for e in creates) == 25, creates
        combined = [e for e in creates
                    if e["message"].startswith("(combined from similar events): Created pod: web-")]
        assert len(combined) == 1, [e["message"] for e in creates]
        assert combined[0]["count"] == 16, combined[0]
        singles = [e for e in creates if e not in combined]
        assert len(singles) == 9, [e["message"] for e in singles]
        assert all(e["message"].startswith("Created pod: web-") and e.get("count", 1) == 1
                   for e in singles), singles
        # The scheduler is not spam-filtered (as upstream's): one Scheduled per pod.
        def scheduled():
            items = json.loads(kubectl("get", "events", "-n", namespace, "--field-selector",
                                       "reason=Scheduled", "-o", "json").stdout)["items"]
            return len(items) == 60

        eventually(scheduled, timeout=20, what="60 Scheduled events")
    finally:
        kubectl("delete", "deployment", "web", "-n", namespace, "--wait=false", check=False)
        rc = sim.stop()
        text = sim.text()
        sim.close()
        assert rc == 0, text
