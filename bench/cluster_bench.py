#!/usr/bin/python3
"""Cluster scale: one Deployment scaled to P pods on N simulated nodes, end to end.

Starts a fresh `kcpp server` (controller-manager and scheduler embedded) on a
free port and a temp data dir, `kcpp sim --nodes N --pod-start-delay 0s`, then
with the real kubectl: `create deployment web --image=nginx --replicas=1`, waits
for it, and times `kubectl scale deployment web --replicas=P` until P pods are
Running. Progress is read cheaply every 0.25 s from the ReplicaSet's and the
Deployment's status (replicas = pods created, readyReplicas = pods Running and
Ready as the sim posts them; readiness has no delay), and the end is checked with
one LIST of Running pods. With --deployments D the P pods are split over D
Deployments scaled at once.

Prints, per run: seconds to all created / all Running, the server's and the
sim's CPU seconds during the scale, the server's VmRSS and VmHWM once all are
Running, the sim's RSS; then the medians.

Usage: bench/cluster_bench.py [--pods 10000] [--nodes 100] [--runs 3] [--deployments 1]
       [--sim-qps 5000]    (100 kubelets at upstream's 50 QPS each would be 5000)
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "e2e"))

from kcpp_harness import DEFAULT_BINARY, KcppServer, newest_kubectl  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def proc_status_mib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def thread_cpu(pid):
    """{name/tid: CPU seconds} for each thread of pid."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            out[f"{name}/{tid}"] = cpu_seconds(f"{pid}/task/{tid}")
        except OSError:
            pass
    return out


def thread_roles(pid):
    """{tid: the outermost kcpp function on its stack} from one gdb snapshot (best effort)."""
    try:
        out = subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt 40"],
                             capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    roles, tid = {}, None
    for line in out.splitlines():
        m = re.match(r"Thread \d+ \(Thread 0x[0-9a-f]+ \(LWP (\d+)\)", line)
        if m:
            tid = m.group(1)
            continue
        m = re.search(r" in (kcpp::[\w:]+)", line)
        if tid and m:
            roles[tid] = m.group(1)  # the last kcpp frame seen is the outermost
    return roles


