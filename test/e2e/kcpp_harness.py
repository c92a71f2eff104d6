"""Black-box harness for kcpp: start/stop the real server, talk to it over HTTPS.

Shared by the pytest suite (conftest.py) and the benchmark scripts in bench/.
Only the Python standard library and PyYAML are used.
"""

import base64
import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_BINARY = os.path.join(REPO_ROOT, "build", "kcpp")


def newest_kubectl():
    """The newest /usr/lib/google-cloud-sdk/bin/kubectl.1.N, else kubectl on PATH."""
    found = []
    for path in glob.glob("/usr/lib/google-cloud-sdk/bin/kubectl.1.*"):
        m = re.search(r"kubectl\.(\d+)\.(\d+)$", path)
        if m and os.access(path, os.X_OK):
            found.append(((int(m.group(1)), int(m.group(2))), path))
    if found:
        return max(found)[1]
    return shutil.which("kubectl")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Kubeconfig:
    """The parts of a kubeconfig a raw client needs, materialised as files."""

    def __init__(self, path, files_dir):
        with open(path) as f:
            cfg = yaml.safe_load(f)
        ctx_name = cfg.get("current-context")
        contexts = {c["name"]: c["context"] for c in cfg.get("contexts", [])}
        ctx = contexts[ctx_name] if ctx_name in contexts else cfg["contexts"][0]["context"]
        cluster = {c["name"]: c["cluster"] for c in cfg["clusters"]}[ctx["cluster"]]
        user = {u["name"]: u["user"] for u in cfg["users"]}[ctx["user"]]
        self.path = path
        self.server = cluster["server"]
        url = urllib.parse.urlsplit(self.server)
        self.host = url.hostname
        self.port = url.port or 443
        os.makedirs(files_dir, exist_ok=True)
        self.ca_file = os.path.join(files_dir, "ca.crt")
        self.cert_file = os.path.join(files_dir, "client.crt")
        self.key_file = os.path.join(files_dir, "client.key")
        for dest, data in ((self.ca_file, cluster["certificate-authority-data"]),
                           (self.cert_file, user["client-certificate-data"]),
                           (self.key_file, user["client-key-data"])):
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(base64.b64decode(data))

    def ssl_context(self, client_cert=True):
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
        if client_cert:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"HTTP {self.status} body is not JSON ({e}): {self.text[:2000]!r}")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return f"<HTTP {self.status} {self.text[:1500]}>"


def qs(path, **params):
    """path?params, dropping None values; True/False become "true"/"false"."""
    items = []
    for k, v in params.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        items.append((k, str(v)))
    if not items:
        return path
    sep = "&" if "?" in path else "?"
    return path + sep + urllib.parse.urlencode(items)


class ApiClient:
    """A small HTTPS client over one keep-alive connection (not thread-safe)."""

    def __init__(self, host, port, ssl_context, timeout=30.0):
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.timeout = timeout
        self._conn = None

    def _connection(self):
        if self._conn is None:
            self._conn = http.client.HTTPSConnection(
                self.host, self.port, context=self.ssl_context, timeout=self.timeout)
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @staticmethod
    def _encode(body, content_type):
        if body is None:
            return None, content_type
        if isinstance(body, (dict, list)):
            return json.dumps(body).encode(), content_type or "application/json"
        if isinstance(body, str):
            return body.encode(), content_type or "application/json"
        return body, content_type or "application/json"

    def request(self, method, path, body=None, content_type=None, headers=None, retry=True):
        data, ctype = self._encode(body, content_type)
        hdrs = {"Accept": "application/json"}
        if ctype:
            hdrs["Content-Type"] = ctype
        hdrs.update(headers or {})
        attempts = 2 if retry else 1
        for attempt in range(attempts):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=hdrs)
                resp = conn.getresponse()
                payload = resp.read()
                if resp.will_close:
                    self.close()
                return Response(resp.status, resp.reason, resp.getheaders(), payload)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    http.client.CannotSendRequest, http.client.BadStatusLine, ssl.SSLEOFError):
                self.close()
                if attempt + 1 == attempts:
                    raise
        raise AssertionError("unreachable")

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", path, body=body, **kw)

    def patch(self, path, body, content_type="application/merge-patch+json", **kw):
        return self.request("PATCH", path, body=body, content_type=content_type, **kw)

    def delete(self, path, body=None, **kw):
        return self.request("DELETE", path, body=body, **kw)

    def watch(self, path, timeout=15.0, **params):
        """Open a watch stream on a fresh connection: returns a WatchStream."""
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ssl_context,
                                           timeout=timeout)
        full = qs(path, watch="true", **params)
        conn.request("GET", full, headers={"Accept": "application/json"})
        resp = conn.getresponse()
        return WatchStream(conn, resp)


