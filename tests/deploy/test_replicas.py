"""The shipped deployment for real: two Streamlit replicas behind Debian's nginx with deploy/nginx.conf.

Simulated students (tools/loadtest: real sessions over Streamlit's websocket protocol) open the app through
nginx, type sentences and upload pictures. Each browser's requests (its routing cookie) must all reach one
replica, or its uploads would fail with "Invalid session_id"; every upload must work; websockets must be
upgraded through nginx. .ci/run installs nginx (apt-get install nginx-light), so this test runs in CI.
"""

from __future__ import annotations

import asyncio

from deploy.check_nginx import nginx_replicas, routes
from tools.loadtest.runner import LoadConfig, format_report, run_load
from tools.loadtest.student import UPLOAD


def test_sessions_stay_on_one_replica_and_uploads_work_through_nginx():
    cfg = LoadConfig.short(students=6, duration=25.0, seed=5, ramp=2.0, rerun_timeout=90.0, max_actions=10)
    with nginx_replicas(2) as (base, replicas, access_log):
        report = asyncio.run(
            asyncio.wait_for(run_load(base, cfg, log=lambda _: None, measure_server=False), 300)
        )
        served = routes(access_log)
        upgrades = sum(
            1 for line in access_log.read_text().splitlines() if "/_stcore/stream" in line and " 101 " in line
        )
    summary = format_report(report)
    assert not report.errors, summary
    assert len(report.logs) == 6 and all(log.answered() >= 1 for log in report.logs), summary
    assert any(a.kind == UPLOAD and a.ok for a in report.actions), (
        summary
    )  # uploads reach their session's replica
    assert len(served) >= 6, served  # one routing cookie per browser
    assert all(len(replicas_of_browser) == 1 for replicas_of_browser in served.values()), served
    assert {r for rs in served.values() for r in rs} <= {u.removeprefix("http://") for u in replicas}
    assert upgrades >= 6  # every student's websocket went through nginx
