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


#: nginx's access log here: every request's routing cookie and the replica that served it.
LOG_FORMAT = "log_format routed '$cookie_vizroute $upstream_addr $status \"$request\"';"


@contextlib.contextmanager
def nginx_replicas(n_replicas: int = 2, sticky: bool = True, env: dict | None = None):
    """``n_replicas`` Streamlit servers behind nginx with deploy/nginx.conf; yields (nginx URL, replica URLs,
    the access log's path). Everything is stopped on exit.

    Raises:
        RuntimeError: if nginx is not installed, its configuration is refused, or it does not become healthy.
    """
    if not os.path.exists(NGINX):
        raise RuntimeError("needs nginx (apt-get install nginx-light)")
    conf = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nginx-check-")))
        # Each replica's thread policy gets its share of the machine (viz/core/runtime.py), as a container's
        # CPU quota would give it in docker-compose.yml.
        share = {"VIZ_CORES": str(max(1, (os.cpu_count() or 1) // n_replicas)), **(env or {})}
        replicas = [stack.enter_context(streamlit_server(timeout=180, env=share)) for _ in range(n_replicas)]
        ports = [int(url.rsplit(":", 1)[1]) for url in replicas]
        listen = free_port()
        conf_path = tmp / "nginx.conf"
        local = local_config(conf, ports, listen, tmp, sticky=sticky)
        local = local.replace(
            f"access_log {tmp / 'access.log'};", f"{LOG_FORMAT}\n    access_log {tmp / 'access.log'} routed;"
        )
        conf_path.write_text(local)
        checked = subprocess.run(
            nginx_command(conf_path, tmp, test_only=True), check=False, capture_output=True, text=True
        )
        if checked.returncode:
            raise RuntimeError(f"nginx refused the configuration: {checked.stderr.strip()}")
        proc = subprocess.Popen(
            nginx_command(conf_path, tmp),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        stack.callback(lambda: (proc.poll() is None and os.killpg(proc.pid, signal.SIGTERM), proc.wait(10)))
        base = f"http://127.0.0.1:{listen}"
        deadline = time.monotonic() + 20
        while not health_ok(base):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"nginx did not answer on {base}: {_tail(tmp / 'error.log')}")
            time.sleep(0.2)
        yield base, replicas, tmp / "access.log"


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def routes(access_log: Path) -> dict[str, set[str]]:
    """Routing cookie -> the replicas (host:port) that served its requests, from nginx's access log."""
    served: dict[str, set[str]] = {}
    for line in access_log.read_text(errors="replace").splitlines():
        cookie, upstream = line.split(" ", 2)[:2]
        if cookie not in ("", "-") and upstream != "-":
            served.setdefault(cookie, set()).add(upstream)
    return served


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
    with nginx_replicas(2, sticky=not args.no_sticky) as (base, replicas, access_log):
        print(
            f"nginx on {base} -> replicas {replicas} ({'round robin' if args.no_sticky else 'sticky: hash $vizroute'})"
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
        print(f"sessions opened per replica: {asyncio.run(sessions_per_replica(replicas))}")
        split = [cookie for cookie, served in routes(access_log).items() if len(served) > 1]
        print(f"browsers whose requests reached more than one replica: {len(split)}")
    return 0 if not report.errors else 1


if __name__ == "__main__":
    sys.exit(main())
