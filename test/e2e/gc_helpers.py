"""Shared by the garbage collector and namespace controller e2e tests: a
`kcpp controller-manager` process and polling."""

import json
import time

from sim_harness import start_controller_manager


def ControllerManager(binary, kubeconfig, extra=()):
    """`kcpp controller-manager` (no leader election) with `extra` flags."""
    return start_controller_manager(binary, kubeconfig, *extra)


def eventually(fn, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def get_json(kubectl, *args):
    """`kubectl get ... -o json` as a dict, or None when not found."""
    p = kubectl("get", *args, "-o", "json", check=False)
    if p.returncode != 0:
        assert "NotFound" in p.stderr or "not found" in p.stderr, p.stderr
        return None
    return json.loads(p.stdout)
