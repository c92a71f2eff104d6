"""Jobs, CronJobs and TTL-after-finished with `kcpp controller-manager`, the real
kubectl and a real server.

No kubelet runs pods yet, so the test is the kubelet: it writes the Job pods'
phase through the pods/status subresource (pods are left unbound: the status
write needs no node, and an unbound pod is deleted at once when asked)."""

import datetime
import json
import os
import signal
import subprocess
import tempfile
import time
import uuid

import pytest

from conftest import server_without  # noqa: E402


def eventually(fn, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def new_namespace(api):
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    r = api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                         "metadata": {"name": name}})
    assert r.status == 201, r
    return name


CRONJOB_EVERY_MINUTE = """
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    metadata: {labels: {app: tick}}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox, command: [date]}]
"""


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    """These tests run their own controller-manager (a short pod-failure backoff) and play the kubelet."""
    yield from server_without(kcpp_binary, kubectl_binary, "controller-manager", "scheduler")


@pytest.fixture(scope="module")
def manager(kcpp_binary, server, api):
    """One controller-manager for the module (a short pod-failure backoff keeps
    the backoff test quick). The every-minute CronJob is created first, so its
    wait of up to a minute overlaps the other tests."""
    cron_ns = new_namespace(api)
    server.kubectl("apply", "-n", cron_ns, "-f", "-", input=CRONJOB_EVERY_MINUTE)
    log = tempfile.NamedTemporaryFile(prefix="kcpp-cm-jobs-", suffix=".log", delete=False)
    proc = subprocess.Popen([kcpp_binary, "controller-manager", "--kubeconfig", server.kubeconfig_path,
                             "--no-leader-elect", "--job-pod-failure-backoff", "0.2"],
                            stdout=log, stderr=subprocess.STDOUT)
    yield {"cron_namespace": cron_ns, "created": time.monotonic()}
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    os.unlink(log.name)


def get(kubectl, ns, kind, name, check=True):
    p = kubectl("get", kind, name, "-n", ns, "-o", "json", check=check)
    return json.loads(p.stdout) if p.returncode == 0 else None


def job_pods(kubectl, ns, job):
    items = json.loads(kubectl("get", "pods", "-n", ns, "-l", f"batch.kubernetes.io/job-name={job}",
                               "-o", "json").stdout)["items"]
    return items


def running(pods):
    return [p for p in pods if p["status"].get("phase") not in ("Succeeded", "Failed")
            and not p["metadata"].get("deletionTimestamp")]


def set_phase(kubectl, ns, pod, phase):
    """The kubelet's part: the pod's containers ran and exited."""
    kubectl("patch", "pod", pod["metadata"]["name"], "-n", ns, "--subresource=status",
            "--type=merge", "-p", json.dumps({"status": {"phase": phase}}))


def condition(job, type_):
    for c in (job or {}).get("status", {}).get("conditions", []):
        if c["type"] == type_:
            return c
    return None


def create(kubectl, ns, manifest):
    kubectl("create", "-n", ns, "-f", "-", input=manifest)


def job_manifest(name, spec_lines, template_extra=""):
    return f"""
apiVersion: batch/v1
kind: Job
metadata: {{name: {name}}}
spec:
{spec_lines}
  template:
    spec:
      restartPolicy: Never{template_extra}
      containers: [{{name: c, image: busybox}}]
"""


