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
