"""Admission plugins that shape pods and claims, driven with real kubectl:
PodSecurity (namespace labels enforce/warn/audit the Pod Security Standards with
upstream's messages), DefaultTolerationSeconds, Priority (and the system
PriorityClasses the server creates), DefaultStorageClass and DefaultIngressClass."""

import json

import pytest

from conftest import unique

PRIVILEGED_POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: c
    image: nginx
    securityContext:
      privileged: true
"""

RESTRICTED_POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: c
    image: nginx
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: ["ALL"]
"""

RESTRICTED_VIOLATIONS = (
    'privileged (container "c" must not set securityContext.privileged=true), '
    'allowPrivilegeEscalation != false (container "c" must set '
    'securityContext.allowPrivilegeEscalation=false), unrestricted capabilities '
    '(container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true '
    '(pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile '
    '(pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" '
    'or "Localhost")')


def labelled_namespace(kubectl, *labels):
    ns = unique("psa")
    kubectl("create", "namespace", ns)
    if labels:
        kubectl("label", "namespace", ns, *labels)
    return ns


def get(kubectl, ns, kind, name):
    args = ["get", kind, name, "-o", "json"]
    if ns:
        args += ["-n", ns]
    return json.loads(kubectl(*args).stdout)


def test_enforce_restricted_refuses_a_privileged_pod_with_upstreams_message(kubectl):
    ns = labelled_namespace(kubectl, "pod-security.kubernetes.io/enforce=restricted")
    p = kubectl("create", "-n", ns, "-f", "-", input=PRIVILEGED_POD.format(name="p"), check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == (
        'Error from server (Forbidden): error when creating "STDIN": pods "p" is forbidden: '
        'violates PodSecurity "restricted:latest": ' + RESTRICTED_VIOLATIONS)
    assert kubectl("get", "pods", "-n", ns, "-o", "name").stdout.strip() == ""


def test_enforce_restricted_admits_a_compliant_pod(kubectl):
    ns = labelled_namespace(kubectl, "pod-security.kubernetes.io/enforce=restricted")
    p = kubectl("create", "-n", ns, "-f", "-", input=RESTRICTED_POD.format(name="ok"))
    assert p.stdout.strip() == "pod/ok created"
    assert "Warning" not in p.stderr


def test_enforce_version_is_reported_as_labelled(kubectl):
    ns = labelled_namespace(kubectl, "pod-security.kubernetes.io/enforce=baseline",
                            "pod-security.kubernetes.io/enforce-version=v1.29")
    p = kubectl("create", "-n", ns, "-f", "-", input=PRIVILEGED_POD.format(name="p"), check=False)
    assert p.returncode == 1
    assert p.stderr.strip().endswith(
        'pods "p" is forbidden: violates PodSecurity "baseline:v1.29": privileged '
        '(container "c" must not set securityContext.privileged=true)')


def test_warn_baseline_warns_but_creates(kubectl):
    ns = labelled_namespace(kubectl, "pod-security.kubernetes.io/warn=baseline")
    p = kubectl("create", "-n", ns, "-f", "-", input=PRIVILEGED_POD.format(name="p"))
    assert p.stdout.strip() == "pod/p created"
    assert p.stderr.strip() == (
        'Warning: would violate PodSecurity "baseline:latest": privileged '
        '(container "c" must not set securityContext.privileged=true)')
    assert get(kubectl, ns, "pod", "p")["metadata"]["name"] == "p"


def test_pod_templates_are_warned_not_refused(kubectl):
    ns = labelled_namespace(kubectl, "pod-security.kubernetes.io/enforce=restricted",
                            "pod-security.kubernetes.io/warn=restricted")
    p = kubectl("create", "deployment", "web", "--image=nginx", "-n", ns)
    assert p.stdout.strip() == "deployment.apps/web created"
    assert p.stderr.strip() == (
        'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false '
        '(container "nginx" must set securityContext.allowPrivilegeEscalation=false), '
        'unrestricted capabilities (container "nginx" must set '
        'securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container '
        '"nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container '
        '"nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")')


def test_labelling_a_namespace_warns_about_existing_pods(kubectl):
    ns = labelled_namespace(kubectl)
    kubectl("create", "-n", ns, "-f", "-", input=PRIVILEGED_POD.format(name="p"))
    kubectl("create", "-n", ns, "-f", "-", input=RESTRICTED_POD.format(name="ok"))
    p = kubectl("label", "namespace", ns, "pod-security.kubernetes.io/enforce=baseline")
    assert p.stdout.strip() == f"namespace/{ns} labeled"
    assert p.stderr.strip().splitlines() == [
        f'Warning: existing pods in namespace "{ns}" violate the new PodSecurity enforce level '
        '"baseline:latest"',
        "Warning: p: privileged"]
    # The pods stay; new ones are refused.
    assert len(kubectl("get", "pods", "-n", ns, "-o", "name").stdout.split()) == 2


def test_invalid_pod_security_labels_are_refused(kubectl):
    ns = labelled_namespace(kubectl)
    p = kubectl("label", "namespace", ns, "pod-security.kubernetes.io/enforce=strict", check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == (
        f'The Namespace "{ns}" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: '
        'Invalid value: "strict": must be one of privileged, baseline, restricted')


def test_system_namespaces_are_not_exempt(kubectl):
    kubectl("label", "namespace", "kube-public", "pod-security.kubernetes.io/enforce=baseline")
    try:
        p = kubectl("create", "-n", "kube-public", "-f", "-",
                    input=PRIVILEGED_POD.format(name="p"), check=False)
        assert p.returncode == 1
        assert 'violates PodSecurity "baseline:latest"' in p.stderr
    finally:
        kubectl("label", "namespace", "kube-public", "pod-security.kubernetes.io/enforce-")


def test_pods_get_the_default_tolerations(kubectl, namespace):
    kubectl("run", "t", "--image=nginx", "-n", namespace)
    tolerations = get(kubectl, namespace, "pod", "t")["spec"]["tolerations"]
    assert tolerations == [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300}]


def test_system_priority_classes_exist(kubectl):
    node = get(kubectl, None, "priorityclass", "system-node-critical")
    cluster = get(kubectl, None, "priorityclass", "system-cluster-critical")
    assert node["value"] == 2000001000
    assert cluster["value"] == 2000000000
    assert node["description"] == (
        "Used for system critical pods that must not be moved from their current node.")
    assert cluster["description"] == ("Used for system critical pods that must run in the "
                                      "cluster, but can be moved to another node if necessary.")
    assert cluster["preemptionPolicy"] == "PreemptLowerPriority"


def test_priority_class_resolves_to_priority(kubectl):
    name = unique("crit")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"priorityClassName": "system-cluster-critical",
                    "containers": [{"name": "c", "image": "nginx"}]}}
    try:
        kubectl("create", "-n", "kube-system", "-f", "-", input=json.dumps(pod))
        spec = get(kubectl, "kube-system", "pod", name)["spec"]
        assert spec["priority"] == 2000000000
        assert spec["preemptionPolicy"] == "PreemptLowerPriority"
    finally:
        kubectl("delete", "pod", name, "-n", "kube-system", "--wait=false", check=False)