def test_job_runs_completions_within_parallelism(kubectl, namespace, manager):
    create(kubectl, namespace, job_manifest("pi", "  completions: 5\n  parallelism: 2"))
    job = get(kubectl, namespace, "job", "pi")
    uid = job["metadata"]["uid"]
    # The server generated the selector and the template's labels.
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = job["spec"]["template"]["metadata"]["labels"]
    assert labels["batch.kubernetes.io/job-name"] == "pi" and labels["job-name"] == "pi"
    assert labels["controller-uid"] == uid
    eventually(lambda: len(running(job_pods(kubectl, namespace, "pi"))) == 2, what="2 pods")
    finished = 0
    most = 0
    while finished < 5:
        pods = eventually(lambda: running(job_pods(kubectl, namespace, "pi")), what="a running pod")
        most = max(most, len(pods))
        assert len(pods) <= 2, [p["metadata"]["name"] for p in pods]
        pod = pods[0]
        assert "batch.kubernetes.io/job-tracking" in pod["metadata"]["finalizers"]
        assert pod["metadata"]["ownerReferences"][0]["kind"] == "Job"
        assert pod["metadata"]["ownerReferences"][0]["uid"] == uid
        set_phase(kubectl, namespace, pod, "Succeeded")
        finished += 1
        eventually(lambda: get(kubectl, namespace, "job", "pi")["status"].get("succeeded", 0) >= finished,
                   what=f"{finished} succeeded")
    assert most == 2
    kubectl("wait", "--for=condition=complete", "job/pi", "-n", namespace, "--timeout=20s")
    job = get(kubectl, namespace, "job", "pi")
    assert job["status"]["succeeded"] == 5
    assert condition(job, "SuccessCriteriaMet")["reason"] == "CompletionsReached"
    assert condition(job, "Complete")["message"] == "Reached expected number of succeeded pods"
    assert job["status"]["completionTime"] and job["status"]["startTime"]
    pods = job_pods(kubectl, namespace, "pi")
    assert len(pods) == 5
    eventually(lambda: not any(p["metadata"].get("finalizers") for p in job_pods(kubectl, namespace, "pi")),
               what="tracking finalizers removed")
    table = kubectl("get", "job", "pi", "-n", namespace).stdout
    assert "5/5" in table, table
    events = kubectl("get", "events", "-n", namespace, "--field-selector", "involvedObject.kind=Job").stdout
    assert "SuccessfulCreate" in events and "Created pod: pi-" in events
    assert "Completed" in events and "Job completed" in events


def test_job_fails_after_backoff_limit(kubectl, namespace, manager):
    create(kubectl, namespace, job_manifest("bad", "  backoffLimit: 1"))
    for n in (1, 2):
        pod = eventually(lambda: running(job_pods(kubectl, namespace, "bad")), what=f"pod {n}")[0]
        set_phase(kubectl, namespace, pod, "Failed")
    kubectl("wait", "--for=condition=failed", "job/bad", "-n", namespace, "--timeout=20s")
    job = get(kubectl, namespace, "job", "bad")
    failed = condition(job, "Failed")
    assert failed["reason"] == "BackoffLimitExceeded"
    assert failed["message"] == "Job has reached the specified backoff limit"
    assert job["status"]["failed"] == 2
    assert not running(job_pods(kubectl, namespace, "bad"))
    events = kubectl("get", "events", "-n", namespace, "--field-selector", "involvedObject.name=bad").stdout
    assert "BackoffLimitExceeded" in events


def test_active_deadline_fails_the_job(kubectl, namespace, manager):
    create(kubectl, namespace, job_manifest("slow", "  activeDeadlineSeconds: 2\n  parallelism: 2"))
    eventually(lambda: len(running(job_pods(kubectl, namespace, "slow"))) == 2, what="2 pods")
    kubectl("wait", "--for=condition=failed", "job/slow", "-n", namespace, "--timeout=20s")
    failed = condition(get(kubectl, namespace, "job", "slow"), "Failed")
    assert failed["reason"] == "DeadlineExceeded"
    assert failed["message"] == "Job was active longer than specified deadline"
    # Its active pods were deleted (unbound pods go at once).
    assert job_pods(kubectl, namespace, "slow") == []


