"""A local stand-in for the Hugging Face Hub: an HTTP server on 127.0.0.1 serving model repositories from
folders, in the hub's URL layout, so that ``huggingface_hub`` (with ``HF_ENDPOINT`` pointed here) downloads
from it exactly as from the real hub. No test touches the real hub.

What it answers: the repository info (``/api/models/<repo>[/revision/<rev>]``), its file tree and paths-info
(sizes, git and LFS hashes), and the files themselves (``/<repo>/resolve/<rev>/<file>``, HEAD and GET, with
byte ranges for resumed downloads). Every request is recorded in ``hub.requests``.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

LFS_BYTES = 1000  # files at least this large are served as LFS files (as the hub does weights)


class FakeHub:
    """Repositories by id -> folder; ``url`` is what ``HF_ENDPOINT`` should be."""

    def __init__(self, repos: dict[str, Path]) -> None:
        self.repos = {repo: Path(folder) for repo, folder in repos.items()}
        self.requests: list[tuple[str, str]] = []
        self.fail_after_bytes: int | None = None  # cut the next larger file download after this many bytes
        self.resumed: list[tuple[str, int]] = []  # (file, first byte) of every ranged request
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def sha(self, repo: str) -> str:
        """The repository's commit: a hash of its files, 40 hex digits as git's."""
        digest = hashlib.sha1()
        for path in self.files(repo):
            digest.update(path.name.encode() + hashlib.sha1(path.read_bytes()).digest())
        return digest.hexdigest()

    def files(self, repo: str) -> list[Path]:
        return sorted(p for p in self.repos[repo].iterdir() if p.is_file())

    def entry(self, path: Path) -> dict:
        data = path.read_bytes()
        entry = {"type": "file", "path": path.name, "size": len(data), "oid": _git_oid(data)}
        if len(data) >= LFS_BYTES:
            entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
        return entry

    def start(self) -> FakeHub:
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_HEAD(self) -> None:
                hub._answer(self, head=True)

            def do_GET(self) -> None:
                hub._answer(self, head=False)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                hub._answer(self, head=False)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- the answers ---------------------------------------------------------------------------------

    def _answer(self, request: http.server.BaseHTTPRequestHandler, head: bool) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(request.path).path)
        self.requests.append((request.command, path))
        api = re.fullmatch(r"/api/models/(.+?)(?:/(revision|tree|paths-info)/([^/]+)(?:/.*)?)?", path)
        if api:
            repo, kind = api[1], api[2]
            if repo not in self.repos:
                return _send(request, 404, b'{"error": "Repository not found"}', head, repo_error=True)
            if kind in ("tree", "paths-info"):
                body = [self.entry(p) for p in self.files(repo)]
            else:
                body = {
                    "id": repo,
                    "modelId": repo,
                    "sha": self.sha(repo),
                    "siblings": [{"rfilename": p.name} for p in self.files(repo)],
                    "private": False,
                    "gated": False,
                    "disabled": False,
                }
            return _send(request, 200, json.dumps(body).encode(), head, content_type="application/json")
        resolve = re.fullmatch(r"/(.+?)/resolve/([^/]+)/(.+)", path)
        if resolve and resolve[1] in self.repos:
            repo, name = resolve[1], resolve[3]
            file = self.repos[repo] / name
            if Path(name).name != name or not file.is_file():
                return _send(request, 404, b"Entry not found", head, entry_error=True)
            return self._send_file(request, repo, file, head)
        return _send(request, 404, b'{"error": "Repository not found"}', head, repo_error=True)

    def _send_file(self, request, repo: str, file: Path, head: bool) -> None:
        data = file.read_bytes()
        entry = self.entry(file)
        etag = entry["lfs"]["oid"] if "lfs" in entry else entry["oid"]
        start = 0
        ranged = re.fullmatch(r"bytes=(\d+)-(\d*)", request.headers.get("Range", "").strip())
        if ranged:
            start = int(ranged[1])
            self.resumed.append((file.name, start))
        body = data[start:]
        request.send_response(206 if ranged else 200)
        request.send_header("Content-Length", str(len(body)))
        request.send_header("Content-Type", "application/octet-stream")
        request.send_header("Accept-Ranges", "bytes")
        request.send_header("ETag", f'"{etag}"')
        request.send_header("X-Repo-Commit", self.sha(repo))
        if "lfs" in entry:
            request.send_header("X-Linked-Etag", f'"{etag}"')
            request.send_header("X-Linked-Size", str(len(data)))
        if ranged:
            request.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        request.end_headers()
        if head:
            return
        cut = self.fail_after_bytes
        if cut is not None and not ranged and len(body) > cut:
            self.fail_after_bytes = None
            request.wfile.write(body[:cut])
            request.wfile.flush()
            request.close_connection = True
            with contextlib.suppress(OSError):
                request.connection.shutdown(2)
            return
        request.wfile.write(body)


def _git_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _send(request, status: int, body: bytes, head: bool, content_type: str = "text/plain", **errors) -> None:
    request.send_response(status)
    request.send_header("Content-Length", str(len(body)))
    request.send_header("Content-Type", content_type)
    if errors.get("repo_error"):
        request.send_header("X-Error-Code", "RepoNotFound")
    if errors.get("entry_error"):
        request.send_header("X-Error-Code", "EntryNotFound")
    request.end_headers()
    if not head:
        request.wfile.write(body)


@contextlib.contextmanager
def fake_hub(repos: dict[str, Path]) -> Iterator[FakeHub]:
    hub = FakeHub(repos).start()
    try:
        yield hub
    finally:
        hub.stop()
