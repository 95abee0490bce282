"""Start the Streamlit app and a headless Chromium for browser tests and benchmarks.

Usable from pytest (``from tests.browser.serve import streamlit_server``) and from scripts under
``bench/`` (after putting the repository root on ``sys.path``). Nothing here reaches a network other
than 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The window of a browser page unless the caller asks for another.
VIEWPORT = {"width": 1400, "height": 1000}
#: Environment every server gets unless the caller overrides it: offline, no telemetry, no tokenizer threads.
DEFAULT_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    "PYTHONUNBUFFERED": "1",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health_ok(base_url: str, timeout: float = 2.0) -> bool:
    """True when Streamlit's health endpoint answers ``ok``."""
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=timeout) as resp:
            return resp.status == 200 and resp.read().decode(errors="replace").strip() == "ok"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the server's process group, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the server runs in its own session: pgid == pid
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)


def _tail(path: Path, n_chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-n_chars:]
    except OSError:
        return "<no output captured>"


@contextlib.contextmanager
def streamlit_server(
    port: int | None = None, env: Mapping[str, str] | None = None, timeout: float = 60.0, app: str = "app.py"
) -> Iterator[str]:
    """Run ``streamlit run app.py`` from the repository root; yield its base URL once healthy.

    The process (and its children: it is started in a new session and the whole group is signalled) is
    always stopped on exit, also when the body raises.

    Args:
        port: the port to serve on; a free one when None.
        env: variables added to (and overriding) the current environment and ``DEFAULT_ENV``.
        timeout: seconds to wait for ``/_stcore/health`` to answer ``ok``.

    Raises:
        RuntimeError: if the server exits or is not healthy within ``timeout``; the message carries its stderr.
    """
    port = free_port() if port is None else int(port)
    base_url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    full_env = {**os.environ, **DEFAULT_ENV, **(env or {})}
    with tempfile.TemporaryDirectory(prefix="streamlit-server-") as logs:
        out_path, err_path = Path(logs) / "stdout.log", Path(logs) / "stderr.log"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env=full_env,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                deadline = time.monotonic() + timeout
                while not health_ok(base_url, timeout=1.0):
                    if proc.poll() is not None:
                        raise RuntimeError(
                            f"streamlit exited with code {proc.returncode} before becoming healthy.\n"
                            f"stderr:\n{_tail(err_path)}\nstdout:\n{_tail(out_path)}"
                        )
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"streamlit not healthy at {base_url} after {timeout:.0f} s.\n"
                            f"stderr:\n{_tail(err_path)}\nstdout:\n{_tail(out_path)}"
                        )
                    time.sleep(0.05)
                yield base_url
            finally:
                _stop(proc)


def chromium_available() -> bool:
    """True when Debian's Chromium is installed and the ``playwright`` package imports."""
    if not os.path.exists(CHROMIUM):
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def launch_chromium(playwright, **context_options):
    """A headless Chromium BrowserContext on a fresh temporary profile (removed when the context closes).

    ``playwright`` is the object from ``sync_playwright()``; extra keyword arguments go to
    ``launch_persistent_context`` (e.g. ``viewport``). Close the returned context when done.
    """
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    context_options.setdefault("viewport", VIEWPORT)
    try:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS), **context_options
        )
    except BaseException:
        shutil.rmtree(profile, ignore_errors=True)
        raise
    context.on("close", lambda _ctx: shutil.rmtree(profile, ignore_errors=True))
    return context


