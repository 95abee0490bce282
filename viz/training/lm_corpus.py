"""The English corpus of the bundled language model: the King James Bible (1611, public domain).

Where the text comes from: Debian's ``bible-kjv-text`` package (``apt-get install bible-kjv-text``, which
pulls in ``bible-kjv``) installs the text compressed in ``/usr/lib/bible.data``; its reader ``bible``
prints it. :func:`read_installed_text` runs ``bible -l100000 Gen1:1-Rev22:21`` (one verse a line, no
wrapping), which prints each chapter under a heading and each verse after its number::

    Genesis 1

      1 In the beginning God created the heaven and the earth.
      2 And the earth was without form, and void; ...

:func:`parse_chapters` turns that into chapters of plain prose lines (headings and verse numbers removed),
:func:`split_chapters` holds out a seeded, deterministic 1 in 50 of the chapters. Nothing here is committed:
the text is installed from the registry.
"""

from __future__ import annotations

import dataclasses
import random
import re
import shutil
import subprocess

#: The package that installs the text, and the reader's command line that prints all of it.
PACKAGE = "bible-kjv-text"
BIBLE_COMMAND = ("bible", "-l100000", "Gen1:1-Rev22:21")
#: The separator between chapters in the token stream (GPT-2's end-of-text token).
END_OF_TEXT = "<|endoftext|>"

_HEADING = re.compile(r"^(?P<book>\S.*?) (?P<chapter>\d+)$")  # at column 0: "1 Samuel 3"
_VERSE = re.compile(r"^\s+(?P<verse>\d+) (?P<text>\S.*)$")  # indented: "  12 And the ..."
_SPACES = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True)
class Chapter:
    book: str
    number: int
    verses: tuple[str, ...]  # plain prose, one verse a line, no verse numbers

    @property
    def text(self) -> str:
        return "\n".join(self.verses)


def read_installed_text() -> str:
    """The whole text as the installed ``bible`` reader prints it.

    Raises:
        ValueError: if the package is not installed.
    """
    if shutil.which(BIBLE_COMMAND[0]) is None:
        raise ValueError(f"the corpus needs Debian's {PACKAGE}: apt-get install -y {PACKAGE}")
    return subprocess.run(BIBLE_COMMAND, capture_output=True, text=True, check=True).stdout


def parse_chapters(text: str) -> list[Chapter]:
    """Chapters of plain prose lines from the reader's output.

    A line at column 0 ending in a number is a chapter heading; an indented line starting with a number is a
    verse (its number dropped, runs of white space made one space); any other line continues the verse
    before it (the reader wraps long verses at column 0 when given a narrow width; the wide width that
    :data:`BIBLE_COMMAND` asks for prints each verse on one line).

    Raises:
        ValueError: for a verse before any heading, or for text with no chapter.
    """
    chapters: list[Chapter] = []
    book, number, verses = None, 0, []

    def close() -> None:
        if book is not None and verses:
            chapters.append(Chapter(book, number, tuple(verses)))

    for line in text.splitlines():
        if not line.strip():
            continue
        heading, verse = _HEADING.match(line), _VERSE.match(line)
        if heading and not line[0].isspace():
            close()
            book, number, verses = heading["book"], int(heading["chapter"]), []
        elif verse:
            if book is None:
                raise ValueError(f"a verse before any chapter heading: {line[:60]!r}")
            verses.append(_SPACES.sub(" ", verse["text"]).strip())
        elif verses:
            verses[-1] += " " + _SPACES.sub(" ", line).strip()
    close()
    if not chapters:
        raise ValueError("no chapter heading followed by verses in the text")
    return chapters


def split_chapters(
    chapters: list[Chapter], seed: int = 0, held_out_every: int = 50
) -> tuple[list[Chapter], list[Chapter]]:
    """(train, held-out): one chapter in ``held_out_every`` held out, chosen by ``seed`` (reproducible).

    Chapters are taken in blocks of ``held_out_every`` consecutive chapters; one chapter of each block,
    drawn by ``random.Random(seed)``, is held out, so the held-out part spreads over the whole book.
    """
    if held_out_every < 2:
        raise ValueError(f"held_out_every must be at least 2, got {held_out_every}")
    rng = random.Random(f"kjv-split:{seed}")
    held: set[int] = set()
    for start in range(0, len(chapters), held_out_every):
        block = range(start, min(start + held_out_every, len(chapters)))
        held.add(rng.choice(block))
    train = [c for i, c in enumerate(chapters) if i not in held]
    return train, [c for i, c in enumerate(chapters) if i in held]


def documents(chapters: list[Chapter]) -> list[str]:
    """One document a chapter: its verses, one a line."""
    return [c.text for c in chapters]


def load_split(seed: int = 0) -> tuple[list[Chapter], list[Chapter]]:
    """The installed corpus, split into (train, held-out) chapters."""
    return split_chapters(parse_chapters(read_installed_text()), seed)
