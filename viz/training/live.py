"""Live training for the page: one process-wide queue, one run at a time, a bounded number of threads.

A run lives in the queue's registry, not in a page, so a rerun does not kill it; the page keeps only the
run's id. Runs wait in submission order; each is capped in steps and in seconds, so the queue always moves.
The queue is fair to a class: at most :data:`MAX_WAITING` runs wait, one per session (a session asking
again gets its own run back), and a run whose page stopped asking about it (the tab was closed: a page
polls every second while its run is active) is dropped while waiting, or stopped if it is training, after
:data:`STALE_SECONDS`. The worker thread limits torch's intra-op threads, so a class training models does
not starve the people only looking at them.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import os
import threading
import time
import traceback

import torch

from viz.models.seq2seq.model import Transformer
from viz.training.train import Progress, TrainSettings, train

#: No live run may last longer than this, whatever its settings ask.
MAX_SECONDS = 120.0
#: Finished runs kept (with their models) so their pages can still show them.
KEEP_FINISHED = 16
#: At most this many runs wait behind the running one.
MAX_WAITING = 3
#: A run nobody has looked at for this long belongs to a closed tab: dropped, or stopped if running.
STALE_SECONDS = 90.0  # over a minute: a background tab's timers may slow to one a minute


ACTIVE = ("queued", "running")


class QueueFullError(RuntimeError):
    """The queue already holds :data:`MAX_WAITING` waiting runs; the message says so for the page."""


def default_threads() -> int:
    """Half the machine's cores, at least one: the other half stays with the people using the app."""
    return max(1, (os.cpu_count() or 2) // 2)


@dataclasses.dataclass(frozen=True)
class RunView:
    """A consistent copy of a run's state for a page to draw."""

    id: str
    settings: TrainSettings
    status: (
        str  # "queued", "running", "done", "stopped", "dropped" (its tab closed while waiting) or "failed"
    )
    position: int  # place in the queue while waiting (the running run is place 1); 0 once started
    history: tuple[Progress, ...]
    step: int
    seconds: float  # training time so far
    error: str | None
    threads: int | None  # torch threads the worker used

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def finished(self) -> bool:
        return self.status in ("done", "stopped")

    @property
    def accuracy(self) -> float | None:
        evaluated = [p.accuracy for p in self.history if p.accuracy is not None]
        return evaluated[-1] if evaluated else None

    @property
    def fraction(self) -> float:
        """Progress in [0, 1]: steps done, or time used when the time limit comes first."""
        limit = self.settings.max_seconds
        by_time = self.seconds / limit if limit else 0.0
        return 1.0 if self.finished else min(1.0, max(self.step / self.settings.steps, by_time))


class TrainingRun:
    """One training job; mutated only by the queue's worker, under the queue's lock."""

    def __init__(self, run_id: str, settings: TrainSettings, owner: str | None) -> None:
        self.id = run_id
        self.settings = settings
        self.owner = owner
        self.seen = time.monotonic()  # the last time a page (or a script) asked about the run
        self.status = "queued"
        self.history: list[Progress] = []
        self.step = 0
        self.seconds = 0.0
        self.error: str | None = None
        self.threads: int | None = None
        self.model: Transformer | None = None
        self.stop_event = threading.Event()


class TrainingQueue:
    """First come, first served; a single worker thread trains one run at a time.

    Args:
        threads: torch intra-op threads for training (the worker sets them on itself).
        max_seconds: hard cap on each run's training time.
        max_waiting: how many runs may wait behind the running one.
        stale_seconds: a run not asked about for this long is dropped (waiting) or stopped (running).
    """

    def __init__(
        self,
        threads: int | None = None,
        max_seconds: float = MAX_SECONDS,
        max_waiting: int = MAX_WAITING,
        stale_seconds: float = STALE_SECONDS,
    ) -> None:
        self.threads = default_threads() if threads is None else int(threads)
        self.max_seconds = max_seconds
        self.max_waiting = max_waiting
        self.stale_seconds = stale_seconds
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._runs: dict[str, TrainingRun] = {}
        self._waiting: collections.deque[str] = collections.deque()
        self._finished: collections.deque[str] = collections.deque()
        self._ids = itertools.count(1)
        self._worker: threading.Thread | None = None

    # ---- what pages call ----------------------------------------------------------------------------
    def submit(self, settings: TrainSettings, owner: str | None = None) -> str:
        """Queue a run and return its id. Its time is capped at ``max_seconds``.

        Args:
            owner: the session asking; a session with a run still waiting or training gets that run's id
                back instead of a second run.

        Raises:
            QueueFullError: if ``max_waiting`` runs are already waiting.
        """
        limit = min(settings.max_seconds or self.max_seconds, self.max_seconds)
        settings = dataclasses.replace(settings, max_seconds=limit)
        with self._lock:
            self._drop_stale()
            if owner is not None:
                mine = next((r for r in self._runs.values() if r.owner == owner and r.status in ACTIVE), None)
                if mine is not None:
                    mine.seen = time.monotonic()
                    return mine.id
            if len(self._waiting) >= self.max_waiting:
                raise QueueFullError(
                    f"The training queue is full: {len(self._waiting)} runs are waiting behind the one "
                    "training now. Try again in a minute."
                )
            run = TrainingRun(f"run-{next(self._ids)}", settings, owner)
            self._runs[run.id] = run
            self._waiting.append(run.id)
            self._ensure_worker()
            self._wake.notify()
            return run.id

    def view(self, run_id: str) -> RunView | None:
        """The run's state now, or None if it is unknown (never submitted, or finished long ago)."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None:
                return None
            run.seen = time.monotonic()
            position = 0
            if run.status == "queued":
                position = list(self._waiting).index(run_id) + 1 + (self._running_id() is not None)
            return RunView(
                run.id,
                run.settings,
                run.status,
                position,
                tuple(run.history),
                run.step,
                run.seconds,
                run.error,
                run.threads,
            )

    def model(self, run_id: str) -> Transformer | None:
        """The trained model of a finished run (eval mode), else None."""
        with self._lock:
            run = self._runs.get(run_id)
            return run.model if run is not None and run.status in ("done", "stopped") else None

    def stop(self, run_id: str) -> None:
        """Stop a running run after its current step (its model is kept), or drop a waiting one."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None:
                return
            if run.status == "queued":
                self._waiting.remove(run_id)
                run.status = "stopped"
                self._retire(run)
            run.stop_event.set()

    def counts(self) -> tuple[int, int]:
        """(running, waiting) runs right now."""
        with self._lock:
            return int(self._running_id() is not None), len(self._waiting)

    def wait(self, run_id: str, timeout: float) -> RunView | None:
        """Block until the run has finished or ``timeout`` seconds passed (for scripts and benches)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            view = self.view(run_id)
            if view is None or not view.active:
                return view
            time.sleep(0.05)
        return self.view(run_id)

    # ---- the worker ---------------------------------------------------------------------------------
    def _running_id(self) -> str | None:
        return next((r.id for r in self._runs.values() if r.status == "running"), None)

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="viz-training", daemon=True)
            self._worker.start()

    def _stale(self, run: TrainingRun) -> bool:
        return time.monotonic() - run.seen > self.stale_seconds

    def _drop_stale(self) -> None:
        """Drop the waiting runs whose pages stopped asking (under the lock)."""
        for run_id in [r for r in self._waiting if self._stale(self._runs[r])]:
            self._waiting.remove(run_id)
            run = self._runs[run_id]
            run.status = "dropped"
            self._retire(run)

    def _retire(self, run: TrainingRun) -> None:
        self._finished.append(run.id)
        while len(self._finished) > KEEP_FINISHED:
            self._runs.pop(self._finished.popleft(), None)

    def _work(self) -> None:
        torch.set_num_threads(self.threads)  # this thread's intra-op pool; the app's threads keep theirs
        while True:
            with self._lock:
                self._drop_stale()
                while not self._waiting:
                    self._wake.wait(timeout=self.stale_seconds)
                    self._drop_stale()
                run = self._runs[self._waiting.popleft()]
                run.status = "running"
                run.threads = torch.get_num_threads()
            self._train(run)

    def _train(self, run: TrainingRun) -> None:
        def on_progress(point: Progress) -> None:
            with self._lock:
                run.history.append(point)

        def on_step(step: int, seconds: float) -> None:
            with self._lock:
                run.step, run.seconds = step, seconds

        def should_stop() -> bool:  # the stop button, or the tab that asked for the run was closed
            with self._lock:
                return run.stop_event.is_set() or self._stale(run)

        try:
            result = train(run.settings, on_progress=on_progress, should_stop=should_stop, on_step=on_step)
        except Exception as err:  # a failed run must not take the worker (and every later run) down
            with self._lock:
                run.status, run.error = "failed", f"{type(err).__name__}: {err}"
                self._retire(run)
            traceback.print_exc()
            return
        with self._lock:
            run.model = result.model.requires_grad_(False)
            run.step, run.seconds = result.history[-1].step, result.seconds
            run.status = "stopped" if result.stopped else "done"
            self._retire(run)


_QUEUE: TrainingQueue | None = None
_QUEUE_LOCK = threading.Lock()


def training_queue() -> TrainingQueue:
    """The process-wide queue every page session shares."""
    global _QUEUE
    with _QUEUE_LOCK:
        if _QUEUE is None:
            _QUEUE = TrainingQueue()
        return _QUEUE
