#!/usr/bin/python3
"""Crash durability of kcpp: kill -9 the server under write load, restart, check every ack.

Each round: start `kcpp server` on a data dir (the same dir every round), let N client
threads create and update ConfigMaps over keep-alive HTTPS, SIGKILL the server while they
write, restart it on the same data dir and check that

  * every write the server acknowledged (2xx) is there with its content, at the latest
    acknowledged resourceVersion per object (a write that was in flight when the server
    died may or may not have landed; if it did, it must be whole);
  * no object exists that no client ever tried to write;
  * new writes get resourceVersions higher than any seen before the crash.

Usage: bench/durability.py --rounds 100 [--writers 32] [--kcpp-binary build/kcpp]
Exit status 0 when no acknowledged write was lost in any round.
"""

import argparse
import http.client
import os
import random
import shutil
import ssl
import sys
import tempfile
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "test", "e2e"))

from kcpp_harness import DEFAULT_BINARY, KcppServer, free_port, qs  # noqa: E402

NAMESPACE = "durability"
CONNECTION_ERRORS = (OSError, http.client.HTTPException, ssl.SSLError)


class Model:
    """What the clients know: the acknowledged state of every object, and in-flight writes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}     # name -> (rv, value) of the latest acknowledged write
        self.pending = {}   # name -> value of a write sent but never answered
        self.max_rv = 0     # highest resourceVersion any response carried
        self.acks = 0       # acknowledged writes this round
        self.total_acks = 0
        self.unexpected = []  # non-2xx answers to writes (should not happen)

    def owned_by(self, prefix):
        with self.lock:
            return [n for n in self.acked if n.startswith(prefix)]


class Writer(threading.Thread):
    def __init__(self, index, round_no, server, model, stop, seq):
        super().__init__(daemon=True)
        self.index = index
        self.round_no = round_no
        self.server = server
        self.model = model
        self.stop = stop
        self.seq = seq  # shared per-writer name counter, persisted across rounds
        self.prefix = f"w{index:02d}-"
        self.rng = random.Random(hash((index, round_no, time.time())))

    def run(self):
        try:
            client = self.server.api(timeout=10)
        except Exception:
            return
        own = self.model.owned_by(self.prefix)
        base = f"/api/v1/namespaces/{NAMESPACE}/configmaps"
        try:
            while not self.stop.is_set():
                self.seq[self.index] += 1
                n = self.seq[self.index]
                value = f"r{self.round_no}-w{self.index}-{n}-" + "x" * self.rng.randint(0, 300)
                if own and self.rng.random() < 0.6:
                    name = self.rng.choice(own)
                    with self.model.lock:
                        rv = self.model.acked[name][0]
                    body = {"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": name, "namespace": NAMESPACE,
                                         "resourceVersion": str(rv)},
                            "data": {"value": value}}
                    method, path = "PUT", f"{base}/{name}"
                else:
                    name = f"{self.prefix}{n}"
                    body = {"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": name, "namespace": NAMESPACE},
                            "data": {"value": value}}
                    method, path = "POST", base
                with self.model.lock:
                    self.model.pending[name] = value
                try:
                    r = client.request(method, path, body=body, retry=False)
                except CONNECTION_ERRORS:
                    return  # the server died; the write stays pending (outcome unknown)
                if 200 <= r.status < 300:
                    obj = r.json()
                    got_rv = int(obj["metadata"]["resourceVersion"])
                    with self.model.lock:
                        self.model.pending.pop(name, None)
                        self.model.acked[name] = (got_rv, obj["data"]["value"])
                        self.model.max_rv = max(self.model.max_rv, got_rv)
                        self.model.acks += 1
                        self.model.total_acks += 1
                    if obj["data"]["value"] != value:
                        with self.model.lock:
                            self.model.unexpected.append(f"{method} {name}: echoed wrong data")
                    if method == "POST":
                        own.append(name)
                else:
                    with self.model.lock:
                        self.model.pending.pop(name, None)
                        self.model.unexpected.append(f"{method} {path}: HTTP {r.status} "
                                                     f"{r.text[:300]}")
                    return
        finally:
            client.close()


def list_all(client):
    """Every ConfigMap in the namespace: (items by name, list resourceVersion)."""
    items, token, list_rv = {}, None, None
    while True:
        path = qs(f"/api/v1/namespaces/{NAMESPACE}/configmaps", limit=1000,
                  **({"continue": token} if token else {}))
        r = client.get(path)
        if r.status != 200:
            raise RuntimeError(f"list failed: {r}")
        body = r.json()
        list_rv = list_rv or int(body["metadata"]["resourceVersion"])
        for i in body["items"]:
            items[i["metadata"]["name"]] = i
        token = body["metadata"].get("continue")
        if not token:
            return items, list_rv


def verify(client, model, round_no):
    """Compare the restarted server with the model; returns a list of problems."""
    problems = []
    items, list_rv = list_all(client)
    with model.lock:
        acked = dict(model.acked)
        pending = dict(model.pending)
        max_rv = model.max_rv
    landed_unacked = 0
    for name, (rv, value) in acked.items():
        obj = items.get(name)
        if obj is None:
            problems.append(f"round {round_no}: LOST {name}: acknowledged at rv {rv}, now missing")
            continue
        got_rv = int(obj["metadata"]["resourceVersion"])
        got_value = (obj.get("data") or {}).get("value")
        if got_rv == rv and got_value == value:
            continue
        if name in pending and got_value == pending[name] and got_rv > rv:
            landed_unacked += 1
            continue
        problems.append(f"round {round_no}: STALE {name}: acknowledged rv {rv} value "
                        f"{value[:40]!r}, found rv {got_rv} value {str(got_value)[:40]!r}")
    for name, obj in items.items():
        if name in acked or name == "kube-root-ca.crt" or name.startswith("probe-"):
            continue
        got_value = (obj.get("data") or {}).get("value")
        if name in pending and got_value == pending[name]:
            landed_unacked += 1
            continue
        problems.append(f"round {round_no}: PHANTOM {name}: never acknowledged nor in flight "
                        f"(value {str(got_value)[:40]!r})")
    if list_rv < max_rv:
        problems.append(f"round {round_no}: list resourceVersion {list_rv} after restart is "
                        f"below the highest acknowledged {max_rv}")
    # A new write must get a revision above everything seen before the crash.
    r = client.post(f"/api/v1/namespaces/{NAMESPACE}/configmaps",
                    {"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": f"probe-{round_no}"}, "data": {"value": "probe"}})
    if r.status != 201:
        problems.append(f"round {round_no}: probe write failed: {r}")
    else:
        probe_rv = int(r.json()["metadata"]["resourceVersion"])
        if probe_rv <= max(max_rv, list_rv):
            problems.append(f"round {round_no}: new write got rv {probe_rv}, not above "
                            f"{max(max_rv, list_rv)} seen before")
        with model.lock:
            model.max_rv = max(model.max_rv, probe_rv)
    # Adopt the server's state (in-flight writes that landed become acknowledged).
    with model.lock:
        model.pending.clear()
        for name, obj in items.items():
            if name in acked or (name in pending and
                                 (obj.get("data") or {}).get("value") == pending[name]):
                model.acked[name] = (int(obj["metadata"]["resourceVersion"]),
                                     obj["data"]["value"])
        model.max_rv = max(model.max_rv, list_rv)
    return problems, landed_unacked, len(items)


def run(binary=DEFAULT_BINARY, rounds=5, writers=32, min_acks=64, max_extra_delay=0.6,
        work_dir=None, keep=False, log=print):
    """Run the crash rounds; returns a result dict ("problems" empty when nothing was lost)."""
    root = work_dir or tempfile.mkdtemp(prefix="kcpp-durability-")
    data_dir = os.path.join(root, "data")
    os.makedirs(data_dir, exist_ok=True)
    server = KcppServer(binary, data_dir, extra_args=["--disable-agent"],
                        log_path=os.path.join(root, "server.log"))
    model = Model()
    seq = [0] * writers
    result = {"rounds": 0, "acked_writes": 0, "landed_unacked": 0, "problems": [],
              "unexpected": [], "round_seconds": [], "objects": 0, "log": server.log_path,
              "clean_exit": None}
    failed = False
    try:
        server.start(timeout=60, port=free_port())
        client = server.api()
        r = client.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": NAMESPACE}})
        if r.status != 201:
            raise RuntimeError(f"creating namespace: {r}")
        client.close()
        for round_no in range(1, rounds + 1):
            t0 = time.monotonic()
            model.acks = 0
            stop = threading.Event()
            threads = [Writer(i, round_no, server, model, stop, seq) for i in range(writers)]
            for t in threads:
                t.start()
            deadline = time.monotonic() + 30
            while model.acks < min_acks and time.monotonic() < deadline:
                if not any(t.is_alive() for t in threads):
                    break
                time.sleep(0.005)
            time.sleep(random.uniform(0, max_extra_delay))
            acks_at_kill = model.acks
            server.kill9()
            stop.set()
            for t in threads:
                t.join(30)
            if acks_at_kill == 0:
                result["problems"].append(f"round {round_no}: no write was acknowledged")
            server.start(timeout=60, port=free_port())
            client = server.api()
            try:
                problems, landed, nobjs = verify(client, model, round_no)
            finally:
                client.close()
            with model.lock:
                result["unexpected"].extend(model.unexpected)
                model.unexpected.clear()
            result["problems"].extend(problems)
            result["landed_unacked"] += landed
            result["objects"] = nobjs
            result["rounds"] = round_no
            result["acked_writes"] = model.total_acks
            dt = time.monotonic() - t0
            result["round_seconds"].append(dt)
            log(f"round {round_no}/{rounds}: {model.acks} writes acknowledged before kill -9, "
                f"{landed} in-flight landed, {nobjs} objects, {len(problems)} problems, "
                f"{dt:.2f}s")
            if problems:
                for p in problems[:20]:
                    log("  " + p)
        result["clean_exit"] = server.stop(timeout=30)
        if result["clean_exit"] != 0:
            result["problems"].append(f"server exited {result['clean_exit']} on SIGTERM")
    except Exception as e:
        failed = True
        result["problems"].append(f"harness error: {type(e).__name__}: {e}")
        raise
    finally:
        server.cleanup()
        if result["problems"] or result["unexpected"] or failed:
            result["log_tail"] = server.log_tail(8000)
        if not keep and not work_dir:
            shutil.rmtree(root, ignore_errors=True)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--writers", type=int, default=32)
    ap.add_argument("--min-acks", type=int, default=64,
                    help="acknowledged writes per round before the kill is scheduled")
    ap.add_argument("--kcpp-binary", default=DEFAULT_BINARY)
    ap.add_argument("--keep", action="store_true", help="keep the data dir and log")
    args = ap.parse_args()
    t0 = time.monotonic()
    res = run(binary=os.path.abspath(args.kcpp_binary), rounds=args.rounds,
              writers=args.writers, min_acks=args.min_acks, keep=args.keep)
    secs = res["round_seconds"]
    print(f"\nrounds: {res['rounds']}  acknowledged writes: {res['acked_writes']}  "
          f"in-flight writes that landed: {res['landed_unacked']}  objects: {res['objects']}")
    if secs:
        print(f"round time: mean {sum(secs) / len(secs):.2f}s, max {max(secs):.2f}s; "
              f"total {time.monotonic() - t0:.1f}s")
    print(f"lost/stale/phantom writes and other problems: {len(res['problems'])}")
    for p in res["problems"][:50]:
        print("  " + p)
    if res["unexpected"]:
        print(f"unexpected write answers: {len(res['unexpected'])}")
        for u in res["unexpected"][:20]:
            print("  " + u)
    if res.get("log_tail"):
        print("--- server log tail ---\n" + res["log_tail"])
    return 0 if not res["problems"] and not res["unexpected"] else 1


if __name__ == "__main__":
    sys.exit(main())