def kubectl(kc, kubeconfig, *args):
    out = subprocess.run([kc, "--kubeconfig", kubeconfig, *args], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {out.stderr}")
    return out.stdout


def wait_sim_ready(log_path, proc, nodes, timeout=600):
    deadline = time.monotonic() + timeout
    needle = f"all {nodes} nodes registered"
    while True:
        with open(log_path) as f:
            if needle in f.read():
                return
        if time.monotonic() > deadline or proc.poll() is not None:
            with open(log_path) as f:
                raise RuntimeError(f"sim: no '{needle}'; log:\n{f.read()[-3000:]}")
        time.sleep(0.1)


def deployment_counts(api, names):
    """(pods created, pods ready) summed over the Deployments' ReplicaSets and the Deployments."""
    created = ready = 0
    rs = api.get("/apis/apps/v1/namespaces/default/replicasets").json()
    if rs.get("kind") == "Status":
        return None  # e.g. 429 under load: ask again at the next tick
    for item in rs.get("items", []):
        created += item.get("status", {}).get("replicas", 0)
    for name in names:
        d = api.get(f"/apis/apps/v1/namespaces/default/deployments/{name}").json()
        if d.get("kind") == "Status":
            return None
        ready += d.get("status", {}).get("readyReplicas", 0)
    return created, ready


def running_pods(api):
    listed = api.get("/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning").json()
    return len(listed["items"])


def one_run(args, kc, run):
    root = tempfile.mkdtemp(prefix="kcpp-cluster-bench-")
    sim = None
    server = None
    try:
        data = os.path.join(root, "data")
        os.makedirs(data)
        server = KcppServer(args.kcpp_binary, data, extra_args=["--disable-agent"])
        server.start()
        spid = server.proc.pid
        sim_log = os.path.join(root, "sim.log")
        with open(sim_log, "w") as log:
            sim = subprocess.Popen([args.kcpp_binary, "sim", "--kubeconfig", server.kubeconfig_path,
                                    "--nodes", str(args.nodes), "--pod-start-delay", "0s",
                                    "--kube-api-qps", str(args.sim_qps), "--kube-api-burst", str(args.sim_qps * 2),
                                    "--stats-interval", "5s"],
                                   stdout=log, stderr=subprocess.STDOUT)
        wait_sim_ready(sim_log, sim, args.nodes)
        names = [f"web-{i}" if args.deployments > 1 else "web" for i in range(args.deployments)]
        for name in names:
            kubectl(kc, server.kubeconfig_path, "create", "deployment", name, "--image=nginx", "--replicas=1")
        for name in names:
            kubectl(kc, server.kubeconfig_path, "rollout", "status", f"deployment/{name}", "--timeout=120s")
        api = server.api(timeout=120)
        per = [args.pods // args.deployments + (1 if i < args.pods % args.deployments else 0)
               for i in range(args.deployments)]
        cpu0, simcpu0, threads0 = cpu_seconds(spid), cpu_seconds(sim.pid), thread_cpu(spid)
        t0 = time.monotonic()
        perf = None
        if args.perf:
            perf = subprocess.Popen(["perf", "record", "-F", "200", "--call-graph", "dwarf,16384", "-p", str(spid),
                                     "-o", args.perf, "--", "sleep", "6"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name, replicas in zip(names, per):
            kubectl(kc, server.kubeconfig_path, "scale", f"deployment/{name}", f"--replicas={replicas}")
        all_created = None
        deadline = t0 + args.timeout
        last_print = t0
        while True:
            counts = deployment_counts(api, names)
            now = time.monotonic()
            if counts is None:
                if now > deadline:
                    raise RuntimeError(f"timeout: the server kept answering with a Status after {now - t0:.1f} s")
                time.sleep(0.25)
                continue
            created, ready = counts
            if all_created is None and created >= args.pods:
                all_created = now - t0
            if ready >= args.pods:
                break
            if now > deadline:
                raise RuntimeError(f"timeout: {created} created, {ready} ready after {now - t0:.1f} s")
            if args.verbose and now - last_print >= 2:
                print(f"  t={now - t0:5.1f}s created {created} ready {ready}", flush=True)
                last_print = now
            time.sleep(0.25)
        all_running = time.monotonic() - t0
        server_cpu = cpu_seconds(spid) - cpu0
        sim_cpu = cpu_seconds(sim.pid) - simcpu0
        threads = thread_cpu(spid)
        if perf is not None:
            perf.wait(timeout=120)
        running = running_pods(api)
        result = {
            "created": all_created, "running": all_running, "server_cpu": server_cpu, "sim_cpu": sim_cpu,
            "rss": proc_status_mib(spid, "VmRSS"), "hwm": proc_status_mib(spid, "VmHWM"),
            "sim_rss": proc_status_mib(sim.pid, "VmRSS"), "listed_running": running,
        }
        api.close()
        print(f"run {run}: {args.pods} pods created in {all_created:.2f} s, all Running in {all_running:.2f} s "
              f"(LIST Running: {running}); CPU during scale: server {server_cpu:.1f} s, sim {sim_cpu:.1f} s; "
              f"server VmRSS {result['rss']:.0f} MiB (VmHWM {result['hwm']:.0f} MiB), "
              f"sim RSS {result['sim_rss']:.0f} MiB", flush=True)
        if args.verbose:
            roles = thread_roles(spid)
            spent = sorted(((v - threads0.get(k, 0), k) for k, v in threads.items()), reverse=True)
            print("  server CPU by thread: " + ", ".join(
                f"{k} ({roles.get(k.split('/')[1], '?')}) {v:.1f} s" for v, k in spent[:8]))
        return result
    finally:
        if sim is not None and sim.poll() is None:
            sim.send_signal(signal.SIGTERM)
            try:
                sim.wait(timeout=30)
            except subprocess.TimeoutExpired:
                sim.kill()
                sim.wait()
        if server is not None:
            server.stop(timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcpp-binary", default=DEFAULT_BINARY)
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--deployments", type=int, default=1)
    ap.add_argument("--sim-qps", type=int, default=5000)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--verbose", action="store_true", help="progress, and server CPU by thread")
    ap.add_argument("--perf", help="perf record (DWARF call graphs) the server for the first 6 s of the scale into this file")
    args = ap.parse_args()
    kc = newest_kubectl()
    results = [one_run(args, kc, run + 1) for run in range(args.runs)]

    def med(key):
        return statistics.median(r[key] for r in results)
    print(f"median of {len(results)}: {args.pods} pods on {args.nodes} sim nodes, kubectl scale -> all Running "
          f"{med('running'):.2f} s (created {med('created'):.2f} s); server CPU {med('server_cpu'):.1f} s, "
          f"sim CPU {med('sim_cpu'):.1f} s; server VmRSS {med('rss'):.0f} MiB, VmHWM {med('hwm'):.0f} MiB; "
          f"sim RSS {med('sim_rss'):.0f} MiB")


if __name__ == "__main__":
    main()
