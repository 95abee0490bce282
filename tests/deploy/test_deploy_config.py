"""The deployment files in deploy/: compose structure, nginx's sticky websocket proxy, the images' health checks.

No Docker engine is needed: the compose file is parsed as YAML (skipped without PyYAML), nginx.conf is read
as text and, where Debian's nginx is installed, checked with ``nginx -t`` (upstream host "app" pointed at
127.0.0.1, pid/logs/temp files in a temporary folder). deploy/check_nginx.py runs it for real in front of two
app servers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
HEALTH = "/_stcore/health"


def _compose() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def _default(value) -> int:
    """``${NAME:-3}`` -> 3 (compose's default interpolation); plain integers pass through."""
    if isinstance(value, int):
        return value
    found = re.fullmatch(r"\$\{\w+:-(\d+)\}", str(value))
    assert found, f"cannot read a default from {value!r}"
    return int(found.group(1))


def _nginx() -> str:
    return (DEPLOY / "nginx.conf").read_text()


def _block(text: str, header: str) -> str:
    """The body of the first ``header { ... }`` block (braces balanced)."""
    start = text.index(header)
    depth, i = 0, text.index("{", start)
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i + 1 : j]
    raise AssertionError(f"unbalanced block {header!r}")


def _directives(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_compose_runs_several_cpu_replicas_behind_nginx():
    services = _compose()["services"]
    app, nginx = services["app"], services["nginx"]
    assert _default(app["deploy"]["replicas"]) >= 2
    assert app["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert (DEPLOY / ".." / app["build"]["dockerfile"]).resolve().is_file()
    assert "ports" not in app, "replicas are reached through nginx only"
    assert any(HEALTH in part for part in app["healthcheck"]["test"])
    assert nginx["depends_on"]["app"]["condition"] == "service_healthy"
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]
    assert any(HEALTH in part for part in nginx["healthcheck"]["test"])
    assert app["profiles"] == nginx["profiles"] == ["cpu"]


def test_compose_gpu_profile_reserves_an_nvidia_gpu():
    services = _compose()["services"]
    gpu, nginx_gpu = services["app-gpu"], services["nginx-gpu"]
    assert gpu["profiles"] == nginx_gpu["profiles"] == ["gpu"]
    assert gpu["build"]["dockerfile"] == "deploy/Dockerfile.gpu"
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert any(d["driver"] == "nvidia" and "gpu" in d["capabilities"] for d in devices)
    assert "app" in gpu["networks"]["default"]["aliases"], "nginx.conf's upstream names the host 'app'"
    assert nginx_gpu["depends_on"]["app-gpu"]["condition"] == "service_healthy"
    assert "VIZ_DEVICE" not in gpu.get("environment", {}), "the device is picked automatically (CUDA first)"


def test_nginx_is_sticky_and_proxies_websockets():
    conf = _directives(_nginx())
    upstream = _block(conf, "upstream streamlit")
    assert re.search(r"^\s*(ip_hash|hash \$\S+ consistent);", upstream, re.MULTILINE), "sticky sessions"
    assert re.search(r"^\s*server app:8501\b", upstream, re.MULTILINE)
    assert "hash $vizroute consistent" not in upstream or "Set-Cookie $vizroute_cookie" in conf
    location = _block(conf, "location / ")
    for directive in (
        "proxy_http_version 1.1",
        "proxy_set_header Upgrade $http_upgrade",
        "proxy_set_header Connection $connection_upgrade",
        "proxy_set_header Host $http_host",
        "proxy_pass http://streamlit",
    ):
        assert directive in location, directive
    timeout = re.search(r"proxy_read_timeout (\d+)s;", location)
    assert timeout and int(timeout.group(1)) >= 3600, "idle websockets must survive a lesson"
    assert "location = /_stcore/health" in conf


def test_nginx_accepts_the_largest_upload_streamlit_accepts():
    max_upload_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"][
        "maxUploadSize"
    ]
    body = re.search(r"client_max_body_size (\d+)m;", _directives(_nginx()))
    assert body and int(body.group(1)) > max_upload_mb


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "Dockerfile.gpu"])
def test_images_run_as_a_user_with_a_health_check(dockerfile):
    text = (DEPLOY / dockerfile).read_text()
    assert re.search(r"^USER (?!root)\w+", text, re.MULTILINE)
    assert "EXPOSE 8501" in text
    assert re.search(r"^HEALTHCHECK .*\n?.*" + re.escape(HEALTH), text, re.MULTILINE)
    assert '"--server.address", "0.0.0.0"' in text
    assert "torch==2.13.0" in text
    for source in re.findall(r"^COPY (\S+) ", text, re.MULTILINE):
        assert (ROOT / source).exists(), f"{dockerfile} copies {source}, which is not in the repository"


def test_dockerignore_lets_in_what_the_image_copies():
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignore
    copied = set(re.findall(r"^COPY (\S+) ", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE))
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert copied <= allowed, copied - allowed


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="nginx is not installed (apt-get install nginx-light)",
)
def test_nginx_config_passes_nginx_t(tmp_path):
    from deploy.check_nginx import local_config, nginx_command

    conf = tmp_path / "nginx.conf"
    conf.write_text(local_config(_nginx(), [8501, 8502], 8080, tmp_path))
    result = subprocess.run(
        nginx_command(conf, tmp_path, test_only=True), check=False, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
