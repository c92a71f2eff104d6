#!/usr/bin/python3
"""How fast the Endpoints and EndpointSlice controllers converge on a big Service.

Starts `kcpp server` (no agent) and `kcpp controller-manager --controllers
endpoint,endpointslice`, registers a Node and N pods bound to it with a Ready
status (this script plays the kubelet), then measures:

  1. cold: a Service selecting the N ready pods is created; time until its
     Endpoints hold 1,000 addresses (the truncation limit, marked over-capacity)
     and its EndpointSlices hold N ready endpoints;
  2. flip: all N pods turn not-ready, then ready again, as fast as the writers
     can patch pods/status; time from the first patch until the slices show
     all N ready again;

and the controller-manager's CPU time (user + system, from /proc) for each.

Usage: bench/endpoints_bench.py [--pods 5000] [--writers 8] [--kcpp-binary build/kcpp]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "e2e"))

from kcpp_harness import DEFAULT_BINARY, KcppServer  # noqa: E402

NS = "bench"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def in_parallel(server, writers, items, work):
    """Runs work(api, item) over items with `writers` threads, each with its own connection."""
    chunks = [items[i::writers] for i in range(writers)]

    def run(chunk):
        api = server.api()
        for item in chunk:
            work(api, item)
        api.close()
    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def pod_ip(i):
    return f"10.{100 + i // 65536}.{(i // 256) % 256}.{i % 256}"


def set_ready(api, i, ready):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    status = {"phase": "Running", "podIP": pod_ip(i), "podIPs": [{"ip": pod_ip(i)}],
              "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                              "lastTransitionTime": now}]}
    r = api.patch(f"/api/v1/namespaces/{NS}/pods/p{i}/status", {"status": status})
    assert r.status == 200, r


def create_pod(api, i):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}", "labels": {"app": "big"}},
           "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "nginx",
                                                      "ports": [{"name": "web", "containerPort": 8080}]}]}}
    r = api.post(f"/api/v1/namespaces/{NS}/pods", pod)
    assert r.status == 201, r
    set_ready(api, i, True)


def endpoints_state(api):
    r = api.get(f"/api/v1/namespaces/{NS}/endpoints/big")
    if r.status != 200:
        return 0, False
    ep = r.json()
    n = sum(len(s.get("addresses", [])) for s in ep.get("subsets") or [])
    return n, "endpoints.kubernetes.io/over-capacity" in (ep["metadata"].get("annotations") or {})


def slices_state(api):
    r = api.get(f"/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices"
                "?labelSelector=kubernetes.io%2Fservice-name%3Dbig")
    items = r.json()["items"]
    ready = sum(1 for s in items for e in s.get("endpoints") or [] if e["conditions"]["ready"])
    total = sum(len(s.get("endpoints") or []) for s in items)
    return len(items), total, ready


def wait_for(predicate, timeout, period=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(period)
    raise TimeoutError("did not converge")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for convergence")
    parser.add_argument("--controllers", default="endpoint,endpointslice")
    parser.add_argument("--poll", type=float, default=0.1, help="seconds between convergence checks")
    parser.add_argument("--kcpp-binary", default=DEFAULT_BINARY)
    parser.add_argument("--cm-args", default="", help="extra controller-manager flags (space-separated)")
    args = parser.parse_args()
    n = args.pods
    root = tempfile.mkdtemp(prefix="kcpp-ep-bench-")
    server = KcppServer(args.kcpp_binary, os.path.join(root, "data"), extra_args=["--disable-agent"])
    os.makedirs(server.data_dir)
    cm = None
    try:
        server.start()
        api = server.api()
        assert api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": NS}}).status == 201
        assert api.post("/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {
            "name": "n1", "labels": {"topology.kubernetes.io/zone": "zone-a"}}}).status == 201
        t = time.monotonic()
        in_parallel(server, args.writers, list(range(n)), create_pod)
        print(f"created {n} ready pods in {time.monotonic() - t:.1f} s")

        log = open(os.path.join(root, "cm.log"), "wb")
        cm = subprocess.Popen([args.kcpp_binary, "controller-manager", "--kubeconfig", server.kubeconfig_path,
                               "--no-leader-elect", "--controllers", args.controllers,
                               *args.cm_args.split()],
                              stdout=log, stderr=log)
        # Ready once a probe Service (no pods) has its (placeholder) EndpointSlice.
        api.post(f"/api/v1/namespaces/{NS}/services", {"apiVersion": "v1", "kind": "Service",
                 "metadata": {"name": "probe"}, "spec": {"selector": {"app": "none"}, "ports": [{"port": 80}]}})
        wait_for(lambda: api.get(f"/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices"
                                 "?labelSelector=kubernetes.io%2Fservice-name%3Dprobe").json()["items"], 60)
        time.sleep(0.5)
        idle_cpu = cpu_seconds(cm.pid)

        # 1. cold: the Service over N existing ready pods.
        cpu0 = cpu_seconds(cm.pid)
        t0 = time.monotonic()
        svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "big"},
               "spec": {"selector": {"app": "big"}, "ports": [{"name": "http", "port": 80, "targetPort": "web"}]}}
        assert api.post(f"/api/v1/namespaces/{NS}/services", svc).status == 201
        capacity = min(n, 1000)
        t_ep = wait_for(lambda: "endpoint," not in args.controllers + "," or
                        endpoints_state(api) == (capacity, n > 1000), 120)
        t_sl = wait_for(lambda: slices_state(api)[2] == n, 120)
        cpu1 = cpu_seconds(cm.pid)
        slices, total, ready = slices_state(api)
        print(f"cold: Endpoints {t_ep - t0:.2f} s, {slices} EndpointSlices ({ready} ready endpoints) "
              f"{t_sl - t0:.2f} s, controller CPU {cpu1 - cpu0:.2f} s")

        # 2. flip: all not-ready, then all ready again.
        for ready_now, label in ((False, "to not-ready"), (True, "to ready")):
            cpu0 = cpu_seconds(cm.pid)
            t0 = time.monotonic()
            in_parallel(server, args.writers, list(range(n)), lambda a, i: set_ready(a, i, ready_now))
            t_written = time.monotonic()
            want = n if ready_now else 0
            t_sl = wait_for(lambda: slices_state(api)[2] == want, args.timeout, period=args.poll)
            cpu1 = cpu_seconds(cm.pid)
            print(f"flip {label}: {n} status patches in {t_written - t0:.2f} s; slices converged "
                  f"{t_sl - t0:.2f} s after the first patch ({t_sl - t_written:.2f} s after the last); "
                  f"controller CPU {cpu1 - cpu0:.2f} s")
        with open(f"/proc/{cm.pid}/status") as f:
            rss = next(line for line in f if line.startswith("VmRSS")).split()[1]
        print(f"controller-manager RSS {int(rss) / 1024:.1f} MiB; CPU before the Service {idle_cpu:.2f} s")
    except Exception:
        try:
            r = server.api().get(f"/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices"
                                 "?labelSelector=kubernetes.io%2Fservice-name%3Dbig")
            seen = {}
            for sl in r.json()["items"]:
                names = [e["targetRef"]["name"] for e in sl.get("endpoints") or []]
                ready = sum(1 for e in sl.get("endpoints") or [] if e["conditions"]["ready"])
                sys.stderr.write(f"{sl['metadata']['name']}: {len(names)} endpoints, {ready} ready\n")
                for nm in names:
                    seen[nm] = seen.get(nm, 0) + 1
            sys.stderr.write(f"pods listed: {len(seen)}, listed twice: {sum(1 for v in seen.values() if v > 1)}\n")
        except Exception as e:  # noqa: BLE001
            sys.stderr.write(f"dump failed: {e}\n")
        with open(os.path.join(root, "cm.log"), "rb") as f:
            sys.stderr.write(f.read()[-4000:].decode(errors="replace"))
        raise
    finally:
        if cm is not None and cm.poll() is None:
            cm.send_signal(signal.SIGTERM)
            cm.wait(timeout=15)
        server.stop()
        server.cleanup()
        if os.environ.get("KEEP_LOG"):
            shutil.copy(os.path.join(root, "cm.log"), os.environ["KEEP_LOG"])
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
