#!/usr/bin/python3
"""Simulated nodes at scale: one `kcpp sim` process with N nodes against a fresh
`kcpp server`.

Measures: time from starting the sim to every node registered (Node created,
status posted, Lease created), the lease renewals per second the server handles
in steady state (at the kubelet's 10 s interval, and at shorter intervals to
find the rate the pair sustains), and the RSS and CPU of the server and of the
sim. With --pods P it also creates P pods bound round-robin to the nodes (as a
scheduler would bind them) and times them to Running, from the sim's counters
and a final LIST.

With --controller-manager it also runs `kcpp controller-manager` (node lifecycle,
taint eviction, pod GC) during the first steady window and reports its CPU and RSS.

Usage: bench/sim_bench.py [--nodes 1000] [--intervals 10s,1s] [--window 20] [--pods 0] [--controller-manager]
"""

import argparse
import os
import re
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

STATS = re.compile(r"lease renewals (\d+) .*pod status posts (\d+)")
TICKS = os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Sim:
    def __init__(self, binary, kubeconfig, nodes, interval, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([binary, "sim", "--kubeconfig", kubeconfig, "--nodes", str(nodes),
                                      "--node-lease-renew-interval", interval, "--stats-interval", "1s",
                                      "--pod-start-delay", "0s"],
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def counters(self):
        found = STATS.findall(self.text())
        return (int(found[-1][0]), int(found[-1][1])) if found else (0, 0)

    def wait_for(self, needle, timeout):
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"sim: no '{needle}'; log:\n{self.text()[-3000:]}")
            time.sleep(0.02)
        return time.monotonic() - self.started

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.close()


def steady_rate(sim, server_pid, window):
    renewals0, _ = sim.counters()
    cpu0, simcpu0, t0 = cpu_seconds(server_pid), cpu_seconds(sim.proc.pid), time.monotonic()
    time.sleep(window)
    renewals1, _ = sim.counters()
    elapsed = time.monotonic() - t0
    return ((renewals1 - renewals0) / elapsed, (cpu_seconds(server_pid) - cpu0) / elapsed,
            (cpu_seconds(sim.proc.pid) - simcpu0) / elapsed)


def create_pods(server, count, nodes, threads=16):
    api_clients = [server.api() for _ in range(threads)]
    errors = []

    def work(t):
        api = api_clients[t]
        for i in range(t, count, threads):
            body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p-{i}"},
                    "spec": {"nodeName": f"sim-{i % nodes}", "containers": [{"name": "c", "image": "nginx"}]}}
            r = api.post("/api/v1/namespaces/default/pods", body)
            if r.status != 201:
                errors.append(r.status)
    ts = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for a in api_clients:
        a.close()
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcpp-binary", default=DEFAULT_BINARY)
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--intervals", default="10s,1s")
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--pods", type=int, default=0)
    ap.add_argument("--controller-manager", action="store_true")
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="kcpp-sim-bench-")
    try:
        data = os.path.join(root, "data")
        os.makedirs(data)
        server = KcppServer(args.kcpp_binary, data, extra_args=["--disable-agent"])
        server.start()
        pid = server.proc.pid
        print(f"server idle RSS: {rss_mib(pid):.1f} MiB")
        for n, interval in enumerate(args.intervals.split(",")):
            sim = Sim(args.kcpp_binary, server.kubeconfig_path, args.nodes, interval,
                      os.path.join(root, f"sim-{n}.log"))
            took = sim.wait_for(f"all {args.nodes} nodes registered", timeout=300)
            if n == 0:
                print(f"{args.nodes} nodes registered (create + status + lease) in {took:.2f} s")
            else:
                print(f"{args.nodes} existing nodes re-registered (get + update + status + lease) in {took:.2f} s")
            seconds = float(interval.rstrip("s"))
            cm = None
            if args.controller_manager and n == 0:
                cm = subprocess.Popen([args.kcpp_binary, "controller-manager", "--kubeconfig", server.kubeconfig_path,
                                       "--no-leader-elect", "--controllers", "nodelifecycle,taint-eviction-controller,podgc"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(min(seconds, 10) + 1)  # past the first, spread-out renewals
            cm_cpu0 = cpu_seconds(cm.pid) if cm else 0
            rate, server_cpu, sim_cpu = steady_rate(sim, pid, args.window)
            if cm:
                print(f"controller-manager (node lifecycle, taint eviction, pod GC) over {args.nodes} nodes: "
                      f"CPU {(cpu_seconds(cm.pid) - cm_cpu0) / args.window * 100:.1f}% of a core, "
                      f"RSS {rss_mib(cm.pid):.1f} MiB")
                cm.send_signal(signal.SIGTERM)
                cm.wait(timeout=30)
            print(f"renew interval {interval}: {rate:.0f} lease renewals/s (ideal {args.nodes / seconds:.0f}/s); "
                  f"server CPU {server_cpu * 100:.0f}% of a core, sim CPU {sim_cpu * 100:.0f}%; "
                  f"server RSS {rss_mib(pid):.1f} MiB, sim RSS {rss_mib(sim.proc.pid):.1f} MiB")
            if args.pods and n == len(args.intervals.split(",")) - 1:
                _, posts0 = sim.counters()
                t0 = time.monotonic()
                errors = create_pods(server, args.pods, args.nodes)
                created = time.monotonic() - t0
                api = server.api()
                deadline = time.monotonic() + 300
                while time.monotonic() < deadline:
                    listed = api.get("/api/v1/namespaces/default/pods").json()
                    if "items" not in listed:
                        raise RuntimeError(f"LIST pods: {str(listed)[:500]}")
                    items = listed["items"]
                    running = sum(1 for p in items if p["status"].get("phase") == "Running")
                    if running >= args.pods:
                        break
                    time.sleep(0.5)
                api.close()
                print(f"{args.pods} bound pods created in {created:.1f} s ({len(errors)} errors), all Running "
                      f"after {time.monotonic() - t0:.1f} s; server RSS {rss_mib(pid):.1f} MiB, "
                      f"sim RSS {rss_mib(sim.proc.pid):.1f} MiB")
            sim.stop()
        server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
