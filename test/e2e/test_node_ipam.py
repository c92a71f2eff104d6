"""Node IPAM (the controller-manager's nodeipam controller, range allocator):
every Node gets its own pod CIDR from --cluster-cidr, a deleted Node's CIDR
can be taken again, and a full range gives the Node the event CIDRNotAvailable.
Nodes are made with the real kubectl; kcpp server allocates node CIDRs as k3s."""

import json
import subprocess
import time

import pytest

from conftest import start_server


def node_manifest(name):
    return json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})


def create_node(kubectl, name):
    kubectl("create", "-f", "-", input=node_manifest(name))


def pod_cidrs(kubectl, name):
    node = json.loads(kubectl("get", "node", name, "-o", "json").stdout)
    spec = node.get("spec", {})
    return spec.get("podCIDR"), spec.get("podCIDRs")


def wait_for_cidr(kubectl, name, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cidr, cidrs = pod_cidrs(kubectl, name)
        if cidr:
            assert cidrs == [cidr], (cidr, cidrs)
            return cidr
        time.sleep(0.1)
    raise AssertionError(f"node {name} got no podCIDR in {timeout}s")


def node_event_reasons(kubectl, name):
    out = kubectl("get", "events", "-A", "--field-selector",
                  f"involvedObject.kind=Node,involvedObject.name={name}", "-o", "json").stdout
    return [e["reason"] for e in json.loads(out)["items"]]


def test_each_node_gets_its_own_slash24_from_the_default_range(kubectl):
    names = ["ipam-a", "ipam-b", "ipam-c"]
    for n in names:
        create_node(kubectl, n)
    cidrs = [wait_for_cidr(kubectl, n) for n in names]
    assert len(set(cidrs)) == 3, cidrs
    for c in cidrs:
        assert c.startswith("10.42.") and c.endswith(".0/24"), c
    kubectl("delete", "node", *names)


@pytest.fixture(scope="module")
def small_range(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary,
                                  ["--disable-agent", "--cluster-cidr", "10.99.0.0/23"])
    yield handle
    finish()


def test_small_range_full_then_freed_cidr_is_reused(small_range):
    kubectl = small_range.kubectl
    create_node(kubectl, "first")
    create_node(kubectl, "second")
    got = {wait_for_cidr(kubectl, "first"), wait_for_cidr(kubectl, "second")}
    assert got == {"10.99.0.0/24", "10.99.1.0/24"}, got
    create_node(kubectl, "third")
    deadline = time.monotonic() + 15
    while "CIDRNotAvailable" not in node_event_reasons(kubectl, "third"):
        assert time.monotonic() < deadline, node_event_reasons(kubectl, "third")
        time.sleep(0.1)
    assert pod_cidrs(kubectl, "third") == (None, None)
    freed = pod_cidrs(kubectl, "first")[0]
    kubectl("delete", "node", "first")
    assert wait_for_cidr(kubectl, "third") == freed


def test_invalid_cluster_cidr_stops_the_server(kcpp_binary, tmp_path):
    p = subprocess.run([kcpp_binary, "server", "--data-dir", str(tmp_path), "--disable-agent",
                        "--https-listen-port", "0", "--cluster-cidr", "10.99.0.0/33"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert 'invalid --cluster-cidr "10.99.0.0/33"' in p.stderr + p.stdout


def test_controller_manager_refuses_a_node_mask_wider_than_the_cluster_range(kcpp_binary, server):
    p = subprocess.run([kcpp_binary, "controller-manager", "--kubeconfig", server.kubeconfig_path,
                        "--allocate-node-cidrs", "--cluster-cidr", "10.42.0.0/16",
                        "--node-cidr-mask-size", "8"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert ("mask size of cluster CIDR 10.42.0.0/16 must be less than or equal to "
            "--node-cidr-mask-size (8)") in p.stderr + p.stdout
