"""One simulated browser tab, speaking Streamlit's websocket protocol as the browser's own frontend does.

The sequence, as read from Streamlit 1.67's server (``streamlit/web/server/starlette/starlette_websocket.py``,
``starlette_routes.py``, ``streamlit/runtime/app_session.py``) and its frontend bundle:

1. ``GET /`` (the page), ``GET /_stcore/health`` (sets the ``_streamlit_xsrf`` cookie), ``GET /_stcore/host-config``.
2. websocket ``/_stcore/stream`` with subprotocols ``["streamlit", <xsrf cookie value>]`` and the cookie.
3. The browser sends ``BackMsg.rerun_script`` = ``ClientState(query_string, page_name=<path in the address>)``;
   the server answers with ``new_session`` (the session id, the run's page), ``navigation`` (the pages of
   ``st.navigation``: hash, title, url path), ``delta`` messages (elements; a widget's id ends in its user key,
   ``$$ID-<hash>-<key>``), ``page_info_changed`` (the address's query string) and ``script_finished``.
4. A widget change is another ``rerun_script`` carrying every active widget's value (``widget_states``), the
   current ``page_script_hash`` and query string; a page change is one with the target page's hash.
5. An upload: ``BackMsg.file_urls_request(request_id, file_names, session_id)`` -> ``ForwardMsg.file_urls_response``
   (file id, upload URL, delete URL) -> ``PUT`` of a multipart body (field named after the file) with header
   ``X-Xsrftoken`` -> ``rerun_script`` with the uploader's ``FileUploaderState`` (file id, name, size, URLs). A
   single-file uploader deletes the file it replaces (``DELETE`` of its delete URL).

A rerun is timed from sending the BackMsg to the ``script_finished`` of the run it started (what a student
waits for). Problems are collected, never raised: an exception element, a compile error, a page not found, a
closed or failed connection, a timeout.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

from tools.loadtest import localhttp

XSRF_COOKIE = "_streamlit_xsrf"
ID_PREFIX = "$$ID-"
#: The largest ForwardMsg we accept (the app's target is <= 3 MB per rerun; Streamlit's own cap is 200 MB).
MAX_MESSAGE_BYTES = 256 * 2**20


def user_key(element_id: str) -> str | None:
    """The user key at the end of a widget id (``$$ID-<hash>-<key>``), as Streamlit's own helper reads it."""
    if not element_id.startswith(ID_PREFIX):
        return None
    key = element_id.split("-", maxsplit=2)[-1]
    return None if key == "None" else key


@dataclasses.dataclass(frozen=True)
class Page:
    script_hash: str
    title: str
    url_path: str  # "" for the default page


@dataclasses.dataclass(frozen=True)
class Widget:
    id: str
    kind: str  # the Element oneof name: "text_area", "radio", "file_uploader", ...
    proto: object  # the element's own proto (e.g. a TextArea)


@dataclasses.dataclass
class RunOutcome:
    """What one rerun (or an upload and the rerun it triggers) gave back."""

    ok: bool
    seconds: float  # from the BackMsg (or the start of the upload) to script_finished
    problems: list[str]
    widgets: dict[str, Widget]  # keyed widgets of the finished run, by user key
    alerts: list[tuple[str, str]]  # (Alert format name, body)
    n_messages: int = 0
    n_bytes: int = 0
    upload_seconds: float = 0.0  # for uploads: URL request + PUT, before the rerun


