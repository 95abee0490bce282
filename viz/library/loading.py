"""Loading a model in the background, with its progress, so a page can show a bar instead of freezing.

A page asks :func:`request` for an entry's model; the first request starts a load in a small pool of
worker threads (two: one large model never holds up the next), later ones see the same job. The progress
is the share of weight bytes read so far (:mod:`viz.core.progress`). Loads of different folders run side
by side; one folder is loaded once (its registry's lock).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from viz.core import progress
from viz.library.catalog import Library, LibraryError, ModelEntry

RETRY_SECONDS = 30.0  # a failed load is reported this long before a new request tries again
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="viz-model-load")
_jobs: dict[tuple[str, str], LoadJob] = {}
_lock = threading.Lock()


@dataclasses.dataclass(eq=False)
class LoadJob:
    """One model's load: ``state`` is ``"loading"``, ``"ready"`` or ``"failed"`` (``error`` says why)."""

    entry: ModelEntry
    state: str = "loading"
    bytes_read: int = 0
    error: str = ""
    started: float = dataclasses.field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def fraction(self) -> float:
        """Share of the weights read, in [0, 1]."""
        if self.state == "ready":
            return 1.0
        total = self.entry.info.weights_bytes
        return min(self.bytes_read / total, 1.0) if total else 0.0

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started


def request(library: Library, entry: ModelEntry) -> LoadJob:
    """The load of ``entry``: already done, under way, or started now.

    Raises:
        LibraryError: at once, for a model over the size cap (nothing is read).
    """
    library.check(entry)
    key = (entry.family, str(entry.folder))
    with _lock:
        job = _jobs.get(key)
        stale = job is not None and (
            (job.state == "failed" and time.monotonic() - job.finished > RETRY_SECONDS)
            or (job.state == "ready" and not library.is_loaded(entry))  # its registry let it go since
        )
        if job is not None and not stale:
            return job
        if library.is_loaded(entry):
            job = LoadJob(entry, state="ready", finished=time.monotonic())
            _jobs[key] = job
            return job
        job = _jobs[key] = LoadJob(entry)
    _pool.submit(_run, library, job)
    return job


def _run(library: Library, job: LoadJob) -> None:
    def advance(n_bytes: int) -> None:
        job.bytes_read += n_bytes

    try:
        with progress.reporting(advance):
            library.load(job.entry)
    except LibraryError as err:
        job.error = str(err)
        job.state = "failed"
    except Exception as err:  # noqa: BLE001 - any folder may be broken in its own way; the page says how
        job.error = f"{type(err).__name__}: {err}"
        job.state = "failed"
    else:
        job.state = "ready"
    job.finished = time.monotonic()


def wait(job: LoadJob, timeout: float) -> bool:
    """Block until ``job`` is no longer loading (for notebooks and tests); whether it finished in time."""
    deadline = time.monotonic() + timeout
    while job.state == "loading" and time.monotonic() < deadline:
        time.sleep(0.02)
    return job.state != "loading"


def forget() -> None:
    """Drop every job record (the models stay in their registries)."""
    with _lock:
        _jobs.clear()
