"""Services through the real kubectl: cluster IPs from --service-cidr, node ports from
--service-node-port-range, upstream's refusals, release on delete, and allocations that
survive a restart."""

import ipaddress
import json

import pytest

from conftest import start_server

SERVICE_CIDR = ipaddress.ip_network("10.43.0.0/16")  # kcpp's default --service-cidr


def svc_spec(kubectl, ns, name):
    return json.loads(kubectl("get", "svc", name, "-n", ns, "-o", "json").stdout)["spec"]


def create_fails(kubectl, *args, input=None):
    p = kubectl(*args, input=input, check=False)
    assert p.returncode != 0, f"kubectl {' '.join(args)} unexpectedly succeeded: {p.stdout}"
    return p.stderr.strip()


def test_clusterip_service_gets_an_ip_in_range(kubectl, namespace):
    p = kubectl("create", "service", "clusterip", "redis", "--tcp=6379:6379", "-n", namespace)
    assert p.stdout.strip() == "service/redis created"
    spec = svc_spec(kubectl, namespace, "redis")
    assert spec["selector"] == {"app": "redis"}, spec
    ip = ipaddress.ip_address(spec["clusterIP"])
    assert ip in SERVICE_CIDR and str(ip) != "10.43.0.1", spec
    assert spec["clusterIPs"] == [spec["clusterIP"]], spec
    assert spec["type"] == "ClusterIP" and spec["sessionAffinity"] == "None", spec
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack", spec
    assert spec["internalTrafficPolicy"] == "Cluster", spec
    assert spec["ports"][0] == {"name": "6379-6379", "port": 6379, "protocol": "TCP",
                                "targetPort": 6379}, spec


def test_the_kubernetes_service_keeps_the_first_ip(kubectl, namespace):
    spec = svc_spec(kubectl, "default", "kubernetes")
    assert spec["clusterIP"] == "10.43.0.1", spec
    err = create_fails(kubectl, "create", "service", "clusterip", "first", "--tcp=80:80",
                       "--clusterip=10.43.0.1", "-n", namespace)
    assert err.endswith('spec.clusterIPs: Invalid value: []string{"10.43.0.1"}: failed to '
                        'allocate IP 10.43.0.1: provided IP is already allocated'), err


def test_requested_cluster_ips(kubectl, namespace):
    kubectl("create", "service", "clusterip", "fixed", "--tcp=80:80", "--clusterip=10.43.0.5",
            "-n", namespace)
    assert svc_spec(kubectl, namespace, "fixed")["clusterIP"] == "10.43.0.5"
    err = create_fails(kubectl, "create", "service", "clusterip", "fixed2", "--tcp=80:80",
                       "--clusterip=10.43.0.5", "-n", namespace)
    assert err == ('error: failed to create ClusterIP service: Service "fixed2" is invalid: '
                   'spec.clusterIPs: Invalid value: []string{"10.43.0.5"}: failed to allocate IP '
                   '10.43.0.5: provided IP is already allocated'), err
    # v1.33 allocates from ServiceCIDRs: an IP outside all of them is a network mismatch.
    err = create_fails(kubectl, "create", "service", "clusterip", "outside", "--tcp=80:80",
                       "--clusterip=10.44.0.5", "-n", namespace)
    assert err.endswith('spec.clusterIPs: Invalid value: []string{"10.44.0.5"}: failed to '
                        'allocate IP 10.44.0.5: the provided network does not match the '
                        'current range'), err
    err = create_fails(kubectl, "create", "service", "clusterip", "bcast", "--tcp=80:80",
                       "--clusterip=10.43.255.255", "-n", namespace)
    assert err.endswith('failed to allocate IP 10.43.255.255: the provided IP (10.43.255.255) '
                        'is not in the valid range. The range of valid IPs is 10.43.0.0/16'), err
    kubectl("delete", "svc", "fixed", "-n", namespace)
    kubectl("create", "service", "clusterip", "fixed2", "--tcp=80:80", "--clusterip=10.43.0.5",
            "-n", namespace)


def test_headless_and_external_name_get_no_ip(kubectl, namespace):
    kubectl("create", "service", "clusterip", "hl", "--clusterip=None", "-n", namespace)
    spec = svc_spec(kubectl, namespace, "hl")
    assert spec["clusterIP"] == "None" and spec["clusterIPs"] == ["None"], spec
    kubectl("create", "service", "externalname", "ext", "--external-name=db.example.com",
            "-n", namespace)
    spec = svc_spec(kubectl, namespace, "ext")
    assert "clusterIP" not in spec and spec["externalName"] == "db.example.com", spec


