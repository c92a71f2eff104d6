"""The controller-manager's per-controller RBAC (upstream's bootstrap controller
policy, v1.33): a system:controller:<name> ClusterRole with upstream's rules and a
ClusterRoleBinding to the ServiceAccount kube-system/<name> for every controller;
the namespaced Roles of kube-system and kube-public; the scheduler's and the
controller-manager's own roles; upstream's reconciliation of all of them at start.
Checked with the real kubectl (auth can-i, get -o yaml) and by running kcpp's
ReplicaSet controller with nothing but its controller's credentials."""

import json
import os
import tempfile
import time

import yaml

from conftest import start_server


def can_i(kubectl, *args):
    """`kubectl auth can-i ...`: True for yes, False for no (exit code 1)."""
    p = kubectl("auth", "can-i", *args, check=False)
    assert p.returncode in (0, 1), p.stderr
    answer = p.stdout.strip()
    assert answer in ("yes", "no"), (p.stdout, p.stderr)
    return answer == "yes"


def sa(name):
    return f"--as=system:serviceaccount:kube-system:{name}"


def rule(verbs, groups, resources, names=None):
    r = {"apiGroups": groups, "resources": resources, "verbs": verbs}
    if names:
        r["resourceNames"] = names
    return r


EVENTS = rule(["create", "patch", "update"], ["", "events.k8s.io"], ["events"])


def test_replicaset_controller_can_what_upstream_allows(kubectl):
    rs = sa("replicaset-controller")
    assert can_i(kubectl, "create", "pods", rs, "-n", "default")
    assert can_i(kubectl, "delete", "pods", rs, "-n", "kube-system")
    assert can_i(kubectl, "patch", "pods", rs, "--all-namespaces")
    assert can_i(kubectl, "update", "replicasets.apps", "--subresource=status", rs, "-n", "default")
    assert can_i(kubectl, "update", "replicasets.apps", "--subresource=finalizers", rs)
    assert can_i(kubectl, "create", "events.events.k8s.io", rs)
    assert not can_i(kubectl, "delete", "nodes", rs)
    assert not can_i(kubectl, "get", "pods", rs)  # list/watch only
    assert not can_i(kubectl, "delete", "replicasets.apps", rs)
    assert not can_i(kubectl, "get", "secrets", rs)
    # An unbound service account of the same namespace gets none of it.
    assert not can_i(kubectl, "create", "pods", sa("not-a-controller"))


def test_other_controllers(kubectl):
    gc = sa("generic-garbage-collector")
    assert can_i(kubectl, "delete", "configmaps", gc, "-n", "default")
    assert can_i(kubectl, "patch", "widgets.example.com", gc)  # any group, any resource
    assert not can_i(kubectl, "create", "configmaps", gc)
    ns = sa("namespace-controller")
    assert can_i(kubectl, "deletecollection", "deployments.apps", ns, "-n", "default")
    assert can_i(kubectl, "update", "namespaces", "--subresource=finalize", ns)
    assert not can_i(kubectl, "create", "pods", ns)
    node = sa("node-controller")
    assert can_i(kubectl, "delete", "nodes", node)
    assert can_i(kubectl, "patch", "nodes", "--subresource=status", node)
    assert can_i(kubectl, "update", "pods", "--subresource=status", node)
    assert not can_i(kubectl, "create", "pods", node)
    job = sa("job-controller")
    assert can_i(kubectl, "update", "jobs.batch", "--subresource=finalizers", job)
    assert can_i(kubectl, "create", "pods", job)
    assert not can_i(kubectl, "create", "jobs.batch", job)
    cronjob = sa("cronjob-controller")
    assert can_i(kubectl, "create", "jobs.batch", cronjob)
    assert can_i(kubectl, "watch", "pods", cronjob)
    slices = sa("endpointslice-controller")
    assert can_i(kubectl, "create", "endpointslices.discovery.k8s.io", slices)
    assert can_i(kubectl, "update", "services", "--subresource=finalizers", slices)
    assert not can_i(kubectl, "create", "endpoints", slices)
    token_cleaner = sa("legacy-service-account-token-cleaner")
    assert can_i(kubectl, "get", "configmaps/kube-apiserver-legacy-service-account-token-tracking",
                 token_cleaner, "-n", "kube-system")
    assert not can_i(kubectl, "get", "configmaps/other", token_cleaner, "-n", "kube-system")
    assert can_i(kubectl, "escalate", "clusterroles.rbac.authorization.k8s.io",
                 sa("clusterrole-aggregation-controller"))


