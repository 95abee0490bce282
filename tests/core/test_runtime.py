"""The thread policy: threads x concurrent inferences never exceed the cores."""

from __future__ import annotations

import threading
import time

import pytest
import threadpoolctl
import torch

from viz.core import runtime


@pytest.mark.parametrize("cores", [1, 2, 3, 4, 8, 16, 64])
@pytest.mark.parametrize("threads", [None, 1, 2, 3, 100])
def test_bound_holds_for_any_machine(cores, threads):
    policy = runtime.make_policy(cores=cores, threads=threads)
    assert policy.threads_per_inference * policy.slots <= cores
    assert policy.slots >= 1 and policy.threads_per_inference >= 1


def test_two_core_default_serves_two_students_on_one_thread_each():
    policy = runtime.make_policy(cores=2)
    assert (policy.threads_per_inference, policy.slots) == (1, 2)


def test_policy_rejects_oversubscription():
    with pytest.raises(ValueError):
        runtime.ThreadPolicy(cores=2, threads_per_inference=2, slots=2)


def test_env_var(monkeypatch):
    monkeypatch.setenv("VIZ_THREADS", "4")
    assert runtime.make_policy(cores=16).threads_per_inference == 4


def test_slots_bound_concurrency_and_torch_threads():
    original = torch.get_num_threads()
    policy = runtime.configure(runtime.ThreadPolicy(cores=4, threads_per_inference=2, slots=2))
    try:
        assert torch.get_num_threads() == 2
        blas = [info for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]
        assert blas and all(info["num_threads"] == 1 for info in blas)  # numpy's BLAS: one thread per call
        running, peak, lock = [0], [0], threading.Lock()

        def work():
            with runtime.inference_slot():
                with lock:
                    running[0] += 1
                    peak[0] = max(peak[0], running[0])
                time.sleep(0.02)
                with lock:
                    running[0] -= 1

        workers = [threading.Thread(target=work) for _ in range(12)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert peak[0] == policy.slots
        assert peak[0] * torch.get_num_threads() <= policy.cores
    finally:
        runtime.configure()
        torch.set_num_threads(original)


def test_trace_sentence_runs_inside_a_slot(monkeypatch):
    """Concurrent traces never exceed the slots (the model call holds one)."""
    from viz import trace_sentence

    runtime.configure(runtime.ThreadPolicy(cores=2, threads_per_inference=1, slots=1))
    entered = []
    real = runtime.inference_slot

    class Counting:
        def __enter__(self):
            entered.append(1)
            self.inner = real()
            return self.inner.__enter__()

        def __exit__(self, *exc):
            return self.inner.__exit__(*exc)

    import viz.trace.common as trace_module

    monkeypatch.setattr(trace_module, "inference_slot", lambda: Counting())
    results = []
    threads = [threading.Thread(target=lambda: results.append(trace_sentence("a b c"))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(entered) == 3 and len(results) == 3
    runtime.configure()


def test_cores_follow_the_container_quota_and_the_override(tmp_path, monkeypatch):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("100000 100000\n")
    assert runtime._cgroup_cores(str(cpu_max)) == 1
    cpu_max.write_text("max 100000\n")
    assert runtime._cgroup_cores(str(cpu_max)) is None
    assert runtime._cgroup_cores(str(tmp_path / "absent")) is None
    monkeypatch.setattr(runtime, "_cgroup_cores", lambda: 1)
    assert runtime.available_cores() == 1  # a replica given one CPU serves one inference at a time
    monkeypatch.setenv(runtime.ENV_CORES, "3")
    assert runtime.available_cores() == 3 and runtime.make_policy().slots == 3
