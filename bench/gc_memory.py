#!/usr/bin/python3
"""Memory and start-up cost of the garbage collector with many objects.

Starts `kcpp server` (fresh data dir, loopback, no node agent), creates N pods
(default 30,000) in 10 namespaces, each owned (ownerReferences) by one of 300
ConfigMaps, then runs `kcpp controller-manager` three ways and reports, after
the graph has synced and the process settled: its RSS, the server's RSS, and the
time until the garbage collector's graph held every object.

    bench/gc_memory.py [--kcpp build/kcpp] [--pods 30000]
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "e2e"))
from kcpp_harness import KcppServer  # noqa: E402


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def create_objects(server, pods, namespaces=10, owners=300):
    def work(shard):
        api = server.api()
        made = 0
        owner_uids = {}
        for i in range(shard, pods, 20):
            ns = f"bench-{i % namespaces}"
            owner = f"owner-{i % owners}"
            key = (ns, owner)
            if key not in owner_uids:
                r = api.get(f"/api/v1/namespaces/{ns}/configmaps/{owner}")
                if r.status == 404:
                    r = api.post(f"/api/v1/namespaces/{ns}/configmaps", {
                        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": owner}})
                    if r.status == 409:
                        r = api.get(f"/api/v1/namespaces/{ns}/configmaps/{owner}")
                owner_uids[key] = r.json()["metadata"]["uid"]
            body = {"apiVersion": "v1", "kind": "Pod", "metadata": {
                "name": f"pod-{i}", "labels": {"app": "bench", "shard": str(i % 7)},
                "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": owner,
                                     "uid": owner_uids[key]}]},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.25",
                                         "resources": {"requests": {"cpu": "10m"}}}]}}
            r = api.post(f"/api/v1/namespaces/{ns}/pods", body)
            assert r.status == 201, r
            made += 1
        api.close()
        return made

    api = server.api()
    for n in range(namespaces):
        api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                        "metadata": {"name": f"bench-{n}"}})
    api.close()
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        return sum(pool.map(work, range(20)))


def run_manager(binary, kubeconfig, controllers, expect_graph):
    log = tempfile.NamedTemporaryFile(prefix="kcpp-cm-bench-", suffix=".log", delete=False)
    t0 = time.monotonic()
    proc = subprocess.Popen([binary, "controller-manager", "--kubeconfig", kubeconfig,
                             "--no-leader-elect", "--controllers", controllers],
                            stdout=log, stderr=subprocess.STDOUT)
    synced_after = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = open(log.name).read()
        if not expect_graph or "graph synced" in text:
            synced_after = time.monotonic() - t0
            break
        time.sleep(0.05)
    time.sleep(5)  # settle: informers listed, queues drained
    rss = rss_mib(proc.pid)
    m = re.search(r"graph synced with (\d+) objects of (\d+) resources", open(log.name).read())
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    os.unlink(log.name)
    return rss, synced_after, m.groups() if m else None


def collect_rate(binary, server, pods, qps=None, first_owner=0, deleted_owners=10,
                 owners=300, namespaces=10):
    """Deletes `deleted_owners` owner ConfigMaps and times the collection of their pods."""
    log = tempfile.NamedTemporaryFile(prefix="kcpp-cm-bench-", suffix=".log", delete=False)
    proc = subprocess.Popen([binary, "controller-manager", "--kubeconfig", server.kubeconfig_path,
                             "--no-leader-elect", "--controllers", "garbagecollector",
                             *(["--kube-api-qps", str(qps), "--kube-api-burst", str(2 * qps)]
                               if qps else [])],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "graph synced" not in open(log.name).read() and time.monotonic() < deadline:
            time.sleep(0.05)
        api = server.api()
        victims = []
        for o in range(first_owner, first_owner + deleted_owners):
            ns = f"bench-{o % namespaces}"
            victims += [(f"bench-{i % namespaces}", f"pod-{i}") for i in range(pods)
                        if i % owners == o]
            r = api.delete(f"/api/v1/namespaces/{ns}/configmaps/owner-{o}")
            assert r.status == 200, r
        t0 = time.monotonic()
        for ns, name in victims:
            while api.get(f"/api/v1/namespaces/{ns}/pods/{name}").status != 404:
                assert time.monotonic() - t0 < 600, "collection too slow"
                time.sleep(0.2)
        took = time.monotonic() - t0
        api.close()
        limit = f"--kube-api-qps={qps}" if qps else "default client limits"
        return (f"collecting the {len(victims)} pods of {deleted_owners} deleted owners took "
                f"{took:.1f} s ({len(victims) / took:.0f} pods/s, {limit})")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        os.unlink(log.name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kcpp", default=os.path.join(os.path.dirname(__file__), "..", "build", "kcpp"))
    parser.add_argument("--pods", type=int, default=30000)
    args = parser.parse_args()
    binary = os.path.abspath(args.kcpp)
    root = tempfile.mkdtemp(prefix="kcpp-gc-bench-")
    os.makedirs(os.path.join(root, "data"))
    server = KcppServer(binary, os.path.join(root, "data"), extra_args=["--disable-agent"],
                        log_path=os.path.join(root, "server.log"))
    server.start(timeout=60)
    try:
        t0 = time.monotonic()
        made = create_objects(server, args.pods)
        print(f"created {made} pods (+300 owner ConfigMaps) in {time.monotonic() - t0:.1f} s; "
              f"server RSS {rss_mib(server.proc.pid):.1f} MiB")
        for controllers, graph in [("replicaset", False), ("replicaset,garbagecollector", True),
                                   ("garbagecollector", True)]:
            before = rss_mib(server.proc.pid)
            rss, synced, graph_size = run_manager(binary, server.kubeconfig_path, controllers, graph)
            after = rss_mib(server.proc.pid)
            extra = f", graph synced after {synced:.2f} s with {graph_size[0]} objects of " \
                    f"{graph_size[1]} resources" if graph else ""
            print(f"--controllers={controllers}: controller-manager RSS {rss:.1f} MiB{extra}; "
                  f"server RSS {before:.1f} → {after:.1f} MiB")
        print(collect_rate(binary, server, args.pods))
        print(collect_rate(binary, server, args.pods, qps=1000, first_owner=10, deleted_owners=20))
    finally:
        server.stop(timeout=30)
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
