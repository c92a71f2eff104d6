"""Upstream's object validation through the real kubectl: 422 Invalid with upstream's field
paths and messages for workloads, pods, pod updates, metadata, config and batch objects."""

import json

import pytest


def fails(kubectl, *args, input=None):
    p = kubectl(*args, input=input, check=False)
    assert p.returncode != 0, f"kubectl {' '.join(args)} unexpectedly succeeded: {p.stdout}"
    return p.stderr.strip()


def apply(kubectl, ns, obj, check=True):
    return kubectl("apply", "-n", ns, "-f", "-", input=json.dumps(obj), check=check)


def deployment(name, selector, labels, image="nginx"):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": selector},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}}}


def pod(name, containers, **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": dict(containers=containers, **spec)}


def test_deployment_selector_must_match_template(kubectl, namespace):
    err = fails(kubectl, "create", "-n", namespace, "-f", "-",
                input=json.dumps(deployment("web", {"app": "web"}, {"app": "other"})))
    assert err == ('The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: '
                   'map[string]string{"app":"other"}: `selector` does not match template `labels`'), err
    kubectl("get", "deployments", "-n", namespace)  # nothing was stored
    assert "web" not in kubectl("get", "deployments", "-n", namespace, "-o", "name").stdout


def test_deployment_selector_is_immutable(kubectl, namespace):
    apply(kubectl, namespace, deployment("web", {"app": "web"}, {"app": "web"}))
    p = apply(kubectl, namespace, deployment("web", {"app": "web2"}, {"app": "web2"}), check=False)
    assert p.returncode != 0, p.stdout
    assert ('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, '
            'MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable') in p.stderr, p.stderr


def test_deployment_rolling_update_may_not_be_all_zero(kubectl, namespace):
    d = deployment("zero", {"app": "z"}, {"app": "z"})
    d["spec"]["strategy"] = {"rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}}
    err = fails(kubectl, "create", "-n", namespace, "-f", "-", input=json.dumps(d))
    assert err == ('The Deployment "zero" is invalid: spec.strategy.rollingUpdate.maxUnavailable: '
                   'Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when '
                   '`maxSurge` is 0'), err


def test_pod_with_two_containers_named_the_same(kubectl, namespace):
    twins = pod("twins", [{"name": "c", "image": "nginx"}, {"name": "c", "image": "busybox"}])
    err = fails(kubectl, "create", "-n", namespace, "-f", "-", input=json.dumps(twins))
    assert err == 'The Pod "twins" is invalid: spec.containers[1].name: Duplicate value: "c"', err


def test_pod_ports_and_resources(kubectl, namespace):
    bad = pod("bad", [{"name": "c", "image": "nginx", "ports": [{"containerPort": 70000}],
                       "resources": {"limits": {"cpu": "500m"}, "requests": {"cpu": "1"}}}])
    err = fails(kubectl, "create", "-n", namespace, "-f", "-", input=json.dumps(bad))
    assert err.startswith('The Pod "bad" is invalid: \n'), err
    assert ('* spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 '
            'and 65535, inclusive') in err, err
    assert ('* spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal '
            'to cpu limit of 500m') in err, err


def test_set_image_is_allowed_but_other_pod_changes_are_forbidden(kubectl, namespace):
    kubectl("run", "p", "--image=nginx:1", "--restart=Never", "-n", namespace)
    out = kubectl("set", "image", "pod/p", "p=nginx:2", "-n", namespace).stdout
    assert out.strip() == "pod/p image updated", out
    image = kubectl("get", "pod", "p", "-n", namespace, "-o", "jsonpath={.spec.containers[0].image}")
    assert image.stdout == "nginx:2"
    err = fails(kubectl, "patch", "pod", "p", "-n", namespace, "-p",
                '{"spec":{"containers":[{"name":"p","ports":[{"containerPort":80}]}]}}')
    assert err.startswith(
        'The Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than '
        '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,'
        '`spec.tolerations` (only additions to existing tolerations),'
        '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously '
        'negative)'), err


def test_invalid_label_key(kubectl, namespace):
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "labelled", "labels": {"bad key": "v"}}}
    err = fails(kubectl, "create", "-n", namespace, "-f", "-", input=json.dumps(cm))
    assert err == ('The ConfigMap "labelled" is invalid: metadata.labels: Invalid value: "bad key": '
                   "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
                   "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                   "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
                   ), err


def test_configmap_keys_and_immutability(kubectl, namespace):
    keys = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "keys"},
            "data": {"a b": "1"}}
    err = fails(kubectl, "create", "-n", namespace, "-f", "-", input=json.dumps(keys))
    assert err == ('The ConfigMap "keys" is invalid: data[a b]: Invalid value: "a b": a valid config '
                   "key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                   "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"), err
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "frozen"},
          "immutable": True, "data": {"k": "1"}}
    apply(kubectl, namespace, cm)
    cm["data"]["k"] = "2"
    p = apply(kubectl, namespace, cm, check=False)
    assert p.returncode != 0
    assert "data: Forbidden: field is immutable when `immutable` is set" in p.stderr, p.stderr


def test_tls_secret_needs_its_keys(kubectl, namespace):
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tls"},
              "type": "kubernetes.io/tls", "data": {"tls.crt": "eA=="}}
    err = fails(kubectl, "create", "-n", namespace, "-f", "-", input=json.dumps(secret))
    assert err == 'The Secret "tls" is invalid: data[tls.key]: Required value', err


def test_job_restart_policy_and_cronjob_schedule(kubectl, namespace):
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"template": {"spec": {"restartPolicy": "Always",
                                          "containers": [{"name": "c", "image": "busybox"}]}}}}
    err = fails(kubectl, "create", "-n", namespace, "-f", "-", input=json.dumps(job))
    assert err == ('The Job "j" is invalid: spec.template.spec.restartPolicy: Required value: '
                   'valid values: "OnFailure", "Never"'), err
    err = fails(kubectl, "create", "cronjob", "cj", "-n", namespace, "--image=busybox",
                "--schedule=bad")
    assert err.endswith('spec.schedule: Invalid value: "bad": expected exactly 5 fields, found 1: '
                        '[bad]'), err
    kubectl("create", "cronjob", "ok", "-n", namespace, "--image=busybox", "--schedule=*/5 * * * *")


def test_valid_workloads_are_accepted(kubectl, namespace):
    kubectl("create", "deployment", "nginx", "--image=nginx", "--replicas=2", "-n", namespace)
    kubectl("create", "job", "once", "--image=busybox", "-n", namespace)
    kubectl("create", "role", "reader", "--verb=get", "--resource=pods", "-n", namespace)
    kubectl("create", "rolebinding", "rb", "--role=reader", "--user=alice", "-n", namespace)
    kubectl("create", "pdb", "budget", "--selector=app=nginx", "--min-available=1", "-n", namespace)
    kubectl("create", "ingress", "ing", "--rule=example.com/=svc:80", "-n", namespace)
    kubectl("create", "quota", "q", "--hard=pods=10,cpu=2", "-n", namespace)
