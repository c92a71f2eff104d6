"""Processes the node tests start beside the server: `kcpp sim` (simulated nodes)
and `kcpp controller-manager`, each logging to a temp file shown on failure."""

import os
import signal
import subprocess
import tempfile
import time


class Process:
    def __init__(self, argv, prefix):
        self.log = tempfile.NamedTemporaryFile(prefix=prefix, suffix=".log", delete=False)
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)

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


def start_sim(binary, kubeconfig, *args):
    return Process([binary, "sim", "--kubeconfig", kubeconfig, *[str(a) for a in args]], "kcpp-sim-")


def start_controller_manager(binary, kubeconfig, *args):
    return Process([binary, "controller-manager", "--kubeconfig", kubeconfig, "--no-leader-elect",
                    *[str(a) for a in args]], "kcpp-cm-")


def eventually(fn, timeout=20.0, what="condition", interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def condition(obj, kind):
    for c in obj.get("status", {}).get("conditions", []):
        if c["type"] == kind:
            return c
    return None
