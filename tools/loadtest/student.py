"""One simulated student: opens the app, changes pages, types new sentences, uploads pictures (some bad).

A student repeats rounds until the deadline or ``max_actions`` (the first is a text round, the second a vision
round, then at random): a *text round* (go to a text page, then type
1-3 new sentences), a *vision round* (go to a vision page, choose "Upload your own" if the uploader is not
shown yet, then upload 1-2 files) or a *browse* (go to any other page). Before every action the student
thinks for a random time; no action starts after the deadline, and every wait is bounded by the session's
rerun timeout, so a student always ends.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time

from tools.loadtest.payloads import image_file, sentence
from tools.loadtest.protocol import BrowserSession, RunOutcome

#: The pages registered in app.py, by url path, and the widgets the students use on them.
#: (positional.py shows the sentence box only in its "Adding to a sentence" view: students only browse it.)
TEXT_PAGES = ("attention", "walkthrough", "multihead")  # text area keyed "sentence" (viz/ui/inputs.py)
VISION_PAGES = ("vit-patches", "vit-attention", "swin", "swin-hierarchy")  # viz/ui/vision_inputs.py
SENTENCE_KEY = "sentence"
SOURCE_KEY, UPLOAD_SOURCE = "vision_source", "Upload your own"
UPLOAD_KEY = "vision_upload"

#: Kinds of timed action (the report's rows).
OPEN, PAGE, SENTENCE, UPLOAD, BAD_UPLOAD, SOURCE = (
    "open app",
    "page change",
    "new sentence",
    "image upload",
    "bad file upload",
    "choose upload",
)


@dataclasses.dataclass(frozen=True)
class Plan:
    deadline: float  # time.monotonic() after which no new action starts
    think: tuple[float, float] = (3.0, 12.0)  # seconds between actions, uniform
    max_actions: int = 200
    bad_share: float = 0.2  # share of uploads that are bad files
    text_pages: tuple[str, ...] = TEXT_PAGES
    vision_pages: tuple[str, ...] = VISION_PAGES
    rerun_timeout: float = 60.0


@dataclasses.dataclass
class Action:
    student: int
    kind: str
    page: str
    started: float  # time.monotonic()
    seconds: float
    ok: bool
    problems: list[str]
    n_bytes: int = 0
    upload_seconds: float = 0.0
    detail: str = ""


@dataclasses.dataclass
class StudentLog:
    student: int
    actions: list[Action] = dataclasses.field(default_factory=list)
    connected_at: float | None = None  # monotonic, after the first run finished
    closed_at: float | None = None

    @property
    def problems(self) -> list[Action]:
        return [a for a in self.actions if not a.ok]

    def answered(self, kinds: tuple[str, ...] = (SENTENCE, UPLOAD, BAD_UPLOAD, PAGE)) -> int:
        return sum(1 for a in self.actions if a.ok and a.kind in kinds)


class Student:
    def __init__(self, number: int, base_url: str, plan: Plan, seed: int = 0) -> None:
        self.number = number
        self.plan = plan
        self.rng = random.Random(seed * 1_000_003 + number)
        self.session = BrowserSession(base_url, name=f"student{number}", rerun_timeout=plan.rerun_timeout)
        self.log = StudentLog(number)
        self.page = ""
        self._n_sentences = self._n_uploads = 0

    def _record(
        self,
        kind: str,
        outcome: RunOutcome,
        started: float,
        detail: str = "",
        extra_problem: str | None = None,
    ) -> Action:
        problems = list(outcome.problems) + ([extra_problem] if extra_problem else [])
        action = Action(
            self.number,
            kind,
            self.page or "home",
            started,
            outcome.seconds,
            not problems,
            problems,
            outcome.n_bytes,
            outcome.upload_seconds,
            detail,
        )
        self.log.actions.append(action)
        return action

    def _actions_left(self) -> bool:
        return (
            len(self.log.actions) < self.plan.max_actions
            and time.monotonic() < self.plan.deadline
            and not self.session.closed_reason
        )

    async def _think(self) -> bool:
        """Sleep a random think time; False (without sleeping past it) when the deadline comes first."""
        pause = self.rng.uniform(*self.plan.think)
        if time.monotonic() + pause >= self.plan.deadline:
            return False
        await asyncio.sleep(pause)
        return self._actions_left()

    async def _goto(self, url_path: str) -> bool:
        started = time.monotonic()
        self.page = url_path
        outcome = await self.session.goto(url_path)
        return self._record(PAGE, outcome, started).ok

    def _present(self, pages: tuple[str, ...]) -> list[str]:
        """The pages of ``pages`` that the app's navigation lists (a page may not be registered yet)."""
        return [p for p in pages if p in self.session.pages]

    async def _text_round(self) -> None:
        pages = self._present(self.plan.text_pages)
        if not pages:
            return await self._browse()
        if not await self._think() or not await self._goto(self.rng.choice(pages)):
            return
        for _ in range(self.rng.randint(1, 3)):
            if not await self._think():
                return
            self._n_sentences += 1
            text = sentence(self.rng, self.number, self._n_sentences)
            started = time.monotonic()
            outcome = await self.session.set_text(SENTENCE_KEY, text)
            if not self._record(SENTENCE, outcome, started, detail=f"{len(text)} chars").ok:
                return

    async def _vision_round(self) -> None:
        pages = self._present(self.plan.vision_pages)
        if not pages:
            return await self._browse()
        if not await self._think() or not await self._goto(self.rng.choice(pages)):
            return
        if UPLOAD_KEY not in self.session.widgets:
            started = time.monotonic()
            outcome = await self.session.set_radio(SOURCE_KEY, UPLOAD_SOURCE)
            missing = (
                None
                if UPLOAD_KEY in outcome.widgets or not outcome.ok
                else "no file uploader after choosing it"
            )
            if not self._record(SOURCE, outcome, started, extra_problem=missing).ok:
                return
        for _ in range(self.rng.randint(1, 2)):
            if not await self._think():
                return
            self._n_uploads += 1
            upload = image_file(self.rng, self.number, self._n_uploads, self.plan.bad_share)
            started = time.monotonic()
            outcome = await self.session.upload(UPLOAD_KEY, upload.name, upload.content, upload.mime)
            refused = [body for fmt, body in outcome.alerts if fmt == "ERROR"]
            problem = None
            if outcome.ok and upload.bad and not refused:
                problem = f"bad file ({upload.label}) accepted without an error message"
            elif outcome.ok and not upload.bad and refused:
                problem = f"good {upload.label} refused: {refused[0][:200]}"
            kind = BAD_UPLOAD if upload.bad else UPLOAD
            detail = f"{upload.label}, {len(upload.content):,} bytes"
            if not self._record(kind, outcome, started, detail=detail, extra_problem=problem).ok:
                return

    async def _browse(self) -> None:
        others = [
            p
            for p in self.session.pages
            if p not in self.plan.text_pages and p not in self.plan.vision_pages and p != self.page
        ]
        if others and await self._think():
            await self._goto(self.rng.choice(sorted(others)))

    async def run(self) -> StudentLog:
        """Open the app and act until the deadline; the session stays open (see :meth:`close`). Never raises."""
        try:
            started = time.monotonic()
            outcome = await self.session.open()
            if self._record(OPEN, outcome, started).ok:
                self.log.connected_at = time.monotonic()
                rounds = 0
                while self._actions_left():
                    # The first two rounds are one of each (what the landing page suggests, then a picture), so
                    # even a short run exercises both; then at random.
                    draw = (0.0, 0.6)[rounds] if rounds < 2 else self.rng.random()
                    rounds += 1
                    if draw < 0.5:
                        await self._text_round()
                    elif draw < 0.85:
                        await self._vision_round()
                    else:
                        await self._browse()
        except Exception as err:  # noqa: BLE001 - a harness bug must show up as an error, not kill the run
            self.log.actions.append(
                Action(
                    self.number,
                    "harness",
                    self.page,
                    time.monotonic(),
                    0.0,
                    False,
                    [f"harness error: {type(err).__name__}: {err}"],
                )
            )
        return self.log

    async def close(self) -> None:
        """Close the tab (the websocket); the server keeps the session for a while, then frees it."""
        await self.session.close()
        self.log.closed_at = time.monotonic()
