"""Secrets are encrypted at rest (AES-GCM, key in <data-dir>/server/cred/encryption-config.json):
no secret value reaches the datastore's files, they read back after a restart, and a
rotation (--secrets-encryption-rotate) rewrites them with the new key."""

import base64
import json
import os
import sqlite3
import stat

import pytest

from conftest import start_server, unique


@pytest.fixture
def fresh(kcpp_binary, kubectl_binary):
    handle, finish = start_server(kcpp_binary, kubectl_binary, ["--disable-agent"])
    yield handle
    finish()


def db_bytes(data_dir):
    out = b""
    base = os.path.join(data_dir, "server", "db", "state.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(base + suffix):
            with open(base + suffix, "rb") as f:
                out += f.read()
    return out


def latest_value(data_dir, key):
    db = sqlite3.connect(os.path.join(data_dir, "server", "db", "state.db"))
    try:
        row = db.execute("SELECT value FROM kv WHERE key = ? ORDER BY rev DESC LIMIT 1",
                         (key.encode(),)).fetchone()
        if row is None:
            row = db.execute("SELECT value FROM kv WHERE key = ? ORDER BY rev DESC LIMIT 1",
                             (key,)).fetchone()
    finally:
        db.close()
    assert row is not None, f"no row for {key}"
    return bytes(row[0]) if not isinstance(row[0], str) else row[0].encode()


def read_secret(handle, name, field="password"):
    p = handle.kubectl("get", "secret", name, "-n", "default", "-o",
                       "jsonpath={.data." + field + "}")
    return base64.b64decode(p.stdout).decode()


def test_secret_values_never_reach_the_datastore(fresh):
    data_dir = fresh.server.data_dir
    secret_value = unique("s3cr3t-value")
    config_value = unique("plain-config-value")
    name = unique("enc")
    fresh.kubectl("create", "secret", "generic", name, "-n", "default",
                  f"--from-literal=password={secret_value}")
    fresh.kubectl("create", "configmap", name, "-n", "default",
                  f"--from-literal=key={config_value}")
    assert read_secret(fresh, name) == secret_value

    key_file = os.path.join(data_dir, "server", "cred", "encryption-config.json")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    config = json.load(open(key_file))
    assert config["kind"] == "EncryptionConfiguration"
    keys = config["resources"][0]["providers"][0]["aesgcm"]["keys"]
    assert [k["name"] for k in keys] == ["key1"]
    assert len(base64.b64decode(keys[0]["secret"])) == 32

    assert fresh.server.stop() == 0
    raw = db_bytes(data_dir)
    assert config_value.encode() in raw, "the configmap (not encrypted) should be in the db"
    assert secret_value.encode() not in raw
    assert base64.b64encode(secret_value.encode()) not in raw
    stored = latest_value(data_dir, f"/registry/secrets/default/{name}")
    assert stored.startswith(b"k8s:enc:aesgcm:v1:key1:"), stored[:40]

    fresh.server.start()
    assert read_secret(fresh, name) == secret_value
    # Updates are encrypted too.
    new_value = unique("rotated-value")
    fresh.kubectl("patch", "secret", name, "-n", "default", "--type=merge", "-p",
                  json.dumps({"stringData": {"password": new_value}}))
    assert read_secret(fresh, name) == new_value
    assert fresh.server.stop() == 0
    raw = db_bytes(data_dir)
    assert new_value.encode() not in raw
    assert base64.b64encode(new_value.encode()) not in raw
    fresh.server.start()


def test_rotation_and_plaintext_migration(fresh):
    data_dir = fresh.server.data_dir
    server = fresh.server
    old_name, plain_name = unique("old"), unique("plain")
    fresh.kubectl("create", "secret", "generic", old_name, "-n", "default",
                  "--from-literal=password=before-rotation")
    assert server.stop() == 0

    # Encryption off: new secrets are written in plaintext, encrypted ones still read.
    server.extra_args = ["--disable-agent", "--no-secrets-encryption"]
    server.start()
    assert read_secret(fresh, old_name) == "before-rotation"
    fresh.kubectl("create", "secret", "generic", plain_name, "-n", "default",
                  "--from-literal=password=written-in-plaintext")
    assert server.stop() == 0
    assert latest_value(data_dir, f"/registry/secrets/default/{plain_name}").startswith(b"{")
    assert latest_value(data_dir, f"/registry/secrets/default/{old_name}").startswith(b"{"), \
        "turning encryption off rewrites encrypted secrets in plaintext"

    # Rotation: a new write key; every secret is rewritten with it on start.
    server.extra_args = ["--disable-agent", "--secrets-encryption-rotate"]
    server.start()
    assert read_secret(fresh, old_name) == "before-rotation"
    assert read_secret(fresh, plain_name) == "written-in-plaintext"
    assert server.stop() == 0
    for name in (old_name, plain_name):
        stored = latest_value(data_dir, f"/registry/secrets/default/{name}")
        assert stored.startswith(b"k8s:enc:aesgcm:v1:key2:"), stored[:40]
    key_file = os.path.join(data_dir, "server", "cred", "encryption-config.json")
    keys = json.load(open(key_file))["resources"][0]["providers"][0]["aesgcm"]["keys"]
    assert [k["name"] for k in keys] == ["key2", "key1"]

    # Back to the default flags: the key file is kept, nothing is rewritten again.
    server.extra_args = ["--disable-agent"]
    server.start()
    assert read_secret(fresh, old_name) == "before-rotation"
    keys = json.load(open(key_file))["resources"][0]["providers"][0]["aesgcm"]["keys"]
    assert [k["name"] for k in keys] == ["key2", "key1"]
