"""Check deploy/nginx.conf for real on this machine, without Docker: nginx in front of two app replicas.

Starts two Streamlit servers (the "replicas") and Debian's nginx with deploy/nginx.conf, changed only where
Docker would differ: the upstream's "server app:8501 ..." line becomes one line per local replica (Docker's
DNS expands "app" to every replica's address), nginx listens on a free loopback port, and its pid, logs and
temporary files go to a temporary folder. Then simulated students (tools/loadtest) work through nginx: pages,
sentences, uploads. With sticky sessions every upload reaches the replica that holds the student's session;
``--no-sticky`` removes the hash line (round robin), to show that uploads then fail.

Prints the errors and how many sessions each replica served. Needs /usr/sbin/nginx (apt-get install nginx-light).
Usage: python deploy/check_nginx.py [--students 6] [--duration 25] [--no-sticky]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.browser.serve import free_port, health_ok, streamlit_server  # noqa: E402
from tools.loadtest import localhttp  # noqa: E402
from tools.loadtest.runner import LoadConfig, format_report, run_load  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
UPSTREAM_LINE = re.compile(r"^(\s*)server app:8501(.*);\s*$", re.MULTILINE)


def local_config(
    conf: str, replica_ports: list[int], listen_port: int, tmp: Path, sticky: bool = True
) -> str:
    """deploy/nginx.conf for this machine: local replicas, a loopback port, temp paths; nothing else changed."""
    match = UPSTREAM_LINE.search(conf)
    if match is None:
        raise ValueError("deploy/nginx.conf has no 'server app:8501 ...;' line in its upstream")
    indent, params = match.group(1), match.group(2)
    servers = "\n".join(f"{indent}server 127.0.0.1:{port}{params};" for port in replica_ports)
    conf = UPSTREAM_LINE.sub(lambda _: servers, conf, count=1)
    if not sticky:
        conf = re.sub(r"^\s*hash \$vizroute consistent;.*$", "", conf, count=1, flags=re.MULTILINE)
    conf = re.sub(r"listen 80;", f"listen 127.0.0.1:{listen_port};", conf, count=1)
    temp = "\n".join(
        f"    {name}_temp_path {tmp / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return conf.replace("http {", f"http {{\n    access_log {tmp / 'access.log'};\n{temp}", 1)


def nginx_command(conf_path: Path, tmp: Path, test_only: bool = False) -> list[str]:
    directives = f"pid {tmp / 'nginx.pid'}; error_log {tmp / 'error.log'};" + (
        "" if test_only else " daemon off;"
    )
    return [NGINX, *(["-t"] if test_only else []), "-p", str(tmp), "-c", str(conf_path), "-g", directives]


async def sessions_per_replica(urls: list[str]) -> list[int]:
    counts = []
    for url in urls:
        response = await localhttp.request("GET", f"{url}/_stcore/metrics", timeout=30)
        text = response.body.decode(errors="replace")
        found = re.search(r'session_events_total\{type="connect"\} (\d+)', text)
        counts.append(int(found.group(1)) if found else -1)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--duration", type=float, default=25.0)
    parser.add_argument("--no-sticky", action="store_true", help="remove the hash line: round robin")
    args = parser.parse_args(argv)
    if not os.path.exists(NGINX):
        print("needs nginx (apt-get install nginx-light)", file=sys.stderr)
        return 2
    conf = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nginx-check-")))
        replicas = [stack.enter_context(streamlit_server(timeout=180)) for _ in range(2)]
        ports = [int(url.rsplit(":", 1)[1]) for url in replicas]
        listen = free_port()
        conf_path = tmp / "nginx.conf"
        conf_path.write_text(local_config(conf, ports, listen, tmp, sticky=not args.no_sticky))
        checked = subprocess.run(
            nginx_command(conf_path, tmp, test_only=True), check=False, capture_output=True, text=True
        )
        print(checked.stderr.strip())
        if checked.returncode:
            return 1
        proc = subprocess.Popen(
            nginx_command(conf_path, tmp),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        stack.callback(lambda: (proc.poll() is None and os.killpg(proc.pid, signal.SIGTERM), proc.wait(10)))
        base = f"http://127.0.0.1:{listen}"
        deadline = time.monotonic() + 20
        while not health_ok(base) and time.monotonic() < deadline:
            time.sleep(0.2)
        print(
            f"nginx on {base} -> replicas {replicas} ({'sticky: hash $vizroute' if not args.no_sticky else 'round robin'})"
        )
        cfg = LoadConfig(
            students=args.students,
            duration=args.duration,
            think=(0.5, 2.0),
            ramp=2.0,
            rerun_timeout=60.0,
            bad_share=0.2,
            warmup=False,
            cleanup_wait=0.0,
            seed=3,
        )
        report = asyncio.run(run_load(base, cfg, log=print, measure_server=False))
        print(format_report(report))
        per_replica = asyncio.run(sessions_per_replica(replicas))
        print(f"sessions opened per replica: {per_replica}")
        upgraded = sum(
            1
            for line in (tmp / "access.log").read_text().splitlines()
            if "/_stcore/stream" in line and '" 101 ' in line
        )
        print(f"websocket upgrades (HTTP 101) in nginx's access log: {upgraded}")
    return 0 if not report.errors else 1


if __name__ == "__main__":
    sys.exit(main())
