"""kill -9 under write load loses no acknowledged write (driver: bench/durability.py)."""

import importlib.util
import os

from kcpp_harness import REPO_ROOT


def load_bench():
    path = os.path.join(REPO_ROOT, "bench", "durability.py")
    spec = importlib.util.spec_from_file_location("kcpp_bench_durability", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_acknowledged_writes_survive_kill_9(kcpp_binary):
    bench = load_bench()
    lines = []
    res = bench.run(binary=kcpp_binary, rounds=10, writers=32, min_acks=64,
                    log=lines.append)
    report = "\n".join(lines)
    detail = (f"{report}\nproblems: {res['problems'][:30]}\nunexpected: {res['unexpected'][:10]}"
              f"\nserver log tail:\n{res.get('log_tail', '')}")
    assert res["rounds"] == 10, detail
    assert res["acked_writes"] >= 10 * 64, detail
    assert not res["unexpected"], detail
    assert not res["problems"], detail
    assert res["clean_exit"] == 0, detail
