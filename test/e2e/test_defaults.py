"""Defaulting through the real kubectl: what upstream v1.33 stores for objects created by
kubectl's generators and by manifests (the schema's static defaults along the object plus
upstream's per-kind code rules), on create and again on update and patch."""

import json

from conftest import unique

DIGEST = "sha256:" + "0123456789abcdef" * 4


def get(kubectl, ns, kind, name):
    args = ["get", kind, name, "-o", "json"] + (["-n", ns] if ns else [])
    return json.loads(kubectl(*args).stdout)


def create(kubectl, ns, manifest):
    args = ["create", "-f", "-"] + (["-n", ns] if ns else [])
    kubectl(*args, input=json.dumps(manifest))


# The pod template spec upstream stores for `kubectl create deployment ... --image=nginx`.
NGINX_TEMPLATE_SPEC = {
    "containers": [{"image": "nginx", "imagePullPolicy": "Always", "name": "nginx",
                    "resources": {}, "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File"}],
    "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
    "schedulerName": "default-scheduler", "securityContext": {},
    "terminationGracePeriodSeconds": 30,
}


def test_create_deployment_as_upstream_stores_it(kubectl, namespace):
    kubectl("create", "deployment", "web", "--image=nginx", "-n", namespace)
    spec = get(kubectl, namespace, "deploy", "web")["spec"]
    assert spec == {
        "progressDeadlineSeconds": 600, "replicas": 1, "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                     "type": "RollingUpdate"},
        "template": {"metadata": {"creationTimestamp": None, "labels": {"app": "web"}},
                     "spec": NGINX_TEMPLATE_SPEC},
    }, spec


def test_update_and_patch_default_again(kubectl, namespace):
    kubectl("create", "deployment", "web", "--image=nginx", "-n", namespace)
    kubectl("patch", "deploy", "web", "-n", namespace, "--type=json", "-p",
            '[{"op":"remove","path":"/spec/revisionHistoryLimit"},'
            '{"op":"remove","path":"/spec/template/spec/dnsPolicy"}]')
    spec = get(kubectl, namespace, "deploy", "web")["spec"]
    assert spec["revisionHistoryLimit"] == 10, spec
    assert spec["template"]["spec"]["dnsPolicy"] == "ClusterFirst", spec
    # Recreate: no rollingUpdate is defaulted.
    kubectl("patch", "deploy", "web", "-n", namespace, "--type=merge", "-p",
            '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}')
    assert get(kubectl, namespace, "deploy", "web")["spec"]["strategy"] == {"type": "Recreate"}
    # A replace without the defaulted fields gets them back.
    dep = get(kubectl, namespace, "deploy", "web")
    del dep["spec"]["progressDeadlineSeconds"]
    del dep["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"]
    kubectl("replace", "-f", "-", "-n", namespace, input=json.dumps(dep))
    spec = get(kubectl, namespace, "deploy", "web")["spec"]
    assert spec["progressDeadlineSeconds"] == 600, spec
    assert spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always", spec


def test_run_pull_policy_follows_the_image_tag(kubectl, namespace):
    for name, image, policy in [("tagged", "nginx:1.25", "IfNotPresent"),
                                ("untagged", "nginx", "Always"),
                                ("latest", "registry.k8s.io/nginx:latest", "Always"),
                                ("digest", "nginx@" + DIGEST, "IfNotPresent")]:
        kubectl("run", name, "--image=" + image, "-n", namespace)
        spec = get(kubectl, namespace, "pod", name)["spec"]
        assert spec["containers"][0]["imagePullPolicy"] == policy, (image, spec)
    spec = get(kubectl, namespace, "pod", "tagged")["spec"]
    # The ServiceAccount admission plugin's additions, as upstream's.
    token_volume = spec["volumes"][0]["name"] if spec.get("volumes") else "kube-api-access-?"
    assert spec == {
        "containers": [{"image": "nginx:1.25", "imagePullPolicy": "IfNotPresent", "name": "tagged",
                        "resources": {}, "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File",
                        "volumeMounts": [{"name": token_volume, "readOnly": True,
                                          "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
        "dnsPolicy": "ClusterFirst", "enableServiceLinks": True, "restartPolicy": "Always",
        "schedulerName": "default-scheduler", "securityContext": {},
        "serviceAccount": "default", "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        # From admission: Priority and DefaultTolerationSeconds.
        "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
             "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
             "tolerationSeconds": 300}],
        # From admission: ServiceAccount.
        "volumes": [{"name": token_volume, "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}],
    }, spec


def test_nested_pod_defaults_only_where_the_parent_exists(kubectl, namespace):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nested"}, "spec": {
        "hostNetwork": True,
        "containers": [{
            "name": "c", "image": "busybox:1.36",
            "ports": [{"containerPort": 8080}, {"containerPort": 9090, "hostPort": 0}],
            "env": [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
            "livenessProbe": {"httpGet": {"port": 8080}},
            "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 0},
            "resources": {"limits": {"cpu": "500m", "memory": "64Mi"}}}],
        "volumes": [{"name": "cm", "configMap": {"name": "x"}},
                    {"name": "sec", "secret": {"secretName": "s"}},
                    {"name": "api", "downwardAPI": {"items": [
                        {"path": "n", "fieldRef": {"fieldPath": "metadata.name"}}]}},
                    {"name": "proj", "projected": {"sources": [{"serviceAccountToken": {
                        "path": "t"}}]}},
                    {"name": "host", "hostPath": {"path": "/tmp"}},
                    {"name": "scratch"}]}}
    create(kubectl, namespace, pod)
    spec = get(kubectl, namespace, "pod", "nested")["spec"]
    c = spec["containers"][0]
    assert c["ports"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"},
                          {"containerPort": 9090, "hostPort": 9090, "protocol": "TCP"}], c
    assert c["env"][0]["valueFrom"]["fieldRef"] == {"apiVersion": "v1",
                                                    "fieldPath": "metadata.name"}, c
    assert c["livenessProbe"] == {"httpGet": {"path": "/", "port": 8080, "scheme": "HTTP"},
                                  "failureThreshold": 3, "periodSeconds": 10,
                                  "successThreshold": 1, "timeoutSeconds": 1}, c
    assert c["readinessProbe"]["periodSeconds"] == 10, c
    assert "startupProbe" not in c and "lifecycle" not in c, c
    assert c["resources"]["requests"] == {"cpu": "500m", "memory": "64Mi"}, c
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["cm"]["configMap"] == {"name": "x", "defaultMode": 420}
    assert volumes["sec"]["secret"] == {"secretName": "s", "defaultMode": 420}
    assert volumes["api"]["downwardAPI"]["defaultMode"] == 420
    assert volumes["api"]["downwardAPI"]["items"][0]["fieldRef"]["apiVersion"] == "v1"
    assert volumes["proj"]["projected"] == {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"path": "t", "expirationSeconds": 3600}}]}
    assert volumes["host"]["hostPath"] == {"path": "/tmp", "type": ""}
    assert volumes["scratch"] == {"name": "scratch", "emptyDir": {}}