class WatchStream:
    """Newline-delimited JSON watch events from a streaming response."""

    def __init__(self, conn, resp):
        self.conn = conn
        self.resp = resp
        self.status = resp.status

    def body(self):
        return self.resp.read()

    def next_event(self, timeout=None):
        """The next event (dict), None at end of stream; raises socket.timeout."""
        if timeout is not None:
            self.conn.sock.settimeout(timeout)
        while True:
            line = self.resp.readline()
            if not line:
                return None
            line = line.strip()
            if line:
                return json.loads(line)

    def events_until(self, predicate, timeout=10.0):
        """Read events until predicate(event) holds; returns all events read."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"watch: condition not met within {timeout}s; events: {seen}")
            try:
                ev = self.next_event(timeout=left)
            except (socket.timeout, TimeoutError):
                raise AssertionError(f"watch: condition not met within {timeout}s; events: {seen}")
            if ev is None:
                raise AssertionError(f"watch ended before condition met; events: {seen}")
            seen.append(ev)
            if predicate(ev):
                return seen

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ServerError(Exception):
    pass


class KcppServer:
    """One kcpp server process on a data dir; can be stopped, killed and restarted."""

    def __init__(self, binary, data_dir, extra_args=(), log_path=None, port=None):
        self.binary = os.path.abspath(binary)
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.log_path = log_path or os.path.join(data_dir, "kcpp-server.log")
        self.port = port
        self.proc = None
        self.kubeconfig_path = os.path.join(data_dir, "kubeconfig.yaml")
        self.kubeconfig = None
        self._files_dir = tempfile.mkdtemp(prefix="kcpp-client-")
        self.starts = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, timeout=60.0, port=None):
        if port is not None:
            self.port = port
        if self.port is None:
            self.port = free_port()
        args = [self.binary, "server", "--data-dir", self.data_dir,
                "--bind-address", "127.0.0.1", "--https-listen-port", str(self.port),
                "--write-kubeconfig", self.kubeconfig_path] + self.extra_args
        log = open(self.log_path, "ab")
        log.write(f"\n===== start #{self.starts + 1}: {' '.join(args)}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     cwd=self.data_dir)
        log.close()
        self.starts += 1
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        last_error = "kubeconfig not written yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"kcpp server exited with {self.proc.returncode} before ready;"
                                  f" log:\n{self.log_tail()}")
            if os.path.exists(self.kubeconfig_path):
                try:
                    kc = Kubeconfig(self.kubeconfig_path, self._files_dir)
                    conn = http.client.HTTPSConnection(
                        kc.host, kc.port, context=kc.ssl_context(client_cert=True), timeout=2)
                    try:
                        conn.request("GET", "/readyz")
                        resp = conn.getresponse()
                        body = resp.read()
                    finally:
                        conn.close()
                    if resp.status == 200:
                        self.kubeconfig = kc
                        return
                    last_error = f"/readyz: {resp.status} {body[:200]!r}"
                except (OSError, ssl.SSLError, http.client.HTTPException, KeyError,
                        TypeError, yaml.YAMLError) as e:
                    last_error = f"{type(e).__name__}: {e}"
            time.sleep(0.05)
        raise ServerError(f"kcpp server not ready within {timeout}s ({last_error}); log:\n"
                          f"{self.log_tail()}")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30.0):
        """SIGTERM and wait; returns the exit code (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.proc = None
                return None
        rc = self.proc.returncode
        self.proc = None
        return rc

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        shutil.rmtree(self._files_dir, ignore_errors=True)

    # -- clients ---------------------------------------------------------------------------
    def api(self, client_cert=True, timeout=30.0):
        kc = self.kubeconfig
        return ApiClient(kc.host, kc.port, kc.ssl_context(client_cert=client_cert), timeout)

    def log_tail(self, max_bytes=20000):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - max_bytes))
                return f.read().decode("utf-8", "replace")
        except OSError as e:
            return f"(no log: {e})"