def test_indexed_job(kubectl, namespace, manager):
    create(kubectl, namespace, job_manifest(
        "idx", "  completions: 3\n  parallelism: 3\n  completionMode: Indexed"))
    pods = eventually(lambda: (lambda p: p if len(p) == 3 else None)(running(job_pods(kubectl, namespace, "idx"))),
                      what="3 pods")
    by_index = {}
    for p in pods:
        ix = p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
        assert p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == ix
        assert p["spec"]["hostname"] == f"idx-{ix}"
        env = p["spec"]["containers"][0]["env"]
        assert {"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
            "apiVersion": "v1",
            "fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}} in env
        by_index[int(ix)] = p
    assert sorted(by_index) == [0, 1, 2]
    set_phase(kubectl, namespace, by_index[0], "Succeeded")
    set_phase(kubectl, namespace, by_index[2], "Succeeded")
    eventually(lambda: get(kubectl, namespace, "job", "idx")["status"].get("completedIndexes") == "0,2",
               what='completedIndexes "0,2"')
    set_phase(kubectl, namespace, by_index[1], "Succeeded")
    kubectl("wait", "--for=condition=complete", "job/idx", "-n", namespace, "--timeout=20s")
    assert get(kubectl, namespace, "job", "idx")["status"]["completedIndexes"] == "0-2"


def test_suspend_and_resume(kubectl, namespace, manager):
    create(kubectl, namespace, job_manifest("sus", "  suspend: true\n  parallelism: 2\n  completions: 4"))
    eventually(lambda: (condition(get(kubectl, namespace, "job", "sus"), "Suspended") or {}).get("status") == "True",
               what="Suspended")
    assert job_pods(kubectl, namespace, "sus") == []
    kubectl("patch", "job", "sus", "-n", namespace, "--type=merge", "-p", '{"spec":{"suspend":false}}')
    eventually(lambda: len(running(job_pods(kubectl, namespace, "sus"))) == 2, what="2 pods after resume")
    resumed = eventually(lambda: (lambda c: c if c and c["status"] == "False" else None)(
        condition(get(kubectl, namespace, "job", "sus"), "Suspended")), what="resumed")
    assert resumed["reason"] == "JobResumed"
    kubectl("patch", "job", "sus", "-n", namespace, "--type=merge", "-p", '{"spec":{"suspend":true}}')
    eventually(lambda: job_pods(kubectl, namespace, "sus") == [], what="pods deleted on suspend")
    suspended = condition(get(kubectl, namespace, "job", "sus"), "Suspended")
    assert suspended["status"] == "True" and suspended["reason"] == "JobSuspended"
    events = kubectl("get", "events", "-n", namespace, "--field-selector", "involvedObject.name=sus").stdout
    assert "Suspended" in events and "Resumed" in events


def test_ttl_after_finished_deletes_the_job(kubectl, namespace, manager):
    create(kubectl, namespace, job_manifest("brief", "  ttlSecondsAfterFinished: 1"))
    pod = eventually(lambda: running(job_pods(kubectl, namespace, "brief")), what="a pod")[0]
    set_phase(kubectl, namespace, pod, "Succeeded")
    kubectl("wait", "--for=condition=complete", "job/brief", "-n", namespace, "--timeout=20s")

    # Deleted in the foreground, as upstream: gone, or (until a garbage
    # collector removes its pods) held by the foregroundDeletion finalizer.
    def deleted():
        job = get(kubectl, namespace, "job", "brief", check=False)
        return job is None or job["metadata"].get("deletionTimestamp")
    eventually(deleted, timeout=15, what="the Job deleted by its TTL")


def test_create_job_from_cronjob(kubectl, namespace, manager):
    create(kubectl, namespace, """
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
""")
    kubectl("create", "job", "manual", "--from=cronjob/nightly", "-n", namespace)
    job = get(kubectl, namespace, "job", "manual")
    assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    owner = job["metadata"]["ownerReferences"][0]
    assert owner["kind"] == "CronJob" and owner["name"] == "nightly"
    pod = eventually(lambda: running(job_pods(kubectl, namespace, "manual")), what="its pod")[0]
    set_phase(kubectl, namespace, pod, "Succeeded")
    kubectl("wait", "--for=condition=complete", "job/manual", "-n", namespace, "--timeout=20s")


def test_bad_jobs_are_rejected(kubectl, namespace, manager):
    p = kubectl("create", "-n", namespace, "-f", "-", check=False,
                input=job_manifest("neg", "  completions: -1"))
    assert p.returncode != 0 and "spec.completions" in p.stderr
    p = kubectl("create", "cronjob", "badcron", "--image=busybox", "--schedule=61 * * * *",
                "-n", namespace, check=False)
    assert p.returncode != 0 and "spec.schedule" in p.stderr


def test_pod_failure_policy_fails_the_job(kubectl, namespace, manager):
    create(kubectl, namespace, """
apiVersion: batch/v1
kind: Job
metadata: {name: policy}
spec:
  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes: {containerName: c, operator: In, values: [42]}
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
""")
    pod = eventually(lambda: running(job_pods(kubectl, namespace, "policy")), what="a pod")[0]
    kubectl("patch", "pod", pod["metadata"]["name"], "-n", namespace, "--subresource=status",
            "--type=merge", "-p", json.dumps({"status": {"phase": "Failed", "containerStatuses": [{
                "name": "c", "image": "busybox", "imageID": "", "ready": False, "restartCount": 0,
                "state": {"terminated": {"exitCode": 42, "reason": "Error"}}}]}}))
    kubectl("wait", "--for=condition=failed", "job/policy", "-n", namespace, "--timeout=20s")
    failed = condition(get(kubectl, namespace, "job", "policy"), "Failed")
    assert failed["reason"] == "PodFailurePolicy"
    assert failed["message"] == (f"Container c for pod {namespace}/{pod['metadata']['name']} failed with "
                                 "exit code 42 matching FailJob rule at index 0")


def pod_of_index(kubectl, ns, job, index):
    def find():
        for p in running(job_pods(kubectl, ns, job)):
            if p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] == str(index):
                return p
        return None
    return eventually(find, what=f"a running pod of index {index}")