def test_workload_templates_get_pod_spec_defaults_but_not_pod_ones(kubectl, namespace):
    template = {"metadata": {"labels": {"app": "w"}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    selector = {"matchLabels": {"app": "w"}}
    create(kubectl, namespace, {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                "metadata": {"name": "rs"},
                                "spec": {"selector": selector, "template": template}})
    rs = get(kubectl, namespace, "rs", "rs")
    assert rs["spec"]["replicas"] == 1
    tspec = rs["spec"]["template"]["spec"]
    assert "enableServiceLinks" not in tspec, tspec
    assert tspec["dnsPolicy"] == "ClusterFirst" and tspec["schedulerName"] == "default-scheduler"
    assert tspec["containers"][0]["imagePullPolicy"] == "Always", tspec

    create(kubectl, namespace, {"apiVersion": "v1", "kind": "ReplicationController",
                                "metadata": {"name": "rc"}, "spec": {"template": template}})
    rc = get(kubectl, namespace, "rc", "rc")
    assert rc["spec"]["selector"] == {"app": "w"} and rc["spec"]["replicas"] == 1, rc
    assert rc["metadata"]["labels"] == {"app": "w"}, rc


def test_daemonset_and_statefulset(kubectl, namespace):
    template = {"metadata": {"labels": {"app": "s"}},
                "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}
    selector = {"matchLabels": {"app": "s"}}
    create(kubectl, namespace, {"apiVersion": "apps/v1", "kind": "DaemonSet",
                                "metadata": {"name": "ds"},
                                "spec": {"selector": selector, "template": template}})
    spec = get(kubectl, namespace, "ds", "ds")["spec"]
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 0, "maxUnavailable": 1}}, spec
    assert spec["revisionHistoryLimit"] == 10, spec

    create(kubectl, namespace, {"apiVersion": "apps/v1", "kind": "StatefulSet",
                                "metadata": {"name": "sts"},
                                "spec": {"selector": selector, "template": template,
                                         "serviceName": "sts",
                                         "volumeClaimTemplates": [{
                                             "metadata": {"name": "data"},
                                             "spec": {"accessModes": ["ReadWriteOnce"],
                                                      "resources": {"requests": {
                                                          "storage": "1Gi"}}}}]}})
    spec = get(kubectl, namespace, "sts", "sts")["spec"]
    assert spec["replicas"] == 1 and spec["podManagementPolicy"] == "OrderedReady", spec
    assert spec["updateStrategy"] == {"type": "RollingUpdate",
                                      "rollingUpdate": {"partition": 0}}, spec
    assert spec["revisionHistoryLimit"] == 10, spec
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain",
                                                            "whenScaled": "Retain"}, spec
    claim = spec["volumeClaimTemplates"][0]
    assert claim["spec"]["volumeMode"] == "Filesystem", claim
    assert claim["status"] == {"phase": "Pending"}, claim


