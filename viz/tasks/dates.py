"""Dates written in many formats, and their ISO 8601 form (YYYY-MM-DD).

Numeric formats with slashes, dots or dashes put the day first when the year is last (30/11/2026) and
the year first otherwise (2026.11.30). Weekday names always match the date.
"""

from __future__ import annotations

import datetime as dt
import random
import re

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


def ordinal(day: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 22 -> '22nd'."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _fields(date: dt.date) -> dict[str, str]:
    month, weekday = MONTHS[date.month - 1], WEEKDAYS[date.weekday()]
    return {
        "Y": f"{date.year:04d}",
        "mm": f"{date.month:02d}",
        "m": str(date.month),
        "dd": f"{date.day:02d}",
        "d": str(date.day),
        "Month": month,
        "Mon": month[:3],
        "Weekday": weekday,
        "Wkd": weekday[:3],
        "dth": ordinal(date.day),
    }


#: Every format the date model was taught, as str.format templates over :func:`_fields`.
FORMATS = [
    "{d} {Mon} {Y}",  # 30 Nov 2026
    "{d} {Month} {Y}",  # 30 November 2026
    "{Month} {d}, {Y}",  # November 30, 2026
    "{Mon} {d}, {Y}",  # Nov 30, 2026
    "{Month} {d} {Y}",  # November 30 2026
    "{dd}/{mm}/{Y}",  # 30/11/2026 (day first)
    "{d}/{m}/{Y}",  # 5/1/2026
    "{dd}.{mm}.{Y}",  # 30.11.2026
    "{dd}-{mm}-{Y}",  # 30-11-2026
    "{Y}.{mm}.{dd}",  # 2026.11.30
    "{Y}/{mm}/{dd}",  # 2026/11/30
    "{Y}-{mm}-{dd}",  # 2026-11-30 (already ISO)
    "{Weekday}, {d} {Month} {Y}",  # Monday, 30 November 2026
    "{Weekday}, {Month} {d}, {Y}",  # Monday, November 30, 2026
    "{Wkd} {d} {Mon} {Y}",  # Mon 30 Nov 2026
    "{d}-{Mon}-{Y}",  # 30-Nov-2026
    "{dth} {Month} {Y}",  # 30th November 2026
    "{dth} of {Month} {Y}",  # 30th of November 2026
    "{Month} {dth}, {Y}",  # November 30th, 2026
]
#: Letter case variants and how often each is drawn.
CASES = (("as written", 0.6, lambda s: s), ("lower", 0.25, str.lower), ("upper", 0.15, str.upper))


def format_date(date: dt.date, template: str, case: str = "as written") -> str:
    text = template.format(**_fields(date))
    return next(fn for name, _, fn in CASES if name == case)(text)


def random_date(rng: random.Random) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))


def random_example(rng: random.Random) -> tuple[str, str]:
    """(a date in a random format and case, its ISO form)."""
    date = random_date(rng)
    template = rng.choice(FORMATS)
    case = rng.choices([c[0] for c in CASES], weights=[c[1] for c in CASES])[0]
    return format_date(date, template, case), date.isoformat()


def alphabet() -> str:
    """Every character any format can produce, sorted: the date model's vocabulary."""
    chars = set("0123456789")
    samples = [
        format_date(dt.date(2026, m, d), f, c[0])
        for m in range(1, 13)
        for d in (1, 2, 3, 23, 30)
        if not (m == 2 and d > 28)
        for f in FORMATS
        for c in CASES
    ]
    samples += [
        format_date(dt.date(2026, 1, d), f, c[0]) for d in range(1, 8) for f in FORMATS for c in CASES
    ]
    for text in samples:
        chars.update(text)
    return "".join(sorted(chars))


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def is_real_iso_date(text: str) -> bool:
    """True for YYYY-MM-DD naming a day that exists (2026-02-29 does not)."""
    match = _ISO.match(text)
    if not match:
        return False
    try:
        dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return False
    return True


_NUMBERS = re.compile(r"\d+")


def impossible_date_hint(text: str) -> str | None:
    """A reason when the input names a day that does not exist (31 Feb, 30/02, month 13), else None.

    Heuristic, for the page's note only: reads the numbers and any month name in the text.
    """
    lowered = text.lower()
    month_by_name = next((i + 1 for i, m in enumerate(MONTHS) if m.lower()[:3] in lowered), None)
    numbers = [int(n) for n in _NUMBERS.findall(text)]
    years = [n for n in numbers if n >= 1000]
    small = [n for n in numbers if n < 1000]
    if len(years) != 1:
        return None
    year = years[0]
    if month_by_name is not None and len(small) == 1:
        day, month = small[0], month_by_name
    elif month_by_name is None and len(small) == 2:
        year_first = text.strip().startswith(str(year))
        month, day = small if year_first else small[::-1]
    else:
        return None
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    try:
        dt.date(year, month, day)
    except ValueError:
        return f"{MONTHS[month - 1]} {year} has no day {day}"
    return None
