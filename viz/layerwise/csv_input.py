"""A teacher's own labelled sentences, from an uploaded CSV of (text, label), checked with clear messages."""

from __future__ import annotations

import csv
import io

MAX_BYTES = 1_000_000
MAX_ROWS = 2000
MAX_TEXT_CHARS = 1000
MIN_PER_CLASS = 2


class CsvError(ValueError):
    """The file cannot be used; the message says why, for the page to show."""


def parse_labelled_csv(data: bytes) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels, notes) from CSV bytes with a header naming ``text`` and ``label`` columns
    (any case; without such a header, the first two columns are taken as text and label).

    Empty rows are skipped and long texts cut, each with a note. Raises :class:`CsvError`.
    """
    if len(data) > MAX_BYTES:
        raise CsvError(f"The file has {len(data):,} bytes; at most {MAX_BYTES:,} are accepted.")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CsvError(
            f"The file is not UTF-8 text (byte {err.start} cannot be read). Save it as UTF-8 CSV."
        ) from None
    if "\x00" in content:
        raise CsvError("The file contains NUL bytes: it does not look like a CSV text file.")
    try:
        rows = list(csv.reader(io.StringIO(content)))
    except csv.Error as err:
        raise CsvError(f"The file is not valid CSV: {err}.") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise CsvError("The file is empty.")
    header = [h.strip().lower() for h in rows[0]]
    if "text" in header and "label" in header:
        t_col, l_col = header.index("text"), header.index("label")
        rows = rows[1:]
    elif len(header) >= 2:
        t_col, l_col = 0, 1
    else:
        raise CsvError("Need two columns, text and label (e.g. a header line `text,label`).")
    if len(rows) > MAX_ROWS:
        raise CsvError(f"The file has {len(rows):,} rows; at most {MAX_ROWS:,} are accepted.")
    texts, labels, notes = [], [], []
    skipped = cut = 0
    for row in rows:
        if len(row) <= max(t_col, l_col) or not row[t_col].strip() or not row[l_col].strip():
            skipped += 1
            continue
        text = row[t_col].strip()
        if len(text) > MAX_TEXT_CHARS:
            text, cut = text[:MAX_TEXT_CHARS], cut + 1
        texts.append(text)
        labels.append(row[l_col].strip())
    if skipped:
        notes.append(f"{skipped} row(s) without both a text and a label were skipped.")
    if cut:
        notes.append(f"{cut} text(s) longer than {MAX_TEXT_CHARS} characters were cut.")
    counts = {label: labels.count(label) for label in set(labels)}
    if len(counts) < 2:
        raise CsvError(f"Need at least two different labels; found {len(counts)}.")
    small = sorted(label for label, n in counts.items() if n < MIN_PER_CLASS)
    if small:
        raise CsvError(
            f"Each label needs at least {MIN_PER_CLASS} texts; too few for: {', '.join(small[:5])}."
        )
    return texts, labels, notes
