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


#: Header names read as the text column and the label column (any case), the usual ones first.
TEXT_NAMES = ("text", "sentence", "sentences", "document", "input")
LABEL_NAMES = ("label", "labels", "category", "class", "topic", "target")


def _line_of_open_quote(content: str, last_line: int) -> int:
    """The line where the unbalanced quotation mark starts (the first line whose quote count is odd)."""
    open_quotes = 0
    for number, line in enumerate(content.splitlines(), start=1):
        if open_quotes % 2 == 0 and line.count('"') % 2 == 1:
            return number
        open_quotes += line.count('"')
    return last_line


def _looks_like_a_header(rows: list[list[str]]) -> bool:
    """True when the first row's label cell appears nowhere else while the other labels repeat: a header line
    with other column names, not a data row."""
    labels = [r[1].strip() for r in rows[1:] if len(r) > 1]
    first = rows[0][1].strip() if len(rows[0]) > 1 else ""
    return bool(labels) and first not in labels and len(set(labels)) < len(labels)


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
    reader = csv.reader(io.StringIO(content), strict=True)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as err:
        if "end of data" in str(err):  # a quote opened and never closed swallows the rest of the file
            raise CsvError(
                f'A quotation mark (") opened on line {_line_of_open_quote(content, reader.line_num)} is never '
                "closed, so everything after it would be one cell. Close the quote, or remove it."
            ) from None
        raise CsvError(f"The file is not valid CSV (line {reader.line_num}: {err}).") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise CsvError("The file is empty.")
    header = [h.strip().lower() for h in rows[0]]
    t_col = next((header.index(n) for n in TEXT_NAMES if n in header), None)
    l_col = next((header.index(n) for n in LABEL_NAMES if n in header), None)
    if t_col is not None and l_col is not None and t_col != l_col:
        rows = rows[1:]
    elif len(header) >= 2:
        t_col, l_col = 0, 1
        if _looks_like_a_header(rows):
            raise CsvError(
                f"The first line ({', '.join(rows[0][:2])}) looks like a header, but its columns are not named "
                f"text and label. Rename them `text,label` (a text column may also be called "
                f"{', '.join(TEXT_NAMES[1:])}; a label column {', '.join(LABEL_NAMES[1:])}), or remove the line."
            )
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
