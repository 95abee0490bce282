"""Resident memory and CPU time of the server's process tree, read from /proc (Linux only, no psutil).

RSS is ``VmRSS`` of ``/proc/<pid>/status`` summed over the process and its descendants; CPU time is
``utime + stime`` of ``/proc/<pid>/stat`` over the same tree (plus the times of children already reaped).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def pid_listening_on(port: int) -> int | None:
    """The pid of the process with a listening TCP socket on ``port`` (IPv4 or IPv6), or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{inode}]")
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    return int(entry.name)
        except OSError:  # gone, or not ours to read
            continue
    return None


def _stat_fields(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # fields from "state" on (the name may hold spaces)


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants alive now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(_stat_fields(int(entry.name))[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])  # stat fields 14-17
        total += utime + stime + cutime + cstime
    return total / _TICKS


@dataclasses.dataclass
class Sample:
    t: float  # time.monotonic()
    rss: int  # bytes
    cpu: float  # seconds


class ServerMonitor:
    """Samples the server tree's RSS and CPU time every ``interval`` seconds while running (an asyncio task)."""

    def __init__(self, pid: int, interval: float = 0.5, tree_every: float = 5.0) -> None:
        self.pid = pid
        self.interval = interval
        self.tree_every = tree_every  # the tree (a scan of /proc) is refreshed this often, not every sample
        self.samples: list[Sample] = []
        self._task: asyncio.Task | None = None
        self._tree: list[int] = []
        self._tree_at = float("-inf")

    def sample(self) -> Sample:
        now = time.monotonic()
        if now - self._tree_at > self.tree_every:
            self._tree, self._tree_at = process_tree(self.pid), now
        s = Sample(now, rss_bytes(self._tree), cpu_seconds(self._tree))
        self.samples.append(s)
        return s

    def alive(self) -> bool:
        return Path(f"/proc/{self.pid}").exists()

    async def _loop(self) -> None:
        while True:
            await asyncio.to_thread(self.sample)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="server-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def peak_rss(self, since: float, until: float | None = None) -> int:
        values = [s.rss for s in self.samples if s.t >= since and (until is None or s.t <= until)]
        return max(values) if values else 0
