"""A whole load run against a server on this machine, and its report.

1. *Warm-up* (optional): one session visits every page of the navigation once (a sentence on each text
   page, an upload on each vision page), so models are loaded and the students meet a warm server, as in a
   class where the teacher opened the app first. Its timings are reported apart.
2. *Baseline*: the server tree's RSS a few seconds after the warm-up.
3. *Students*: N students start over ``ramp`` seconds and act until ``duration`` has passed (no new action
   after it; an action in flight finishes, bounded by the rerun timeout). RSS and CPU are sampled meanwhile.
4. With every student still connected: RSS and the server's own memory metrics (``/_stcore/metrics``:
   session state, caches, uploads, media). Then every tab is closed.
5. *Cleanup*: Streamlit keeps a closed tab's session for reconnection (two minutes, in a TTL cache that is
   only swept when something writes to it). After ``cleanup_wait`` seconds two probe sessions open and close
   the home page one after the other, as the next visitors would (the first one's disconnect sweeps the
   expired sessions, the second one's rerun lets Streamlit's post-run garbage collection free them), then
   RSS is read again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import resource
import statistics
import time
from pathlib import Path

from tools.loadtest import localhttp
from tools.loadtest.payloads import image_file, sentence
from tools.loadtest.protocol import BrowserSession
from tools.loadtest.server_stats import ServerMonitor, pid_listening_on
from tools.loadtest.student import (
    BAD_UPLOAD,
    OPEN,
    PAGE,
    SENTENCE,
    SOURCE,
    SOURCE_KEY,
    TEXT_PAGES,
    UPLOAD,
    UPLOAD_KEY,
    UPLOAD_SOURCE,
    VISION_PAGES,
    Action,
    Plan,
    Student,
    StudentLog,
)
from viz.core.config import fields_from

MB = 2**20
#: Targets from issue 8, for this 2-core machine.
TARGET_STUDENTS = 20
TARGET_P95 = {SENTENCE: 2.0, UPLOAD: 3.0}
#: Issue 14's bar for a burst (the class acting together: think times of at most 1 s), on 2 cores.
TARGET_P95_BURST = {SENTENCE: 1.5, UPLOAD: 2.0}
BURST_THINK = 1.0
TARGET_MB_PER_SESSION = 15.0
TARGET_MB_AFTER = 300.0
KIND_ORDER = (OPEN, PAGE, SENTENCE, UPLOAD, BAD_UPLOAD, SOURCE)


@dataclasses.dataclass(frozen=True)
class LoadConfig:
    students: int = 20
    duration: float = 120.0  # seconds of student activity (no new action after it)
    think: tuple[float, float] = (3.0, 12.0)
    ramp: float = 10.0  # students start spread over this many seconds
    rerun_timeout: float = 60.0
    max_actions: int = 200  # per student
    bad_share: float = 0.2
    seed: int = 0
    warmup: bool = True
    cleanup_wait: float = 130.0  # Streamlit keeps a closed session 120 s for reconnection
    text_pages: tuple[str, ...] = TEXT_PAGES
    vision_pages: tuple[str, ...] = VISION_PAGES

    @classmethod
    def short(cls, students: int, duration: float, seed: int, **options) -> LoadConfig:
        """A bounded run for a test: quick thinkers starting within a second or two, on a server that is
        already warm or that the test does not measure (no warm-up visit, no wait for closed sessions)."""
        defaults = dict(think=(0.2, 1.0), ramp=1.0, rerun_timeout=60.0, warmup=False, cleanup_wait=0.0)
        return cls(students=students, duration=duration, seed=seed, **{**defaults, **options})


@dataclasses.dataclass
class LoadReport:
    config: LoadConfig
    base_url: str
    server_pid: int | None
    warmup: list[Action] = dataclasses.field(default_factory=list)
    logs: list[StudentLog] = dataclasses.field(default_factory=list)
    rss: dict[str, int] = dataclasses.field(default_factory=dict)  # bytes, by moment
    max_active: int = 0
    phase_seconds: float = 0.0
    server_cpu: float = 0.0  # seconds of CPU the server tree used during the student phase
    client_cpu: float = 0.0  # seconds of CPU this process used meanwhile (it shares the machine)
    memory_metrics: dict[str, dict[str, int]] = dataclasses.field(
        default_factory=dict
    )  # moment -> type -> bytes
    active_sessions: dict[str, int] = dataclasses.field(default_factory=dict)
    others: list[tuple[str, float]] = dataclasses.field(
        default_factory=list
    )  # (command, CPU seconds) meanwhile
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def actions(self) -> list[Action]:
        return [a for log in self.logs for a in log.actions]

    @property
    def errors(self) -> list[Action]:
        return [a for a in self.warmup + self.actions if not a.ok]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between order statistics (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _cpu_by_process() -> dict[int, tuple[str, int]]:
    """pid -> (command line, utime + stime ticks) for every process we can read."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
            fields = raw[raw.rindex(")") + 2 :].split()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        table[int(entry.name)] = (
            cmd or raw[raw.index("(") + 1 : raw.rindex(")")],
            int(fields[11]) + int(fields[12]),
        )
    return table


