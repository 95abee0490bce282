"""Generated tasks: correct targets, a held-out split that never leaks, clear messages for bad input."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from viz.tasks import TASKS, EmptyInputError, InputTooLongError, OutOfVocabularyError, dates, get_task


@pytest.mark.parametrize("name", sorted(TASKS))
def test_examples_follow_the_rule_and_fit_the_vocabulary(name):
    task = TASKS[name]
    rng = random.Random(0)
    for _ in range(300):
        source, target = task.sample(rng)
        assert 1 <= len(source) <= task.max_input_len
        assert len(target) <= task.max_output_len
        assert not task.vocab.unknown(source + target)
        if name == "reverse":
            assert target == source[::-1]
        elif name == "sort":
            assert target == "".join(sorted(source))
        else:
            assert dt.date.fromisoformat(target)


@pytest.mark.parametrize("name", sorted(TASKS))
def test_training_and_held_out_parts_are_disjoint(name):
    task = TASKS[name]
    rng = random.Random(1)
    train = [task.sample(rng, "train") for _ in range(400)]
    held = [task.sample(rng, "held_out") for _ in range(100)]
    assert not any(task.is_held_out(s, t) for s, t in train)
    assert all(task.is_held_out(s, t) for s, t in held)
    key = 1 if name == "date" else 0
    assert not {p[key] for p in train} & {p[key] for p in held}


def test_date_formats_of_the_issue():
    day = dt.date(2026, 11, 30)
    written = {dates.format_date(day, f) for f in dates.FORMATS}
    for example in (
        "30 Nov 2026",
        "November 30, 2026",
        "30/11/2026",
        "2026.11.30",
        "Monday, 30 November 2026",
    ):
        assert example in written
    assert dates.format_date(dt.date(2026, 1, 5), "{d}/{m}/{Y}") == "5/1/2026"  # day first
    assert [dates.ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "31st",
    ]


def test_impossible_dates_are_recognised():
    assert "no day 31" in dates.impossible_date_hint("31 Feb 2026")
    assert "no day 30" in dates.impossible_date_hint("30/02/2026")
    assert "no month 13" in dates.impossible_date_hint("2026.13.01")
    assert dates.impossible_date_hint("29/02/2024") is None  # a leap year
    assert dates.impossible_date_hint("Monday, 30 November 2026") is None
    assert dates.is_real_iso_date("2024-02-29") and not dates.is_real_iso_date("2023-02-29")


@pytest.mark.parametrize(
    "text, error, words",
    [
        ("", EmptyInputError, ["empty"]),
        ("   ", EmptyInputError, ["empty"]),
        ("Hello World", OutOfVocabularyError, ["'H'", "space", "'W'", "a-z"]),
        ("abc\u200b", OutOfVocabularyError, ["U+200B"]),
        ("<b>x</b>", OutOfVocabularyError, ["'<'", "'>'", "'/'"]),
        ("a" * 17, InputTooLongError, ["17 characters", "at most 16"]),
    ],
)
def test_bad_input_gets_a_message_naming_the_problem(text, error, words):
    with pytest.raises(error) as caught:
        TASKS["reverse"].prepare(text)
    for word in words:
        assert word in str(caught.value)


def test_date_input_is_tidied_and_checked():
    assert TASKS["date"].prepare("  30   Nov  2026 ") == "30 Nov 2026"
    with pytest.raises(OutOfVocabularyError, match="'~'"):
        TASKS["date"].prepare("30 Nov 2026~")


def test_shorter_variant():
    short = get_task("reverse", 8)
    assert short.max_input_len == short.max_output_len == 8
    rng = random.Random(0)
    assert max(len(short.sample(rng)[0]) for _ in range(200)) == 8
    with pytest.raises(ValueError):
        get_task("date", 8)
    with pytest.raises(ValueError, match="unknown task"):
        get_task("translate-french")
