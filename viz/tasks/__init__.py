"""Sequence-to-sequence tasks with generated data: reverse, sort, date normalisation.

Each example is a pair (source text, target text). A fixed tenth of all possible examples is held out:
an example is held out when ``crc32(split key) % 10 == 0`` (the key is the source, or for dates the ISO
date, so a held-out day is never seen in any format). Training draws only the other nine tenths, the
evaluation only the held-out tenth, so the accuracy printed is on inputs the model never trained on.
"""

from __future__ import annotations

import dataclasses
import random
import string
import zlib
from collections.abc import Callable

from viz.tasks import dates
from viz.tasks.vocab import (
    CharVocab,
    EmptyInputError,
    InputError,
    InputTooLongError,
    OutOfVocabularyError,
    describe_char,
)

HELD_OUT_MODULUS = 10
LETTERS = string.ascii_lowercase


@dataclasses.dataclass(frozen=True)
class Task:
    """A generated seq2seq task over a character vocabulary."""

    name: str
    title: str
    description: str
    chars: str  # the vocabulary's characters
    max_input_len: int
    max_output_len: int  # without the end marker
    example: Callable[[random.Random, int], tuple[str, str]] = dataclasses.field(repr=False, compare=False)
    rule: Callable[[str], str] | None = dataclasses.field(
        default=None, repr=False, compare=False
    )  # the output
    split_on_target: bool = False  # hold out by target (dates) instead of source
    default_input: str = ""
    examples: tuple[str, ...] = ()
    vocabulary_note: str = ""

    @property
    def vocab(self) -> CharVocab:
        return CharVocab(self.chars)

    def is_held_out(self, source: str, target: str) -> bool:
        key = target if self.split_on_target else source
        return zlib.crc32(key.encode("utf-8")) % HELD_OUT_MODULUS == 0

    def sample(self, rng: random.Random, split: str = "train") -> tuple[str, str]:
        """One example from the training part (``split="train"``) or the held-out part (``"held_out"``)."""
        if split not in ("train", "held_out"):
            raise ValueError(f"split must be 'train' or 'held_out', got {split!r}")
        want_held_out = split == "held_out"
        while True:
            source, target = self.example(rng, self.max_input_len)
            if self.is_held_out(source, target) == want_held_out:
                return source, target

    def with_max_len(self, max_input_len: int) -> Task:
        """The same task on shorter inputs (reverse and sort only)."""
        if self.name == "date":
            raise ValueError("the date task has fixed formats; its length cannot change")
        if not 1 <= max_input_len <= self.max_input_len:
            raise ValueError(f"max_input_len must be in [1, {self.max_input_len}], got {max_input_len}")
        return dataclasses.replace(self, max_input_len=max_input_len, max_output_len=max_input_len)

    def target(self, source: str) -> str | None:
        """The correct output for ``source`` when the rule can compute it (reverse, sort), else None."""
        return None if self.rule is None else self.rule(source)

    def prepare(self, text: str) -> str:
        """Check typed text for this task and return what the model reads.

        Surrounding whitespace is dropped; for dates, runs of spaces become one.

        Raises:
            EmptyInputError, OutOfVocabularyError, InputTooLongError: with a message naming the problem.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        text = " ".join(text.split()) if self.name == "date" else text.strip()
        if not text:
            raise EmptyInputError(f"the input is empty: type some text for the {self.title.lower()} task")
        unknown = self.vocab.unknown(text)
        if unknown:
            shown = ", ".join(describe_char(ch) for ch in unknown[:8]) + (" ..." if len(unknown) > 8 else "")
            raise OutOfVocabularyError(
                f"{len(unknown)} character{'s' if len(unknown) > 1 else ''} not in the {self.name} model's "
                f"vocabulary: {shown}. {self.vocabulary_note}",
                unknown,
            )
        if len(text) > self.max_input_len:
            raise InputTooLongError(
                f"the input has {len(text)} characters; the {self.name} model was trained on at most "
                f"{self.max_input_len}"
            )
        return text


def _random_string(rng: random.Random, max_len: int, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, max_len)))


def _letters_task(
    name: str, title: str, rule: Callable[[str], str], description: str, examples: tuple[str, ...]
) -> Task:
    """A task on up to 16 lowercase letters whose output ``rule`` computes from the input."""

    def example(rng: random.Random, max_len: int) -> tuple[str, str]:
        source = _random_string(rng, max_len, LETTERS)
        return source, rule(source)

    return Task(
        name=name,
        title=title,
        chars=LETTERS,
        max_input_len=16,
        max_output_len=16,
        example=example,
        rule=rule,
        default_input="transformer",
        description=description,
        examples=("transformer", "attention", *examples),
        vocabulary_note="Use lowercase letters a-z only, at most 16.",
    )


def _date_example(rng: random.Random, max_len: int) -> tuple[str, str]:
    return dates.random_example(rng)


TASKS: dict[str, Task] = {
    "reverse": _letters_task(
        "reverse",
        "Reverse",
        lambda source: source[::-1],
        "Write the letters in reverse order: 'attention' -> 'noitnetta'.",
        ("abcdefgh", "level", "encoderdecoder"),
    ),
    "sort": _letters_task(
        "sort",
        "Sort",
        lambda source: "".join(sorted(source)),
        "Sort the letters alphabetically: 'attention' -> 'aeinntttt'.",
        ("hgfedcba", "banana", "zyxwvutsrqponm"),
    ),
    "date": Task(
        name="date",
        title="Dates to ISO",
        chars=dates.alphabet(),
        max_input_len=32,
        max_output_len=10,
        example=_date_example,
        split_on_target=True,
        default_input="Monday, 30 November 2026",
        description="Rewrite a date written in any of 19 formats as YYYY-MM-DD: "
        "'30 Nov 2026', 'November 30, 2026', '30/11/2026' (day first), '2026.11.30' -> '2026-11-30'.",
        examples=(
            "Monday, 30 November 2026",
            "30 Nov 2026",
            "November 30, 2026",
            "30/11/2026",
            "2026.11.30",
            "4th of july 1976",
            "31 Feb 2026",
        ),
        vocabulary_note="Dates use digits, English month and weekday names, spaces and , / . - "
        "(years 1900-2099).",
    ),
}


def get_task(name: str, max_input_len: int | None = None) -> Task:
    """A task by name, optionally restricted to shorter inputs."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {sorted(TASKS)}")
    task = TASKS[name]
    return (
        task
        if max_input_len is None or max_input_len == task.max_input_len
        else task.with_max_len(max_input_len)
    )


__all__ = [
    "TASKS",
    "Task",
    "get_task",
    "CharVocab",
    "InputError",
    "EmptyInputError",
    "OutOfVocabularyError",
    "InputTooLongError",
]