class _Run:
    """Collects the messages of one run, from the BackMsg that asked for it to its script_finished."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.done: asyncio.Future[None] = loop.create_future()
        self.problems: list[str] = []
        self.widgets: dict[str, Widget] = {}
        self.active_ids: set[str] = set()
        self.alerts: list[tuple[str, str]] = []
        self.n_messages = 0
        self.n_bytes = 0

    def restart(self) -> None:  # a new script run began (e.g. after st.rerun): its elements replace the old
        self.widgets.clear()
        self.active_ids.clear()
        self.alerts.clear()

    def finish(self, problem: str | None = None) -> None:
        if problem:
            self.problems.append(problem)
        if not self.done.done():
            self.done.set_result(None)


class BrowserSession:
    """One tab: a websocket session with the state a browser keeps (page, query string, widget values)."""

    def __init__(
        self, base_url: str, *, name: str = "tab", rerun_timeout: float = 60.0, connect_timeout: float = 30.0
    ) -> None:
        localhttp.loopback_address(base_url)  # refuses anything but this machine
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.rerun_timeout = rerun_timeout
        self.connect_timeout = connect_timeout
        self.session_id = ""
        self.pages: dict[str, Page] = {}  # by url path
        self.page_hash = ""
        self.query_string = ""
        self.bound_params: set[str] = set()  # query parameters bound to widgets (bind="query-params")
        self.widget_states: dict[str, WidgetState] = {}  # what the browser would send: active widgets' values
        self.widgets: dict[str, Widget] = {}  # keyed widgets of the last finished run
        self.closed_reason: str | None = None
        self.cookies: dict[str, str] = {}  # what the browser's cookie jar holds for this origin
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._run: _Run | None = None
        self._file_urls: dict[str, asyncio.Future] = {}
        self.bytes_received = 0

    # ---- connection ------------------------------------------------------------------------------------
    async def open(self, url_path: str = "", query_string: str = "") -> RunOutcome:
        """Load the app at ``/<url_path>?<query_string>``: the page, health (XSRF cookie), websocket, first run.

        (The page's JavaScript bundles, which a browser loads once and caches, are not fetched.)
        """
        start = time.perf_counter()
        for path in (f"/{url_path}", "/_stcore/health", "/_stcore/host-config"):
            headers = {"Cookie": self._cookie_header()} if self.cookies else None
            try:
                response = await localhttp.request(
                    "GET", f"{self.base_url}{path}", headers=headers, timeout=self.connect_timeout
                )
            except localhttp.HttpError as err:
                return self._failed(start, f"GET {path} failed: {err}")
            if response.status != 200:
                return self._failed(start, f"GET {path} answered HTTP {response.status}")
            self._remember_cookies(response)
        xsrf = self.cookies.get(XSRF_COOKIE, "")
        host = urlsplit(self.base_url).netloc
        try:
            self._ws = await asyncio.wait_for(
                connect(
                    f"ws://{host}/_stcore/stream",
                    subprotocols=["streamlit", xsrf or "PLACEHOLDER_AUTH_TOKEN"],
                    additional_headers={"Cookie": self._cookie_header()} if self.cookies else None,
                    origin=self.base_url,
                    proxy=None,  # never through a proxy: loopback only
                    max_size=MAX_MESSAGE_BYTES,
                    max_queue=None,  # the reader below drains every frame at once
                    open_timeout=self.connect_timeout,
                ),
                self.connect_timeout + 5,
            )
        except (OSError, TimeoutError, websockets.WebSocketException) as err:
            return self._failed(start, f"websocket connect failed: {type(err).__name__}: {err}")
        self._reader = asyncio.create_task(self._read_forever(), name=f"{self.name}-reader")
        self.query_string = query_string
        return await self._rerun(
            ClientState(
                query_string=query_string,
                page_name=url_path,
                context_info=self._context(url_path, query_string),
            ),
            start,
        )

    async def close(self) -> None:
        if self._ws is not None:
            try:
                await asyncio.wait_for(self._ws.close(), 10)
            except (TimeoutError, websockets.WebSocketException, OSError):
                pass
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - closing: nothing more to learn
                pass
        self._ws = self._reader = None

    # ---- what a student does -----------------------------------------------------------------------------
    async def goto(self, url_path: str) -> RunOutcome:
        """Click a page in the navigation: rerun with its page_script_hash, as the browser's nav does."""
        page = self.pages.get(url_path)
        if page is None:
            return self._failed(time.perf_counter(), f"no page with url path {url_path!r} in the navigation")
        # The browser keeps only the widget-bound parameters (and embed ones) across a page change.
        kept = [
            (k, v)
            for k, v in parse_qsl(self.query_string, keep_blank_values=True)
            if k in self.bound_params or k.startswith("embed")
        ]
        self.query_string = urlencode(kept)
        return await self._rerun(self._client_state(page_script_hash=page.script_hash))

    async def set_text(self, key: str, text: str) -> RunOutcome:
        widget = self.widgets.get(key)
        if widget is None or widget.kind not in {"text_area", "text_input"}:
            return self._failed(time.perf_counter(), f"no text widget with key {key!r} on the page")
        self.widget_states[widget.id] = WidgetState(id=widget.id, string_value=text)
        param = getattr(widget.proto, "query_param_key", "")
        if param:  # the browser rewrites a bound widget's parameter in the address when the value changes
            self._set_param(param, text)
        return await self._rerun(self._client_state())

    async def set_radio(self, key: str, option: str) -> RunOutcome:
        widget = self.widgets.get(key)
        if widget is None or widget.kind != "radio":
            return self._failed(time.perf_counter(), f"no radio with key {key!r} on the page")
        if option not in list(widget.proto.options):
            return self._failed(time.perf_counter(), f"radio {key!r} has no option {option!r}")
        self.widget_states[widget.id] = WidgetState(id=widget.id, string_value=option)
        return await self._rerun(self._client_state())

    async def upload(self, key: str, filename: str, content: bytes, mime: str) -> RunOutcome:
        """Put a file in a single-file uploader, exactly as the browser: URLs, PUT, (DELETE old), rerun."""
        start = time.perf_counter()
        widget = self.widgets.get(key)
        if widget is None or widget.kind != "file_uploader":
            return self._failed(start, f"no file uploader with key {key!r} on the page")
        if self._ws is None or self.closed_reason:
            return self._failed(start, f"connection closed: {self.closed_reason}")
        request_id = uuid.uuid4().hex
        answer = asyncio.get_running_loop().create_future()
        self._file_urls[request_id] = answer
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.append(filename)
        msg.file_urls_request.session_id = self.session_id
        try:
            await self._ws.send(msg.SerializeToString())
            response = await asyncio.wait_for(answer, self.rerun_timeout)
        except TimeoutError:
            return self._failed(start, "no file_urls_response within the timeout")
        except (websockets.WebSocketException, OSError) as err:
            return self._failed(start, f"connection failed while requesting upload URLs: {err}")
        finally:
            self._file_urls.pop(request_id, None)
        if response.error_msg or not response.file_urls:
            return self._failed(start, f"file_urls_response error: {response.error_msg or 'no URLs'}")
        urls: FileURLs = response.file_urls[0]
        body, content_type = localhttp.multipart_file(filename, filename, content, mime)
        headers = {"Content-Type": content_type, "Origin": self.base_url}
        if self.cookies:
            headers["Cookie"] = self._cookie_header()
        if XSRF_COOKIE in self.cookies:
            headers["X-Xsrftoken"] = self.cookies[XSRF_COOKIE]
        try:
            put = await localhttp.request(
                "PUT", self._absolute(urls.upload_url), headers=headers, body=body, timeout=self.rerun_timeout
            )
        except localhttp.HttpError as err:
            return self._failed(start, f"upload PUT failed: {err}")
        self._remember_cookies(put)
        if put.status // 100 != 2:
            return self._failed(start, f"upload PUT answered HTTP {put.status}: {put.body[:200]!r}")
        previous = self.widget_states.get(widget.id)
        if previous is not None and previous.HasField("file_uploader_state_value"):
            for info in previous.file_uploader_state_value.uploaded_file_info:
                if info.file_urls.delete_url:  # the browser deletes the file a single-file uploader replaces
                    try:
                        await localhttp.request(
                            "DELETE",
                            self._absolute(info.file_urls.delete_url),
                            headers=headers | {"Content-Type": "text/plain"},
                            timeout=30,
                        )
                    except localhttp.HttpError:
                        pass  # as in the browser: a failed delete is not shown
        state = WidgetState(id=widget.id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, filename, len(content)
        info.file_urls.CopyFrom(urls)
        self.widget_states[widget.id] = state
        upload_seconds = time.perf_counter() - start
        outcome = await self._rerun(self._client_state(), start)
        outcome.upload_seconds = upload_seconds
        return outcome

    # ---- internals -----------------------------------------------------------------------------------------
    def _remember_cookies(self, response: localhttp.Response) -> None:
        """Keep every cookie a response sets (Streamlit's XSRF cookie, a load balancer's routing cookie)."""
        for cookie in response.header_values("set-cookie"):
            name, _, rest = cookie.partition("=")
            if name.strip():
                self.cookies[name.strip()] = rest.split(";", 1)[0]

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _absolute(self, url: str) -> str:
        return url if "://" in url else f"{self.base_url}/{url.lstrip('/')}"

    def _set_param(self, name: str, value: str) -> None:
        pairs = [(k, v) for k, v in parse_qsl(self.query_string, keep_blank_values=True) if k != name]
        self.query_string = urlencode(pairs + [(name, value)])

    def _context(self, url_path: str = "", query: str = "") -> object:
        from streamlit.proto.ClientState_pb2 import ContextInfo

        url = f"{self.base_url}/{url_path}" + (f"?{query}" if query else "")
        return ContextInfo(
            timezone="UTC",
            timezone_offset=0,
            locale="en-US",
            url=url,
            is_embedded=False,
            color_scheme="light",
        )

    def _client_state(self, page_script_hash: str | None = None) -> ClientState:
        state = ClientState(
            query_string=self.query_string,
            page_script_hash=page_script_hash or self.page_hash,
            context_info=self._context(),
        )
        state.widget_states.widgets.extend(self.widget_states.values())
        return state

    def _failed(self, start: float, problem: str) -> RunOutcome:
        return RunOutcome(False, time.perf_counter() - start, [problem], {}, [])

    async def _rerun(self, client_state: ClientState, start: float | None = None) -> RunOutcome:
        start = time.perf_counter() if start is None else start
        if self._ws is None or self.closed_reason:
            return self._failed(start, f"connection closed: {self.closed_reason}")
        run = self._run = _Run(asyncio.get_running_loop())
        msg = BackMsg()
        msg.rerun_script.CopyFrom(client_state)
        try:
            await self._ws.send(msg.SerializeToString())
            await asyncio.wait_for(asyncio.shield(run.done), self.rerun_timeout)
        except TimeoutError:
            run.problems.append(f"timeout: no script_finished within {self.rerun_timeout:.0f} s")
        except (websockets.WebSocketException, OSError) as err:
            run.problems.append(f"connection failed: {type(err).__name__}: {err}")
        finally:
            self._run = None
        seconds = time.perf_counter() - start
        if run.done.done() and not run.problems:
            # The browser forgets the values of widgets that the finished run no longer shows.
            self.widget_states = {i: s for i, s in self.widget_states.items() if i in run.active_ids}
            self.widgets = dict(run.widgets)
        return RunOutcome(
            not run.problems,
            seconds,
            run.problems,
            dict(run.widgets),
            list(run.alerts),
            run.n_messages,
            run.n_bytes,
        )

    async def _read_forever(self) -> None:
        reason = "closed by the server"
        try:
            async for raw in self._ws:
                if isinstance(raw, str):
                    continue
                self.bytes_received += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._handle(msg, len(raw))
        except websockets.ConnectionClosed as err:
            reason = f"connection closed ({err.rcvd.code if err.rcvd else 'no close frame'})"
        except asyncio.CancelledError:
            reason = "closed by the client"
            raise
        except Exception as err:  # noqa: BLE001 - a reader crash must surface as a problem, not hang a run
            reason = f"reader failed: {type(err).__name__}: {err}"
        finally:
            self.closed_reason = reason
            if self._run is not None:
                self._run.finish(reason)
            for future in self._file_urls.values():
                if not future.done():
                    future.set_exception(ConnectionError(reason))

    def _handle(self, msg: ForwardMsg, size: int) -> None:
        kind = msg.WhichOneof("type")
        run = self._run
        if run is not None:
            run.n_messages += 1
            run.n_bytes += size
        if kind == "new_session":
            new = msg.new_session
            if new.initialize.session_id:
                self.session_id = new.initialize.session_id
            if new.page_script_hash:
                self.page_hash = new.page_script_hash
            for page in new.app_pages:  # pages/ folder apps list their pages here; st.navigation below
                self.pages.setdefault(
                    page.url_pathname, Page(page.page_script_hash, page.page_name, page.url_pathname)
                )
            if run is not None:
                run.restart()
        elif kind == "navigation":
            nav = msg.navigation
            self.pages = {
                p.url_pathname if not p.is_default else "": Page(
                    p.page_script_hash, p.page_name, p.url_pathname
                )
                for p in nav.app_pages
                if not p.HasField("external_url")
            }
            for p in nav.app_pages:  # the default page also answers to its own url path
                if p.is_default and p.url_pathname:
                    self.pages.setdefault(
                        p.url_pathname, Page(p.page_script_hash, p.page_name, p.url_pathname)
                    )
            if nav.page_script_hash:
                self.page_hash = nav.page_script_hash
        elif kind == "delta" and run is not None:
            if msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, run)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found" and run is not None:
            run.problems.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event" and run is not None:
            if msg.session_event.WhichOneof("type") == "script_compilation_exception":
                exc = msg.session_event.script_compilation_exception
                run.problems.append(f"script compilation error: {exc.type}: {exc.message}")
        elif kind == "file_urls_response":
            future = self._file_urls.get(msg.file_urls_response.response_id)
            if future is not None and not future.done():
                future.set_result(msg.file_urls_response)
        elif kind == "script_finished" and run is not None:
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return  # another run follows (st.rerun): keep waiting for it
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.finish("script finished with a compile error")
            else:
                run.finish()

    def _element(self, element, run: _Run) -> None:
        kind = element.WhichOneof("type")
        if kind is None:
            return
        proto = getattr(element, kind)
        if kind == "exception":
            text = f"exception element: {proto.type}: {proto.message}".strip()
            run.problems.append(text[:500])
            return
        if kind == "alert":
            run.alerts.append((Alert.Format.Name(proto.format), proto.body))
            return
        element_id = getattr(proto, "id", "") if "id" in proto.DESCRIPTOR.fields_by_name else ""
        if not element_id:
            return
        run.active_ids.add(element_id)
        param = (
            getattr(proto, "query_param_key", "")
            if "query_param_key" in proto.DESCRIPTOR.fields_by_name
            else ""
        )
        if param:
            self.bound_params.add(param)
        key = user_key(element_id)
        if key is not None:
            run.widgets[key] = Widget(element_id, kind, proto)
