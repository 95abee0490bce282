"""The plain HTTP requests a browser makes next to the websocket, on asyncio streams (no thread per request).

Only loopback hosts are accepted: a load test must never send traffic anywhere else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class HttpError(RuntimeError):
    """A request that could not be made or answered (not a non-2xx status: see ``Response.status``)."""


@dataclasses.dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]  # (lower-case name, value), in order
    body: bytes

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name.lower()]


def loopback_address(url: str) -> tuple[str, int]:
    """(host, port) of an http:// or ws:// URL on this machine; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "ws"}:
        raise ValueError(f"only http:// and ws:// URLs are supported, not {url!r}")
    if parts.hostname not in LOOPBACK:
        raise ValueError(f"the load test only talks to this machine (127.0.0.1), not {parts.hostname!r}")
    return parts.hostname, parts.port or 80


async def request(
    method: str, url: str, *, headers: dict[str, str] | None = None, body: bytes = b"", timeout: float = 30.0
) -> Response:
    """One HTTP/1.1 request on a fresh connection (``Connection: close``); raises HttpError on failure."""
    host, port = loopback_address(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [
        f"{method} {target} HTTP/1.1",
        f"Host: {host}:{port}",
        "Connection: close",
        "User-Agent: transformer-viz-load-test",
        f"Content-Length: {len(body)}",
    ]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def exchange() -> Response:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(head + body)
            await writer.drain()
            raw = await reader.read()  # Connection: close -> the server closes after the response
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        header_end = raw.find(b"\r\n\r\n")
        if header_end < 0:
            raise HttpError(f"{method} {target}: incomplete response ({len(raw)} bytes)")
        status_line, *header_lines = raw[:header_end].decode("latin-1").split("\r\n")
        try:
            status = int(status_line.split(" ", 2)[1])
        except (IndexError, ValueError):
            raise HttpError(f"{method} {target}: bad status line {status_line!r}") from None
        pairs = []
        for line in header_lines:
            name, _, value = line.partition(":")
            pairs.append((name.strip().lower(), value.strip()))
        payload = raw[header_end + 4 :]
        if any(k == "transfer-encoding" and "chunked" in v.lower() for k, v in pairs):
            payload = _dechunk(payload)
        return Response(status, pairs, payload)

    try:
        return await asyncio.wait_for(exchange(), timeout)
    except TimeoutError:
        raise HttpError(f"{method} {target}: no response within {timeout:.0f} s") from None
    except (ConnectionError, OSError) as err:
        raise HttpError(f"{method} {target}: {type(err).__name__}: {err}") from None


def _dechunk(data: bytes) -> bytes:
    out, pos = bytearray(), 0
    while True:
        line_end = data.find(b"\r\n", pos)
        if line_end < 0:
            return bytes(out)
        size = int(data[pos:line_end].split(b";")[0] or b"0", 16)
        if size == 0:
            return bytes(out)
        out += data[line_end + 2 : line_end + 2 + size]
        pos = line_end + 2 + size + 2


def multipart_file(field: str, filename: str, content: bytes, mime: str) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data body holding one file, as the browser's FormData."""
    boundary = f"----loadtest{uuid.uuid4().hex}"
    safe_name = filename.replace('"', "_")
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field.replace(chr(34), "_")}"; filename="{safe_name}"\r\n'
            f"Content-Type: {mime}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"