def test_backoff_limit_per_index(kubectl, namespace, manager):
    create(kubectl, namespace, job_manifest(
        "per", "  completions: 3\n  parallelism: 3\n  completionMode: Indexed\n  backoffLimitPerIndex: 1"))
    job = eventually(lambda: get(kubectl, namespace, "job", "per"), what="the job")
    assert job["spec"]["backoffLimit"] == 2147483647  # defaulted so, with backoffLimitPerIndex
    first = pod_of_index(kubectl, namespace, "per", 1)
    assert first["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"] == "0"
    set_phase(kubectl, namespace, first, "Failed")
    second = eventually(lambda: (lambda p: p if p["metadata"]["name"] != first["metadata"]["name"] else None)(
        pod_of_index(kubectl, namespace, "per", 1)), what="index 1 retried")
    assert second["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"] == "1"
    set_phase(kubectl, namespace, second, "Failed")
    eventually(lambda: get(kubectl, namespace, "job", "per")["status"].get("failedIndexes") == "1",
               what='failedIndexes "1"')
    for ix in (0, 2):
        set_phase(kubectl, namespace, pod_of_index(kubectl, namespace, "per", ix), "Succeeded")
    kubectl("wait", "--for=condition=failed", "job/per", "-n", namespace, "--timeout=20s")
    status = get(kubectl, namespace, "job", "per")["status"]
    assert condition({"status": status}, "Failed")["reason"] == "FailedIndexes"
    assert status["completedIndexes"] == "0,2" and status["failedIndexes"] == "1"
    assert not running(job_pods(kubectl, namespace, "per"))


def test_max_failed_indexes_exceeded(kubectl, namespace, manager):
    create(kubectl, namespace, job_manifest(
        "maxf", "  completions: 4\n  parallelism: 4\n  completionMode: Indexed\n  backoffLimitPerIndex: 0\n"
                "  maxFailedIndexes: 1"))
    set_phase(kubectl, namespace, pod_of_index(kubectl, namespace, "maxf", 0), "Failed")
    eventually(lambda: get(kubectl, namespace, "job", "maxf")["status"].get("failedIndexes") == "0",
               what='failedIndexes "0"')
    set_phase(kubectl, namespace, pod_of_index(kubectl, namespace, "maxf", 2), "Failed")
    kubectl("wait", "--for=condition=failed", "job/maxf", "-n", namespace, "--timeout=20s")
    failed = condition(get(kubectl, namespace, "job", "maxf"), "Failed")
    assert failed["reason"] == "MaxFailedIndexesExceeded"
    assert failed["message"] == "Job has exceeded the specified maximal number of failed indexes"