def test_deployment_controller_role_as_yaml(kubectl):
    role = yaml.safe_load(kubectl("get", "clusterrole", "system:controller:deployment-controller",
                                  "-o", "yaml").stdout)
    assert role["metadata"]["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults"
    assert role["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"] == "true"
    assert role["rules"] == [
        rule(["get", "list", "update", "watch"], ["apps", "extensions"], ["deployments"]),
        rule(["update"], ["apps", "extensions"], ["deployments/status"]),
        rule(["update"], ["apps", "extensions"], ["deployments/finalizers"]),
        rule(["create", "delete", "get", "list", "patch", "update", "watch"],
             ["apps", "extensions"], ["replicasets"]),
        rule(["get", "list", "update", "watch"], [""], ["pods"]),
        EVENTS,
    ]


def test_every_controller_binding_names_its_service_account(kubectl):
    items = json.loads(kubectl("get", "clusterrolebindings", "-o", "json").stdout)["items"]
    bindings = {b["metadata"]["name"]: b for b in items
                if b["metadata"]["name"].startswith("system:controller:")}
    roles = {r["metadata"]["name"] for r in json.loads(
        kubectl("get", "clusterroles", "-o", "json").stdout)["items"]
        if r["metadata"]["name"].startswith("system:controller:")}
    assert len(bindings) == 35
    assert set(bindings) == roles
    for name, b in bindings.items():
        controller = name[len("system:controller:"):]
        assert b["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                "name": name}
        assert b["subjects"] == [{"kind": "ServiceAccount", "name": controller,
                                  "namespace": "kube-system"}], name
    for controller in ("replicaset-controller", "deployment-controller",
                       "generic-garbage-collector", "namespace-controller", "node-controller",
                       "pod-garbage-collector", "job-controller", "cronjob-controller",
                       "daemon-set-controller", "statefulset-controller", "endpoint-controller",
                       "endpointslice-controller", "endpointslicemirroring-controller",
                       "ttl-after-finished-controller", "resourcequota-controller",
                       "service-account-controller", "root-ca-cert-publisher",
                       "persistent-volume-binder", "ttl-controller", "horizontal-pod-autoscaler",
                       "disruption-controller", "replication-controller", "expand-controller",
                       "pvc-protection-controller", "pv-protection-controller",
                       "clusterrole-aggregation-controller", "certificate-controller",
                       "ephemeral-volume-controller", "legacy-service-account-token-cleaner",
                       "validatingadmissionpolicy-status-controller", "service-cidrs-controller"):
        assert "system:controller:" + controller in bindings, controller


def test_namespaced_roles_and_bindings(kubectl):
    p = kubectl("get", "roles", "-n", "kube-system", "-o", "name")
    assert set(p.stdout.split()) >= {
        "role.rbac.authorization.k8s.io/extension-apiserver-authentication-reader",
        "role.rbac.authorization.k8s.io/system:controller:bootstrap-signer",
        "role.rbac.authorization.k8s.io/system:controller:cloud-provider",
        "role.rbac.authorization.k8s.io/system:controller:token-cleaner",
        "role.rbac.authorization.k8s.io/system::leader-locking-kube-controller-manager",
        "role.rbac.authorization.k8s.io/system::leader-locking-kube-scheduler"}
    reader = yaml.safe_load(kubectl("get", "role", "extension-apiserver-authentication-reader",
                                    "-n", "kube-system", "-o", "yaml").stdout)
    assert reader["rules"] == [rule(["get", "list", "watch"], [""], ["configmaps"],
                                    ["extension-apiserver-authentication"])]
    for user in ("system:kube-scheduler", "system:kube-controller-manager"):
        assert can_i(kubectl, "list", "configmaps/extension-apiserver-authentication",
                     "-n", "kube-system", f"--as={user}")
    # The scheduler gets no other ConfigMap (the controller-manager gets all of them;
    # the scheduler's leader-locking Role lets it watch any in kube-system).
    assert not can_i(kubectl, "get", "configmaps/other", "-n", "kube-system",
                     "--as=system:kube-scheduler")
    signer = sa("bootstrap-signer")
    assert can_i(kubectl, "update", "configmaps/cluster-info", "-n", "kube-public", signer)
    assert not can_i(kubectl, "update", "configmaps/other", "-n", "kube-public", signer)
    assert can_i(kubectl, "list", "secrets", "-n", "kube-system", signer)
    assert not can_i(kubectl, "list", "secrets", "-n", "default", signer)
    assert can_i(kubectl, "delete", "secrets", "-n", "kube-system", sa("token-cleaner"))
    binding = json.loads(kubectl("get", "rolebinding", "system::leader-locking-kube-scheduler",
                                 "-n", "kube-system", "-o", "json").stdout)
    assert binding["roleRef"]["kind"] == "Role"
    assert binding["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:kube-scheduler"},
        {"kind": "ServiceAccount", "name": "kube-scheduler", "namespace": "kube-system"}]
    assert can_i(kubectl, "update", "configmaps/kube-scheduler", "-n", "kube-system",
                 sa("kube-scheduler"))


def test_scheduler_and_controller_manager_roles(kubectl):
    s = "--as=system:kube-scheduler"
    assert can_i(kubectl, "create", "pods", "--subresource=binding", s, "-n", "default")
    assert can_i(kubectl, "create", "bindings", s)
    assert can_i(kubectl, "patch", "pods", "--subresource=status", s)
    assert can_i(kubectl, "list", "namespaces", s)
    assert can_i(kubectl, "watch", "poddisruptionbudgets.policy", s)
    assert can_i(kubectl, "update", "leases.coordination.k8s.io/kube-scheduler", "-n", "kube-system", s)
    assert can_i(kubectl, "create", "leases.coordination.k8s.io", "-n", "kube-system", s)
    # system:volume-scheduler, also bound to the scheduler.
    assert can_i(kubectl, "update", "persistentvolumes", s)
    assert can_i(kubectl, "patch", "persistentvolumeclaims", s, "-n", "default")
    assert not can_i(kubectl, "create", "pods", s)
    assert not can_i(kubectl, "delete", "nodes", s)
    scheduler = yaml.safe_load(kubectl("get", "clusterrole", "system:kube-scheduler",
                                       "-o", "yaml").stdout)["rules"]
    assert rule(["get", "update"], ["coordination.k8s.io"], ["leases"], ["kube-scheduler"]) in scheduler
    assert rule(["get", "list", "watch"], ["apps", "extensions"], ["replicasets"]) in scheduler
    # kcpp does not serve these (kubectl cannot resolve them for can-i): the rules.
    for resource in ("csinodes", "csidrivers", "csistoragecapacities"):
        assert rule(["get", "list", "watch"], ["storage.k8s.io"], [resource]) in scheduler

    m = "--as=system:kube-controller-manager"
    assert can_i(kubectl, "create", "serviceaccounts", "--subresource=token", m, "-n", "kube-system")
    assert can_i(kubectl, "list", "widgets.example.com", m)  # shared informers: all
    assert can_i(kubectl, "update", "leases.coordination.k8s.io/kube-controller-manager",
                 "-n", "kube-system", m)
    assert can_i(kubectl, "get", "leases.coordination.k8s.io", "-n", "kube-system", m)  # Role
    assert not can_i(kubectl, "create", "pods", m)


def test_component_roles(kubectl):
    """The roles manifests of add-ons bind to (metrics-server: system:auth-delegator
    and the kube-system extension-apiserver-authentication-reader Role)."""
    delegator = yaml.safe_load(kubectl("get", "clusterrole", "system:auth-delegator",
                                       "-o", "yaml").stdout)
    assert delegator["rules"] == [rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
                                  rule(["create"], ["authorization.k8s.io"],
                                       ["subjectaccessreviews"])]
    assert can_i(kubectl, "get", "/metrics", "--as=prometheus", "--as-group=system:monitoring")
    assert not can_i(kubectl, "get", "/metrics", "--as=someone")
    assert can_i(kubectl, "get", "/openid/v1/jwks", sa("anyone"))
    assert can_i(kubectl, "watch", "endpointslices.discovery.k8s.io", "--as=system:kube-proxy")
    assert can_i(kubectl, "list", "services", sa("kube-dns"))


def eventually(fn, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def kubeconfig_for_service_account(server, name):
    """A copy of the admin kubeconfig whose user is a token of kube-system/<name>."""
    # The embedded controller-manager makes its controllers' accounts itself.
    server.kubectl("create", "serviceaccount", name, "-n", "kube-system", check=False)
    token = server.kubectl("create", "token", name, "-n", "kube-system").stdout.strip()
    path = os.path.join(tempfile.mkdtemp(prefix="kcpp-sa-"), "kubeconfig")
    with open(server.kubeconfig_path) as src, open(path, "w") as dst:
        dst.write(src.read())
    server.kubectl("--kubeconfig", path, "config", "set-credentials", name, f"--token={token}")
    server.kubectl("--kubeconfig", path, "config", "set-context", "--current", f"--user={name}")
    return path


def test_replicaset_controller_runs_with_its_own_credentials(server, kubectl, namespace):
    """kcpp's ReplicaSet controller needs nothing beyond upstream's role for it."""
    path = kubeconfig_for_service_account(server, "replicaset-controller")
    # Asked as the service account itself (a SelfSubjectAccessReview with its token).
    assert can_i(kubectl, "--kubeconfig", path, "create", "pods", "-n", namespace)
    assert not can_i(kubectl, "--kubeconfig", path, "create", "configmaps", "-n", namespace)
    # The server's embedded controller-manager runs it as that account.
    try:
        kubectl("create", "-n", namespace, "-f", "-", input="""
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: own}
spec:
  replicas: 2
  selector: {matchLabels: {app: own}}
  template:
    metadata: {labels: {app: own}}
    spec: {containers: [{name: c, image: nginx}]}
""")
        eventually(lambda: json.loads(kubectl("get", "rs", "own", "-n", namespace, "-o", "json")
                                      .stdout).get("status", {}).get("replicas") == 2,
                   what="2 replicas in status")
        pods = json.loads(kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
        assert len(pods) == 2
        events = json.loads(kubectl("get", "events", "-n", namespace, "-o", "json").stdout)["items"]
        created = [e for e in events if e["reason"] == "SuccessfulCreate"]
        assert created and all(e["source"]["component"] == "replicaset-controller" for e in created)
    finally:
        os.unlink(path)


def rbac_path(kind, name, ns=None):
    base = "/apis/rbac.authorization.k8s.io/v1"
    return f"{base}/namespaces/{ns}/{kind}/{name}" if ns else f"{base}/{kind}/{name}"


def test_reconciliation_at_start(kcpp_binary, kubectl_binary):
    """As upstream's PostStartHook: missing objects are recreated, missing rules and
    subjects added back (nothing removed), a changed roleRef reset, and objects
    annotated autoupdate=false left alone."""
    handle, finish = start_server(kcpp_binary, kubectl_binary, ["--disable-agent"])
    try:
        api = handle.api()
        job = rbac_path("clusterroles", "system:controller:job-controller")
        role = api.get(job).json()
        role["rules"] = role["rules"][:1] + [rule(["get"], [""], ["configmaps"])]
        assert api.put(job, role).status == 200

        pgc = rbac_path("clusterroles", "system:controller:pod-garbage-collector")
        protected = api.get(pgc).json()
        protected["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"] = "false"
        protected["rules"] = [rule(["list"], [""], ["pods"])]
        assert api.put(pgc, protected).status == 200

        binding = rbac_path("clusterrolebindings", "system:controller:ttl-controller")
        b = api.get(binding).json()
        b["subjects"] = [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "ops"}]
        assert api.put(binding, b).status == 200

        reader = rbac_path("roles", "extension-apiserver-authentication-reader", "kube-system")
        assert api.delete(reader).status == 200
        lock = rbac_path("rolebindings", "system::leader-locking-kube-scheduler", "kube-system")
        assert api.delete(lock).status == 200
        assert api.post(rbac_path("rolebindings", "", "kube-system").rstrip("/"), {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "system::leader-locking-kube-scheduler"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                        "name": "system:controller:token-cleaner"},
            "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io",
                          "name": "system:kube-scheduler"}]}).status == 201
        api.close()

        handle.server.stop()
        handle.server.start()
        api = handle.api()

        rules = api.get(job).json()["rules"]
        assert rules[:2] == role["rules"]  # kept, nothing removed
        assert rule(["update"], ["batch"], ["jobs/status"]) in rules  # added back
        assert rule(["create"], [""], ["pods"]) in rules  # broken down as upstream
        assert can_i(handle.kubectl, "create", "pods", sa("job-controller"))

        assert api.get(pgc).json()["rules"] == [rule(["list"], [""], ["pods"])]

        subjects = api.get(binding).json()["subjects"]
        assert subjects == [
            {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "ops"},
            {"kind": "ServiceAccount", "name": "ttl-controller", "namespace": "kube-system"}]

        recreated = api.get(reader).json()
        assert recreated["rules"][0]["resourceNames"] == ["extension-apiserver-authentication"]
        reset = api.get(lock).json()
        assert reset["roleRef"]["name"] == "system::leader-locking-kube-scheduler"
        assert len(reset["subjects"]) == 2
        api.close()
    finally:
        finish()
