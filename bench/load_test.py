"""Load test: N simulated students on one server, through Streamlit's own websocket protocol.

Each student is a real Streamlit session (websocket, BackMsg/ForwardMsg protobufs, uploads by HTTP PUT,
as the browser's frontend does; see tools/loadtest/protocol.py): it opens the app, changes pages, types new
sentences on the text pages and uploads pictures (about 20% of them bad files: not an image, truncated,
empty) on the vision pages, with a random think time between actions, until the duration is over.

Prints rerun latency p50/p95/p99 per kind of action ("new sentence", "image upload" and the others),
the errors (an exception element, a compile error, a closed or failed connection, a timeout, a bad file
accepted or a good one refused), the server's RSS (baseline after a warm-up, peak, per active session,
after the sessions were dropped) and CPU time, what else was busy on the machine, and issue 8's targets.

Usage:
  python bench/load_test.py [--students 20] [--duration 120] [--think 3 12] [--url http://127.0.0.1:8501]
Without --url a server is started (tests/browser/serve.py) and stopped afterwards (with --replicas N, N servers
behind Debian's nginx with the shipped deploy/nginx.conf); --server-env passes it
settings, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false, or STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=full to see the
message of an exception element (the app's config redacts it). Traffic goes to 127.0.0.1 only. The full run
takes about duration + 3.5 minutes (warm-up, cleanup wait of 130 s). Other busy processes on the machine
change the figures a lot: the report lists those that used more than 5% of a core meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench_helpers import add_seconds  # noqa: E402

from tools.loadtest.localhttp import loopback_address  # noqa: E402
from tools.loadtest.runner import LoadConfig, check_targets, format_report, run_load  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=20)
    add_seconds(parser, "--duration", 120.0, "seconds of student activity (default 120)")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(3.0, 12.0),
        metavar=("MIN", "MAX"),
        help="seconds a student pauses before each action, uniform (default 3 12)",
    )
    add_seconds(parser, "--ramp", 10.0, "students start spread over this many seconds")
    parser.add_argument("--url", help="an already running server on this machine (default: start one)")
    parser.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="start this many servers behind Debian's nginx with deploy/nginx.conf and load them through it",
    )
    parser.add_argument(
        "--server-pid", type=int, help="the server's pid (default: the process listening on the port)"
    )
    add_seconds(parser, "--timeout", 60.0, "seconds a rerun may take before it is an error")
    parser.add_argument("--max-actions", type=int, default=200, help="actions per student at most")
    parser.add_argument("--bad-share", type=float, default=0.2, help="share of uploads that are bad files")
    add_seconds(
        parser,
        "--cleanup-wait",
        130.0,
        "seconds to wait after closing the tabs before the last memory reading (0: skip)",
    )
    parser.add_argument("--no-warmup", action="store_true", help="students meet a cold server")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="environment for the server this script starts (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.students < 1 or args.duration <= 0 or not 0 <= args.think[0] <= args.think[1]:
        parser.error("need --students >= 1, --duration > 0 and 0 <= think MIN <= MAX")
    cfg = LoadConfig(
        students=args.students,
        duration=args.duration,
        think=tuple(args.think),
        ramp=args.ramp,
        rerun_timeout=args.timeout,
        max_actions=args.max_actions,
        bad_share=args.bad_share,
        seed=args.seed,
        warmup=not args.no_warmup,
        cleanup_wait=args.cleanup_wait,
    )
    with contextlib.ExitStack() as stack:
        measure = True
        if args.url:
            loopback_address(args.url)
            base_url = args.url.rstrip("/")
        elif args.replicas:
            from deploy.check_nginx import nginx_replicas

            env = dict(item.split("=", 1) for item in args.server_env)
            base_url, replicas, _ = stack.enter_context(nginx_replicas(args.replicas, env=env))
            print(f"nginx {base_url} in front of {args.replicas} replicas: {replicas}", flush=True)
            measure = False  # several server processes: their memory and CPU are not summed here
        else:
            from tests.browser.serve import streamlit_server

            env = dict(item.split("=", 1) for item in args.server_env)
            base_url = stack.enter_context(streamlit_server(env=env, timeout=180))
        print(
            f"server: {base_url}" + (f" (server environment: {args.server_env})" if args.server_env else ""),
            flush=True,
        )
        report = asyncio.run(
            run_load(
                base_url, cfg, args.server_pid, log=lambda s: print(s, flush=True), measure_server=measure
            )
        )
    print(format_report(report), flush=True)
    return 0 if all(ok for _, ok in check_targets(report)) else 1


if __name__ == "__main__":
    sys.exit(main())
