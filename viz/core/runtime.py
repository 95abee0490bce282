"""Thread policy for a shared server: torch intra-op threads x concurrent inferences <= cores.

Every model call in ``viz`` runs inside :func:`inference_slot`. The number of slots is
``cores // threads_per_inference``, so however many students rerun at once, at most that many forward
passes run together, each on ``threads_per_inference`` threads, and the machine is never oversubscribed
(oversubscribed torch threads spin and slow everyone down). Others wait their turn in the semaphore.

``VIZ_THREADS`` sets the threads per inference; by default 1 on machines of up to 3 cores (two students
are served at once on a 2-core laptop), else half the cores (two large inferences at once). The cores are
the process's CPU affinity or its container's CPU quota, whichever is fewer, or ``VIZ_CORES`` (replicas
sharing a machine give each its share).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading

import torch
from threadpoolctl import threadpool_limits

ENV_THREADS = "VIZ_THREADS"


ENV_CORES = "VIZ_CORES"
CGROUP_CPU_MAX = "/sys/fs/cgroup/cpu.max"


def _cgroup_cores(path: str = CGROUP_CPU_MAX) -> int | None:
    """The cores a cgroup v2 CPU quota allows ("200000 100000": 2), None without a quota."""
    try:
        quota, period = open(path, encoding="ascii").read().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return max(1, int(int(quota) / int(period)))


def available_cores() -> int:
    """The cores this process may use: ``VIZ_CORES`` if set, else the fewer of its CPU affinity and its
    container's CPU quota (a replica limited to 1 CPU still sees every core of the host in its affinity)."""
    env = os.environ.get(ENV_CORES, "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cores = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        cores = max(1, os.cpu_count() or 1)
    quota = _cgroup_cores()
    return min(cores, quota) if quota else cores


@dataclasses.dataclass(frozen=True)
class ThreadPolicy:
    cores: int
    threads_per_inference: int
    slots: int

    def __post_init__(self) -> None:
        if self.threads_per_inference * self.slots > self.cores:
            raise ValueError(
                f"{self.threads_per_inference} threads x {self.slots} slots exceed {self.cores} cores"
            )


def make_policy(cores: int | None = None, threads: int | None = None) -> ThreadPolicy:
    cores = cores or available_cores()
    if threads is None:
        env = os.environ.get(ENV_THREADS, "").strip()
        threads = int(env) if env.isdigit() and int(env) > 0 else (1 if cores <= 3 else cores // 2)
    threads = max(1, min(threads, cores))
    return ThreadPolicy(cores=cores, threads_per_inference=threads, slots=max(1, cores // threads))


_held = threading.local()  # how many slots this thread holds (nested calls hold one)
_lock = threading.Lock()
_first_use = threading.Lock()
_policy: ThreadPolicy | None = None
_semaphore: threading.BoundedSemaphore | None = None


def configure(policy: ThreadPolicy | None = None) -> ThreadPolicy:
    """Apply a policy: set torch's intra-op threads and size the slots. Returns the policy in force."""
    global _policy, _semaphore
    with _lock:
        _policy = policy or make_policy()
        torch.set_num_threads(_policy.threads_per_inference)
        # numpy's BLAS (the small PCAs of the layer-wise and vision pages) runs in each session's own thread,
        # outside the slots; with OpenBLAS's default pool per call, a few concurrent PCAs oversubscribed the
        # cores. One BLAS thread per call: the matrices are small, and the server's work stays in torch.
        threadpool_limits(limits=1, user_api="blas")
        _semaphore = threading.BoundedSemaphore(_policy.slots)
        return _policy


def current_policy() -> ThreadPolicy:
    return _policy or configure()


def _ensure_configured() -> threading.BoundedSemaphore:
    if _semaphore is None:
        with _first_use:  # two first requests at once must not each create a semaphore
            if _semaphore is None:
                configure()
    return _semaphore


@contextlib.contextmanager
def inference_slot():
    """Hold one of the policy's slots while running a model (blocks while all slots are busy)."""
    depth = getattr(_held, "depth", 0)
    if depth:  # already inside a slot (a trace calling another): one thread, one slot
        _held.depth = depth + 1
        try:
            yield
        finally:
            _held.depth = depth
        return
    semaphore = _ensure_configured()
    semaphore.acquire()
    _held.depth = 1
    try:
        yield
    finally:
        _held.depth = 0
        semaphore.release()


def holding_slot() -> bool:
    """True inside :func:`inference_slot` on this thread (the tests check every model call with it)."""
    return getattr(_held, "depth", 0) > 0


_analysis = threading.BoundedSemaphore(1)


@contextlib.contextmanager
def analysis_slot():
    """Hold the process's one slot for a heavy analysis (a layer-wise analysis of a teacher's CSV: the encoder
    over every text, the Separation Index of every layer), so two of them never run at once and the other
    core stays with the students' reruns."""
    _analysis.acquire()
    try:
        yield
    finally:
        _analysis.release()