def test_success_policy_completes_the_job_early(kubectl, namespace, manager):
    create(kubectl, namespace, job_manifest(
        "lead", "  completions: 3\n  parallelism: 3\n  completionMode: Indexed\n"
                "  successPolicy:\n    rules:\n    - succeededIndexes: \"0\""))
    set_phase(kubectl, namespace, pod_of_index(kubectl, namespace, "lead", 0), "Succeeded")
    kubectl("wait", "--for=condition=complete", "job/lead", "-n", namespace, "--timeout=20s")
    job = get(kubectl, namespace, "job", "lead")
    for type_ in ("SuccessCriteriaMet", "Complete"):
        c = condition(job, type_)
        assert c["reason"] == "SuccessPolicy" and c["message"] == "Matched rules at index 0", c
    assert job["status"]["completedIndexes"] == "0"
    assert not running(job_pods(kubectl, namespace, "lead"))


def test_per_index_and_success_policy_validation(kubectl, namespace, manager):
    p = kubectl("create", "-n", namespace, "-f", "-", check=False,
                input=job_manifest("nonidx", "  completions: 2\n  backoffLimitPerIndex: 1"))
    assert p.returncode != 0
    assert "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode" in p.stderr
    p = kubectl("create", "-n", namespace, "-f", "-", check=False,
                input=job_manifest("badsp", "  completions: 3\n  completionMode: Indexed\n"
                                            "  successPolicy:\n    rules:\n    - succeededIndexes: \"5\""))
    assert p.returncode != 0
    assert ('spec.successPolicy.rules[0].succeededIndexes: Invalid value: "5": error parsing succeededIndexes: '
            'too large index: "5"') in p.stderr, p.stderr
    p = kubectl("create", "-n", namespace, "-f", "-", check=False,
                input=job_manifest("maxf2", "  completions: 2\n  completionMode: Indexed\n"
                                            "  backoffLimitPerIndex: 1\n  maxFailedIndexes: 3"))
    assert p.returncode != 0
    assert "spec.maxFailedIndexes: Invalid value: 3: must be less than or equal to completions" in p.stderr


def test_every_minute_cronjob_starts_a_job(kubectl, manager):
    """The CronJob made when the module started fires at the next minute."""
    ns = manager["cron_namespace"]
    cj = get(kubectl, ns, "cronjob", "tick")

    def owned_jobs():
        items = json.loads(kubectl("get", "jobs", "-n", ns, "-o", "json").stdout)["items"]
        return [j for j in items if any(r["kind"] == "CronJob" and r["uid"] == cj["metadata"]["uid"]
                                        for r in j["metadata"].get("ownerReferences", []))]
    left = 75 - (time.monotonic() - manager["created"])
    jobs = eventually(owned_jobs, timeout=max(left, 5), what="a Job from the CronJob")
    job = jobs[0]
    scheduled = job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
    # RFC 3339 in the controller-manager's own zone (no spec.timeZone).
    when = datetime.datetime.fromisoformat(scheduled)
    assert when.second == 0 and when.tzinfo is not None, scheduled
    name = job["metadata"]["name"]
    minutes = int(name.rsplit("-", 1)[1])
    assert name == f"tick-{minutes}"
    assert int(when.timestamp()) == minutes * 60
    ref = job["metadata"]["ownerReferences"][0]
    assert ref["controller"] is True and ref["name"] == "tick"
    assert job["metadata"]["labels"]["app"] == "tick"
    status = eventually(lambda: get(kubectl, ns, "cronjob", "tick").get("status", {}).get("active") and
                        get(kubectl, ns, "cronjob", "tick")["status"], what="status.active")
    assert status["active"][0]["name"] == name
    last = datetime.datetime.fromisoformat(status["lastScheduleTime"].replace("Z", "+00:00"))
    assert last == when

