"""Fixtures for kcpp's black-box tests: a real server process, real kubectl, raw HTTPS."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kcpp_harness import DEFAULT_BINARY, KcppServer, newest_kubectl  # noqa: E402

# Servers alive right now; their logs are attached to any failing test's report.
_live_servers = []


def pytest_addoption(parser):
    parser.addoption("--kcpp-binary", default=os.environ.get("KCPP_BINARY", DEFAULT_BINARY),
                     help="the kcpp binary under test (default build/kcpp)")
    parser.addoption("--kubectl", default=os.environ.get("KUBECTL"),
                     help="kubectl to use (default: newest /usr/lib/google-cloud-sdk/bin/kubectl.1.*)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for server in list(_live_servers):
            rep.sections.append((f"kcpp server log ({server.log_path})", server.log_tail()))


@pytest.fixture(scope="session")
def kcpp_binary(request):
    path = os.path.abspath(request.config.getoption("--kcpp-binary"))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"kcpp binary not found or not executable: {path} (build it first)")
    return path


@pytest.fixture(scope="session")
def kubectl_binary(request):
    path = request.config.getoption("--kubectl") or newest_kubectl()
    if not path:
        pytest.fail("no kubectl found")
    return path


class ServerHandle:
    """A started server plus what tests need to reach it."""

    def __init__(self, server, kubectl_binary, home):
        self.server = server
        self.kubectl_binary = kubectl_binary
        self.home = home

    @property
    def kubeconfig_path(self):
        return self.server.kubeconfig_path

    def api(self, client_cert=True, timeout=30.0):
        return self.server.api(client_cert=client_cert, timeout=timeout)

    def kubectl_env(self):
        env = dict(os.environ)
        env["KUBECONFIG"] = self.kubeconfig_path
        env["HOME"] = self.home  # private discovery/http cache per server
        return env

    def kubectl_cmd(self, *args):
        return [self.kubectl_binary, "--kubeconfig", self.kubeconfig_path] + [str(a) for a in args]

    def kubectl(self, *args, input=None, check=True, timeout=60):
        cmd = self.kubectl_cmd(*args)
        try:
            p = subprocess.run(cmd, input=input, capture_output=True, text=True,
                               timeout=timeout, env=self.kubectl_env())
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"kubectl timed out after {timeout}s: {' '.join(cmd)}\n"
                                 f"stdout: {e.stdout}\nstderr: {e.stderr}")
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl failed (rc={p.returncode}): {' '.join(cmd[3:])}\n"
                                 f"stdout: {p.stdout}\nstderr: {p.stderr}")
        return p

    def popen_kubectl(self, *args, **kw):
        return subprocess.Popen(self.kubectl_cmd(*args), env=self.kubectl_env(), text=True, **kw)


def start_server(kcpp_binary, kubectl_binary, extra_args=()):
    """Start a server in a fresh temp dir; returns (handle, finalizer)."""
    root = tempfile.mkdtemp(prefix="kcpp-e2e-")
    data_dir = os.path.join(root, "data")
    home = os.path.join(root, "home")
    os.makedirs(data_dir)
    os.makedirs(home)
    server = KcppServer(kcpp_binary, data_dir, extra_args=extra_args,
                        log_path=os.path.join(root, "server.log"))
    _live_servers.append(server)

    def finish():
        rc = None
        try:
            rc = server.stop(timeout=30)
        finally:
            log = server.log_tail()
            _live_servers.remove(server)
            server.cleanup()
            shutil.rmtree(root, ignore_errors=True)
        assert rc == 0, f"kcpp server did not exit cleanly on SIGTERM (rc={rc}); log:\n{log}"

    try:
        server.start(timeout=60)
        if "--disable-controller-manager" not in extra_args:
            _wait_for_default_account(server, "default")
    except Exception:
        _live_servers.remove(server)
        server.cleanup()
        log = server.log_tail()
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"kcpp server failed to start; log:\n{log}")
    return ServerHandle(server, kubectl_binary, home), finish


def _wait_for_default_account(server, namespace, timeout=30.0):
    """As upstream's e2e framework: a namespace is usable for pods once the
    controller-manager has given it its default ServiceAccount."""
    client = server.api()
    try:
        deadline = time.monotonic() + timeout
        path = f"/api/v1/namespaces/{namespace}/serviceaccounts/default"
        while client.get(path).status != 200:
            if time.monotonic() > deadline:
                raise AssertionError(f"no default ServiceAccount in {namespace} after {timeout}s")
            time.sleep(0.05)
    finally:
        client.close()


def server_without(kcpp_binary, kubectl_binary, *disabled):
    """A module's server without some of its embedded components
    ("controller-manager", "scheduler"), for tests that run or play those
    themselves; a generator for a fixture to `yield from`."""
    flags = ["--disable-agent"] + [f"--disable-{c}" for c in disabled]
    handle, finish = start_server(kcpp_binary, kubectl_binary, flags)
    yield handle
    finish()


@pytest.fixture(scope="module")
def server(kcpp_binary, kubectl_binary):
    """A kcpp server for the whole test module (no node agent: pods stay Pending)."""
    handle, finish = start_server(kcpp_binary, kubectl_binary, ["--disable-agent"])
    yield handle
    finish()


@pytest.fixture(scope="module")
def kubectl(server):
    """kubectl(*args, input=None, check=True, timeout=60) -> CompletedProcess (text)."""
    return server.kubectl


@pytest.fixture(scope="module")
def api(server):
    """Raw HTTPS client authenticated with the kubeconfig's client certificate."""
    client = server.api()
    yield client
    client.close()


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def namespace(api):
    """A fresh namespace for one test."""
    name = unique("e2e")
    r = api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                         "metadata": {"name": name}})
    assert r.status == 201, f"creating namespace {name}: {r}"
    # With a controller-manager running (holding its lease), pods can be made
    # once the namespace has its default ServiceAccount, as upstream's e2e waits.
    lease = api.get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager")
    if lease.status == 200 and lease.json().get("spec", {}).get("holderIdentity"):
        deadline = time.monotonic() + 10
        while api.get(f"/api/v1/namespaces/{name}/serviceaccounts/default").status != 200:
            assert time.monotonic() < deadline, f"no default ServiceAccount in {name}"
            time.sleep(0.02)
    return name
