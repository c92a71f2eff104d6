"""Shared by the garbage collector and namespace controller e2e tests: a
`kcpp controller-manager` process and polling."""

import json
import os
import signal
import subprocess
import tempfile
import time


class ControllerManager:
    def __init__(self, binary, kubeconfig, extra=()):
        self.log = tempfile.NamedTemporaryFile(prefix="kcpp-cm-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([binary, "controller-manager", "--kubeconfig", kubeconfig,
                                      "--no-leader-elect", *extra],
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def text(self):
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode

    def close(self):
        self.stop()
        os.unlink(self.log.name)


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