def test_job_and_cronjob(kubectl, namespace):
    kubectl("create", "job", "once", "--image=busybox:1.36", "-n", namespace)
    spec = get(kubectl, namespace, "job", "once")["spec"]
    for field, value in [("backoffLimit", 6), ("completions", 1), ("parallelism", 1),
                         ("completionMode", "NonIndexed"), ("suspend", False),
                         ("manualSelector", False),
                         ("podReplacementPolicy", "TerminatingOrFailed")]:
        assert spec.get(field) == value, (field, spec)
    assert spec["template"]["spec"]["restartPolicy"] == "Never", spec

    create(kubectl, namespace, {"apiVersion": "batch/v1", "kind": "Job",
                                "metadata": {"name": "indexed"},
                                "spec": {"completions": 3, "completionMode": "Indexed",
                                         "backoffLimitPerIndex": 1,
                                         "template": {"metadata": {"labels": {"j": "i"}},
                                                      "spec": {"restartPolicy": "Never",
                                                               "containers": [{
                                                                   "name": "c",
                                                                   "image": "busybox"}]}}}})
    job = get(kubectl, namespace, "job", "indexed")
    assert job["spec"]["backoffLimit"] == 2147483647, job["spec"]
    assert job["spec"]["parallelism"] == 1, job["spec"]
    assert job["metadata"]["labels"] == {"j": "i"}, job["metadata"]

    kubectl("create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *",
            "-n", namespace)
    spec = get(kubectl, namespace, "cronjob", "tick")["spec"]
    assert spec["concurrencyPolicy"] == "Allow" and spec["suspend"] is False, spec
    assert spec["successfulJobsHistoryLimit"] == 3 and spec["failedJobsHistoryLimit"] == 1
    job_spec = spec["jobTemplate"]["spec"]
    assert "backoffLimit" not in job_spec and "completions" not in job_spec, job_spec
    pod_spec = job_spec["template"]["spec"]
    assert pod_spec["containers"][0]["imagePullPolicy"] == "Always", pod_spec
    assert pod_spec["restartPolicy"] == "OnFailure" and "enableServiceLinks" not in pod_spec


def test_network_policy_and_rbac(kubectl, namespace):
    create(kubectl, namespace, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                "metadata": {"name": "in"},
                                "spec": {"ingress": [{"ports": [{"port": 80}]}]}})
    spec = get(kubectl, namespace, "networkpolicy", "in")["spec"]
    assert spec == {"ingress": [{"ports": [{"port": 80, "protocol": "TCP"}]}],
                    "podSelector": {}, "policyTypes": ["Ingress"]}, spec
    create(kubectl, namespace, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                "metadata": {"name": "out"},
                                "spec": {"podSelector": {}, "egress": [{}]}})
    assert get(kubectl, namespace, "networkpolicy", "out")["spec"]["policyTypes"] == [
        "Ingress", "Egress"]

    create(kubectl, namespace, {"apiVersion": "rbac.authorization.k8s.io/v1",
                                "kind": "RoleBinding", "metadata": {"name": "rb"},
                                "roleRef": {"kind": "ClusterRole", "name": "view"},
                                "subjects": [{"kind": "User", "name": "alice"},
                                             {"kind": "Group", "name": "devs"},
                                             {"kind": "ServiceAccount", "name": "default",
                                              "namespace": namespace}]})
    rb = get(kubectl, namespace, "rolebinding", "rb")
    assert rb["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                             "name": "view"}, rb
    assert [s.get("apiGroup") for s in rb["subjects"]] == [
        "rbac.authorization.k8s.io", "rbac.authorization.k8s.io", None], rb


def test_cluster_scoped_kinds(kubectl, namespace):
    pc = unique("prio")
    create(kubectl, None, {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                           "metadata": {"name": pc}, "value": 1000})
    assert get(kubectl, None, "priorityclass", pc)["preemptionPolicy"] == "PreemptLowerPriority"

    sc = unique("sc")
    create(kubectl, None, {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                           "metadata": {"name": sc}, "provisioner": "example.com/p"})
    obj = get(kubectl, None, "storageclass", sc)
    assert obj["reclaimPolicy"] == "Delete" and obj["volumeBindingMode"] == "Immediate", obj

    pv = unique("pv")
    create(kubectl, None, {"apiVersion": "v1", "kind": "PersistentVolume",
                           "metadata": {"name": pv},
                           "spec": {"capacity": {"storage": "1Gi"},
                                    "accessModes": ["ReadWriteOnce"],
                                    "hostPath": {"path": "/tmp/pv"}}})
    obj = get(kubectl, None, "pv", pv)
    assert obj["spec"]["persistentVolumeReclaimPolicy"] == "Retain", obj
    assert obj["spec"]["volumeMode"] == "Filesystem", obj
    assert obj["spec"]["hostPath"] == {"path": "/tmp/pv", "type": ""}, obj
    # Defaulted Pending; the embedded PV binder may already have made it Available.
    assert obj["status"]["phase"] in ("Pending", "Available"), obj

    create(kubectl, namespace, {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                "metadata": {"name": "claim"},
                                "spec": {"accessModes": ["ReadWriteOnce"],
                                         "resources": {"requests": {"storage": "1Gi"}}}})
    obj = get(kubectl, namespace, "pvc", "claim")
    assert obj["spec"]["volumeMode"] == "Filesystem", obj
    assert obj["status"] == {"phase": "Pending"}, obj