def test_pods_without_a_class_get_priority_zero(kubectl, namespace):
    kubectl("run", "z", "--image=nginx", "-n", namespace)
    spec = get(kubectl, namespace, "pod", "z")["spec"]
    assert spec["priority"] == 0
    assert "priorityClassName" not in spec


def test_missing_priority_class_is_refused(kubectl, namespace):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "m"},
           "spec": {"priorityClassName": "nope", "containers": [{"name": "c", "image": "nginx"}]}}
    p = kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(pod), check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == ('Error from server (Forbidden): error when creating "STDIN": '
                                'pods "m" is forbidden: no PriorityClass with name nope was found')


def test_only_one_global_default_priority_class(kubectl):
    first, second = unique("pc"), unique("pc")
    kubectl("create", "priorityclass", first, "--value=100", "--global-default")
    try:
        p = kubectl("create", "priorityclass", second, "--value=200", "--global-default",
                    check=False)
        assert p.returncode == 1
        assert p.stderr.strip() == (
            f'error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "{second}" '
            f'is forbidden: PriorityClass {first} is already marked as default. Only one default '
            'can exist')
    finally:
        kubectl("delete", "priorityclass", first)


def test_claims_get_the_default_storage_class(kubectl, namespace):
    sc = unique("standard")
    kubectl("create", "-f", "-", input=json.dumps({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": sc,
                     "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "example.com/none"}))
    try:
        claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                 "spec": {"accessModes": ["ReadWriteOnce"],
                          "resources": {"requests": {"storage": "1Gi"}}}}
        kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(claim))
        assert get(kubectl, namespace, "pvc", "data")["spec"]["storageClassName"] == sc
        claim["metadata"]["name"] = "none"
        claim["spec"]["storageClassName"] = ""
        kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(claim))
        assert get(kubectl, namespace, "pvc", "none")["spec"]["storageClassName"] == ""
    finally:
        kubectl("delete", "storageclass", sc)


def test_ingresses_get_the_default_ingress_class(kubectl, namespace):
    ic = unique("nginx")
    kubectl("create", "-f", "-", input=json.dumps({
        "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
        "metadata": {"name": ic,
                     "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": "example.com/ingress"}}))
    try:
        kubectl("create", "ingress", "web", "--rule=example.com/=svc:80", "-n", namespace)
        assert get(kubectl, namespace, "ingress", "web")["spec"]["ingressClassName"] == ic
    finally:
        kubectl("delete", "ingressclass", ic)