def _busy_others(before: dict, after: dict, exclude: set[int], seconds: float) -> list[tuple[str, float]]:
    ticks = os.sysconf("SC_CLK_TCK")
    busy = []
    for pid, (cmd, used) in after.items():
        if pid in exclude or pid not in before:
            continue
        cpu = (used - before[pid][1]) / ticks
        if cpu >= 0.05 * seconds:  # at least 5% of one core on average
            busy.append((cmd[:140], cpu))
    return sorted(busy, key=lambda item: -item[1])


async def _memory_metrics(base_url: str) -> tuple[dict[str, int], int | None]:
    """Streamlit's own memory accounting (bytes by cache type) and its active-session gauge."""
    try:
        response = await localhttp.request("GET", f"{base_url}/_stcore/metrics", timeout=60)
    except localhttp.HttpError:
        return {}, None
    by_type: dict[str, int] = {}
    active = None
    for line in response.body.decode(errors="replace").splitlines():
        if line.startswith("cache_memory_bytes{"):
            labels, _, value = line.rpartition(" ")
            kind = labels.split('cache_type="', 1)[1].split('"', 1)[0] if 'cache_type="' in labels else "?"
            by_type[kind] = by_type.get(kind, 0) + int(float(value))
        elif line.startswith("active_sessions "):
            active = int(float(line.split()[1]))
    return by_type, active


async def warm_up(base_url: str, cfg: LoadConfig, log=print) -> list[Action]:
    """Visit every page once: a sentence on the text pages, an upload on the vision pages."""
    rng = random.Random(cfg.seed - 1)
    session = BrowserSession(base_url, name="warm-up", rerun_timeout=max(cfg.rerun_timeout, 180.0))
    actions: list[Action] = []

    def record(kind: str, page: str, outcome, started: float) -> None:
        actions.append(
            Action(
                -1,
                kind,
                page or "home",
                started,
                outcome.seconds,
                outcome.ok,
                outcome.problems,
                outcome.n_bytes,
                outcome.upload_seconds,
            )
        )
        state = "ok" if outcome.ok else "PROBLEM: " + "; ".join(outcome.problems)[:300]
        log(f"  warm-up {kind:15s} {page or 'home':16s} {outcome.seconds:6.2f} s  {state}")

    try:
        started = time.monotonic()
        record(OPEN, "", await session.open(), started)
        for n, path in enumerate([p for p in session.pages if p]):
            started = time.monotonic()
            outcome = await session.goto(path)
            record(PAGE, path, outcome, started)
            if not outcome.ok:
                continue
            if path in cfg.text_pages:
                started = time.monotonic()
                record(SENTENCE, path, await session.set_text("sentence", sentence(rng, 0, n)), started)
            elif path in cfg.vision_pages:
                if UPLOAD_KEY not in session.widgets:
                    started = time.monotonic()
                    record(SOURCE, path, await session.set_radio(SOURCE_KEY, UPLOAD_SOURCE), started)
                upload = image_file(rng, 0, n, bad_share=0.0)
                started = time.monotonic()
                record(
                    UPLOAD,
                    path,
                    await session.upload(UPLOAD_KEY, upload.name, upload.content, upload.mime),
                    started,
                )
    finally:
        await session.close()
    return actions