def launch_browser(playwright):
    """A headless Chromium to open many contexts in (``browser.new_context(...)``: each its own cache, cookies
    and storage, as a fresh profile). ``playwright`` is the object from ``sync_playwright()``; close it when
    done."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS))


def save_screenshot(page, path: Path) -> None:
    """Save a full-page screenshot of a failing page to ``path`` and say where; never raises (the browser may be
    gone, and the failure it would document matters more)."""
    try:
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the failing page: {path}")
    except Exception as err:
        print(f"could not take a screenshot: {err}")


@contextlib.contextmanager
def screenshot_on_failure(page, path: Path) -> Iterator[None]:
    """On any failure inside the block, save a full-page screenshot to ``path`` (and say where), then re-raise."""
    try:
        yield
    except BaseException:
        save_screenshot(page, path)
        raise


#: JavaScript for reading plotly charts in the page: ``titleOf(plot)``, its title without HTML tags (the theme
#: wraps titles in <b>), and ``rowsOf(z)``, a heatmap's z as rows of numbers (plotly sends numpy arrays as
#: ``{dtype, bdata (base64), shape}``, plain lists as nested arrays).
def milliseconds_left(budget_s: float) -> Callable[[], float]:
    """A clock for one test's time budget: each call gives the milliseconds left (at least 1000), for
    Playwright timeouts, so the whole test, not each step, is bounded by ``budget_s``."""
    start = time.monotonic()
    return lambda: max(1000.0, (budget_s - (time.monotonic() - start)) * 1000)


#: Streamlit's file uploader input (its test id, or any file input in older builds).
FILE_INPUT = '[data-testid="stFileUploaderDropzoneInput"], input[type="file"]'


def png_bytes(image, size: int = 200) -> bytes:
    """An RGB array as a PNG file, scaled to ``size`` x ``size`` with nearest-neighbour (what a student uploads)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).resize((size, size), Image.NEAREST).save(buffer, format="PNG")
    return buffer.getvalue()


def give_file(page, name: str, data: bytes, timeout_ms: float) -> None:
    """Hand the page's file uploader one file called ``name`` (declared image/png, whatever ``data`` is)."""
    chooser = page.locator(FILE_INPUT).first
    chooser.wait_for(state="attached", timeout=timeout_ms)
    chooser.set_input_files(files=[{"name": name, "mimeType": "image/png", "buffer": data}])


def upload_own_image(page, name: str, image, timeout_ms: float) -> None:
    """On a vision page: choose "Upload your own", upload ``image`` as a PNG called ``name``, and wait until the
    page says it is using it."""
    page.get_by_text("Upload your own", exact=True).click(timeout=timeout_ms)
    give_file(page, name, png_bytes(image), timeout_ms)
    page.get_by_text(f"your upload: {name}").wait_for(timeout=timeout_ms)


def upload_shape(page, url: str, shape: str, seed: int, left_ms: Callable[[], float]) -> None:
    """Open the vision page at ``url`` and upload the generated ``shape`` (drawn from ``seed``) as a PNG called
    "my <shape>.png"; ``left_ms`` gives each step's timeout (see :func:`milliseconds_left`)."""
    import numpy as np

    from viz.data.shapes import CLASSES, make_shape

    image = make_shape(np.random.default_rng(seed), label=CLASSES.index(shape)).image
    page.goto(url, timeout=left_ms())
    upload_own_image(page, f"my {shape}.png", image, left_ms())


#: True once the page has at least one plotly chart and every one of them has drawn its SVG.
PLOTLY_DRAWN = """() => {
  const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
  return charts.length > 0 && charts.every(chart => chart.querySelector('.main-svg') !== null);
}"""

PLOTLY_JS = """
  const titleOf = p => String((p.layout && p.layout.title && p.layout.title.text) || '').replace(/<[^>]+>/g, '');
  const rowsOf = z => {
    if (z && z.bdata) {
      const bytes = Uint8Array.from(atob(z.bdata), c => c.charCodeAt(0));
      const Typed = {f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i4: Int32Array}[z.dtype];
      const flat = Array.from(new Typed(bytes.buffer));
      const width = z.shape ? Number(String(z.shape).split(',').pop()) : flat.length;
      return Array.from({length: flat.length / width}, (_, r) => flat.slice(r * width, (r + 1) * width));
    }
    return Array.from(z, row => Array.from(row));
  };
"""


def plotly_function(body: str, argument: str = "") -> str:
    """A function for ``page.wait_for_function``: ``body`` runs with :data:`PLOTLY_JS`'s helpers in scope."""
    return f"({argument}) => {{{PLOTLY_JS}\n{body}\n}}"