def test_node_ports(kubectl, namespace):
    kubectl("create", "service", "nodeport", "nginx", "--tcp=80:80", "--node-port=30080",
            "-n", namespace)
    spec = svc_spec(kubectl, namespace, "nginx")
    assert spec["type"] == "NodePort" and spec["ports"][0]["nodePort"] == 30080, spec
    assert spec["externalTrafficPolicy"] == "Cluster", spec
    assert ipaddress.ip_address(spec["clusterIP"]) in SERVICE_CIDR, spec
    err = create_fails(kubectl, "create", "service", "nodeport", "low", "--tcp=80:80",
                       "--node-port=29999", "-n", namespace)
    assert err == ('error: failed to create NodePort service: Service "low" is invalid: '
                   'spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the '
                   'valid range. The range of valid ports is 30000-32767'), err
    err = create_fails(kubectl, "create", "service", "nodeport", "dup", "--tcp=80:80",
                       "--node-port=30080", "-n", namespace)
    assert err == ('error: failed to create NodePort service: Service "dup" is invalid: '
                   'spec.ports[0].nodePort: Invalid value: 30080: provided port is already '
                   'allocated'), err
    kubectl("delete", "svc", "nginx", "-n", namespace)
    kubectl("create", "service", "nodeport", "dup", "--tcp=80:80", "--node-port=30080",
            "-n", namespace)
    assert svc_spec(kubectl, namespace, "dup")["ports"][0]["nodePort"] == 30080


def test_expose_a_pod_as_node_port(kubectl, namespace):
    kubectl("run", "p", "--image=registry.k8s.io/pause:3.10", "--labels=app=p", "-n", namespace)
    p = kubectl("expose", "pod", "p", "--port=80", "--name", "s", "--type=NodePort",
                "-n", namespace)
    assert p.stdout.strip() == "service/s exposed"
    spec = svc_spec(kubectl, namespace, "s")
    assert spec["selector"] == {"app": "p"}, spec
    node_port = spec["ports"][0]["nodePort"]
    assert 30000 <= node_port <= 32767, spec
    ip = spec["clusterIP"]
    kubectl("delete", "svc", "s", "-n", namespace)
    # Both freed: the same port and IP can be asked for again.
    kubectl("create", "service", "nodeport", "again", "--tcp=80:80",
            f"--node-port={node_port}", "-n", namespace)
    kubectl("create", "service", "clusterip", "again-ip", "--tcp=80:80", f"--clusterip={ip}",
            "-n", namespace)


def test_missing_ports_is_422(kubectl, namespace):
    manifest = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "noports"},
                "spec": {"selector": {"app": "x"}}}
    err = create_fails(kubectl, "create", "-n", namespace, "--validate=false", "-f", "-",
                       input=json.dumps(manifest))
    assert err.endswith('Service "noports" is invalid: spec.ports: Required value'), err


def test_type_changes_move_node_ports(kubectl, namespace):
    kubectl("create", "service", "clusterip", "web", "--tcp=80:80", "-n", namespace)
    ip = svc_spec(kubectl, namespace, "web")["clusterIP"]
    kubectl("patch", "svc", "web", "-n", namespace, "--type=merge",
            "-p", '{"spec":{"type":"NodePort"}}')
    spec = svc_spec(kubectl, namespace, "web")
    assert spec["clusterIP"] == ip and 30000 <= spec["ports"][0]["nodePort"] <= 32767, spec
    err = create_fails(kubectl, "patch", "svc", "web", "-n", namespace, "--type=merge",
                       "-p", '{"spec":{"clusterIP":"10.43.0.99"}}')
    assert err.endswith('spec.clusterIPs[0]: Invalid value: []string{"10.43.0.99"}: may not '
                        'change once set'), err


@pytest.fixture
def private_server(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary, ["--disable-agent"])
    yield handle
    finish()


def test_allocations_survive_a_restart(private_server):
    kubectl = private_server.kubectl
    kubectl("create", "service", "nodeport", "keep", "--tcp=80:80", "--node-port=31111")
    ip = svc_spec(kubectl, "default", "keep")["clusterIP"]
    server = private_server.server
    assert server.stop() == 0
    server.start()
    err = create_fails(kubectl, "create", "service", "nodeport", "clash", "--tcp=80:80",
                       "--node-port=31111")
    assert err.endswith("provided port is already allocated"), err
    err = create_fails(kubectl, "create", "service", "clusterip", "clash-ip", "--tcp=80:80",
                       f"--clusterip={ip}")
    assert err.endswith("provided IP is already allocated"), err
    assert svc_spec(kubectl, "default", "kubernetes")["clusterIP"] == "10.43.0.1"
    kubectl("delete", "svc", "keep")
    kubectl("create", "service", "nodeport", "clash", "--tcp=80:80", "--node-port=31111")