async def run_load(
    base_url: str, cfg: LoadConfig, server_pid: int | None = None, log=print, measure_server: bool = True
) -> LoadReport:
    """Run the whole sequence (module docstring) and return the figures; never sends traffic off this machine.

    ``server_pid`` defaults to the process listening on the URL's port; ``measure_server=False`` skips the
    memory and CPU readings (e.g. behind a load balancer, where that process is not the app).
    """
    _, port = localhttp.loopback_address(base_url)
    server_pid = (server_pid or pid_listening_on(port)) if measure_server else None
    report = LoadReport(cfg, base_url, server_pid, load_before=os.getloadavg())
    monitor = ServerMonitor(server_pid) if server_pid else None
    if monitor:
        monitor.start()
        await asyncio.sleep(0.6)
        report.rss["fresh"] = monitor.samples[-1].rss
    if cfg.warmup:
        log("warm-up: one session visits every page")
        report.warmup = await warm_up(base_url, cfg, log)
    await asyncio.sleep(3.0)
    if monitor:
        report.rss["baseline"] = int(statistics.median(monitor.sample().rss for _ in range(3)))

    log(
        f"{cfg.students} students for {cfg.duration:.0f} s (think {cfg.think[0]:g}-{cfg.think[1]:g} s, "
        f"ramp {cfg.ramp:g} s)"
    )
    phase_start = time.monotonic()
    plan = Plan(**fields_from(cfg, Plan, deadline=phase_start + cfg.duration))
    students = [Student(i + 1, base_url, plan, cfg.seed) for i in range(cfg.students)]
    procs_before = _cpu_by_process()
    cpu_before = monitor.sample().cpu if monitor else 0.0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    client_before = usage.ru_utime + usage.ru_stime

    async def start_later(student: Student, delay: float) -> StudentLog:
        await asyncio.sleep(delay)
        return await student.run()

    async def progress() -> None:
        while True:
            await asyncio.sleep(15)
            done = [a for s in students for a in s.log.actions]
            active = sum(1 for s in students if s.log.connected_at and not s.session.closed_reason)
            rss = f", server RSS {monitor.samples[-1].rss / MB:.0f} MB" if monitor else ""
            log(
                f"  t={time.monotonic() - phase_start:5.0f} s: {active} connected, {len(done)} actions, "
                f"{sum(1 for a in done if not a.ok)} errors{rss}"
            )

    ticker = asyncio.create_task(progress())
    tasks = [
        asyncio.create_task(start_later(s, cfg.ramp * i / max(cfg.students, 1)))
        for i, s in enumerate(students)
    ]
    hard_limit = cfg.duration + cfg.ramp + cfg.rerun_timeout * 2 + 60  # every action is bounded: a safety net
    _, pending = await asyncio.wait(tasks, timeout=hard_limit)
    for task in pending:
        task.cancel()
    ticker.cancel()
    report.logs = [s.log for s in students]
    phase_end = time.monotonic()
    report.phase_seconds = phase_end - phase_start
    # Every student stays connected from its first page to the end: the sessions open now were all open at once.
    report.max_active = sum(
        1 for s in students if s.log.connected_at is not None and not s.session.closed_reason
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report.client_cpu = usage.ru_utime + usage.ru_stime - client_before
    if monitor:
        now = monitor.sample()
        report.server_cpu = now.cpu - cpu_before
        report.rss["all connected, end"] = now.rss
        report.rss["peak"] = monitor.peak_rss(phase_start)
    report.others = _busy_others(
        procs_before, _cpu_by_process(), {os.getpid(), server_pid or -1}, report.phase_seconds
    )
    report.memory_metrics["all connected"], report.active_sessions["all connected"] = await _memory_metrics(
        base_url
    )

    await asyncio.gather(*(s.close() for s in students))
    closed_at = time.monotonic()
    await asyncio.sleep(2.0)
    if monitor:
        report.rss["just after close"] = monitor.sample().rss
    if cfg.cleanup_wait > 0:
        log(f"all tabs closed; waiting {cfg.cleanup_wait:.0f} s for the server to drop the sessions")
        await asyncio.sleep(max(0.0, cfg.cleanup_wait - (time.monotonic() - closed_at)))
        # Two visitors: closing the first makes Streamlit sweep the expired sessions out of its storage; the
        # second one's rerun then runs the collector (runner.postScriptGC) over what they left.
        for n in (1, 2):
            probe = BrowserSession(base_url, name=f"probe{n}", rerun_timeout=cfg.rerun_timeout)
            outcome = await probe.open()
            await probe.close()
            if not outcome.ok:
                report.warmup.append(
                    Action(
                        0,
                        "probe after cleanup",
                        "home",
                        time.monotonic(),
                        outcome.seconds,
                        False,
                        outcome.problems,
                    )
                )
            await asyncio.sleep(2.0)
        await asyncio.sleep(5.0)
        if monitor:
            report.rss["after cleanup"] = int(statistics.median(monitor.sample().rss for _ in range(3)))
        (
            report.memory_metrics["after cleanup"],
            report.active_sessions["after cleanup"],
        ) = await _memory_metrics(base_url)
    if monitor:
        await monitor.stop()
    return report


def _fmt_kind_rows(actions: list[Action]) -> list[str]:
    rows = [
        (
            f"{'action':16s} {'count':>5s} {'errors':>6s} {'p50 s':>7s} {'p95 s':>7s} {'p99 s':>7s} {'max s':>7s} "
            f"{'mean KB':>8s}"
        )
    ]
    for kind in KIND_ORDER:
        done = [a for a in actions if a.kind == kind]
        if not done:
            continue
        times = [a.seconds for a in done if a.ok]
        kb = statistics.mean(a.n_bytes for a in done) / 1024
        rows.append(
            f"{kind:16s} {len(done):5d} {sum(1 for a in done if not a.ok):6d} {percentile(times, 50):7.2f} "
            f"{percentile(times, 95):7.2f} {percentile(times, 99):7.2f} {max(times, default=float('nan')):7.2f} "
            f"{kb:8.0f}"
        )
    return rows


def format_report(report: LoadReport) -> str:
    cfg = report.config
    actions = report.actions
    lines = [
        f"server {report.base_url} (pid {report.server_pid}); load average before: "
        + " ".join(f"{x:.2f}" for x in report.load_before)
        + f"; {os.cpu_count()} CPUs"
    ]
    if report.warmup:
        first = ", ".join(f"{a.page} {a.seconds:.1f}" for a in report.warmup if a.kind == PAGE)
        lines.append(f"warm-up first visits (s): {first}")
    lines.append(
        f"{cfg.students} students, {report.phase_seconds:.0f} s of activity, think time "
        f"{cfg.think[0]:g}-{cfg.think[1]:g} s: {len(actions)} timed actions "
        f"({len(actions) / max(report.phase_seconds, 1e-9):.2f} per second)"
    )
    lines += _fmt_kind_rows(actions)
    for kind in (SENTENCE, UPLOAD):
        by_page = {}
        for a in actions:
            if a.kind == kind and a.ok:
                by_page.setdefault(a.page, []).append(a.seconds)
        if by_page:
            lines.append(
                f"  {kind} by page: "
                + "; ".join(
                    f"{page} p50 {percentile(t, 50):.2f} / p95 {percentile(t, 95):.2f} s (n={len(t)})"
                    for page, t in sorted(by_page.items())
                )
            )
    uploads = [a for a in actions if a.kind == UPLOAD and a.ok]
    if uploads:
        lines.append(
            f"  image upload split: URL request + PUT p50 {percentile([a.upload_seconds for a in uploads], 50):.2f} s, "
            f"rerun p50 {percentile([a.seconds - a.upload_seconds for a in uploads], 50):.2f} s"
        )
    errors = report.errors
    lines.append(f"errors: {len(errors)}")
    kinds: dict[str, int] = {}
    for a in errors:
        for problem in a.problems:
            key = problem.split(":", 1)[0][:80]
            kinds[key] = kinds.get(key, 0) + 1
    for key, count in sorted(kinds.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {count:4d} x {key}")
    for a in errors[:8]:
        lines.append(f"  e.g. student {a.student}, {a.kind} on {a.page}: {'; '.join(a.problems)[:300]}")
    silent = [log.student for log in report.logs if log.answered() == 0]
    lines.append(f"students without any answered action: {len(silent)}" + (f" ({silent})" if silent else ""))
    rss = report.rss
    if rss:
        per = (rss.get("peak", 0) - rss.get("baseline", 0)) / MB / max(report.max_active, 1)
        lines.append("server RSS (MB): " + ", ".join(f"{k} {v / MB:.0f}" for k, v in rss.items()))
        lines.append(
            f"  growth per active session: {per:.1f} MB (peak - baseline over {report.max_active} sessions)"
        )
        if "after cleanup" in rss:
            lines.append(
                f"  after the sessions ended: {(rss['after cleanup'] - rss['baseline']) / MB:+.0f} MB "
                "against the baseline"
            )
    for moment, by_type in report.memory_metrics.items():
        if by_type:
            lines.append(
                f"streamlit memory metrics, {moment} (MB): "
                + ", ".join(f"{k} {v / MB:.1f}" for k, v in sorted(by_type.items()))
                + f"; active sessions {report.active_sessions.get(moment)}"
            )
    if report.phase_seconds:
        lines.append(
            f"server CPU time during the activity: {report.server_cpu:.1f} s "
            f"({report.server_cpu / report.phase_seconds:.2f} cores on average); "
            f"load generator: {report.client_cpu:.1f} s ({report.client_cpu / report.phase_seconds:.2f} cores)"
        )
    if report.others:
        lines.append(
            "other processes busy meanwhile (CPU s): "
            + "; ".join(f"{c} ({s:.0f} s)" for c, s in report.others[:5])
        )
    else:
        lines.append("other processes busy meanwhile: none above 5% of a core")
    lines += ["targets:"] + [f"  {'PASS' if ok else 'MISS'} {text}" for text, ok in check_targets(report)]
    return "\n".join(lines)


def check_targets(report: LoadReport) -> list[tuple[str, bool]]:
    """Issue 8's targets (issue 14's for a burst: think times of at most 1 s), each with its measured value."""
    actions = report.actions
    burst = report.config.think[1] <= BURST_THINK
    out = [
        (
            f"{report.max_active} concurrent students (target {TARGET_STUDENTS})",
            report.max_active >= TARGET_STUDENTS,
        )
    ]
    for kind, limit in (TARGET_P95_BURST if burst else TARGET_P95).items():
        times = [a.seconds for a in actions if a.kind == kind and a.ok]
        p95 = percentile(times, 95)
        out.append(
            (f"{kind} p95 {p95:.2f} s (target <= {limit:g} s, n={len(times)})", bool(times) and p95 <= limit)
        )
    out.append((f"{len(report.errors)} errors (target 0)", not report.errors))
    rss = report.rss
    if "peak" in rss and "baseline" in rss:
        per = (rss["peak"] - rss["baseline"]) / MB / max(report.max_active, 1)
        out.append(
            (
                f"{per:.1f} MB per active session (target <= {TARGET_MB_PER_SESSION:g})",
                per <= TARGET_MB_PER_SESSION,
            )
        )
    if "after cleanup" in rss and "baseline" in rss:
        after = (rss["after cleanup"] - rss["baseline"]) / MB
        out.append(
            (
                (
                    f"{after:+.0f} MB against the baseline after the sessions ended (target within "
                    f"{TARGET_MB_AFTER:g})"
                ),
                after <= TARGET_MB_AFTER,
            )
        )
    return out
