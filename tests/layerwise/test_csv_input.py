"""CSV of (text, label): accepted forms and clear refusals."""

from __future__ import annotations

import pytest

from viz.layerwise.csv_input import MAX_ROWS, CsvError, parse_labelled_csv


def test_header_any_order_and_case():
    texts, labels, notes = parse_labelled_csv(
        b"Label,TEXT\nsport,A goal\nsport,A try\nfood,Bread\nfood,Soup\n"
    )
    assert texts == ["A goal", "A try", "Bread", "Soup"] and labels == ["sport", "sport", "food", "food"]
    assert notes == []


def test_no_header_takes_first_two_columns_and_bom():
    texts, labels, _ = parse_labelled_csv("\ufeffone,a\ntwo,a\nthree,b\nfour,b\n".encode())
    assert texts[0] == "one" and labels == ["a", "a", "b", "b"]


def test_skips_and_cuts_with_notes():
    data = ("text,label\n" + "x" * 1500 + ",a\n,a\nhello,\nhi,a\nyo,b\nbye,b\n").encode()
    texts, labels, notes = parse_labelled_csv(data)
    assert len(texts[0]) == 1000 and len(texts) == 4
    assert any("skipped" in n for n in notes) and any("cut" in n for n in notes)


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"only_one_column\nx\ny\n", "two columns"),
        (b"text,label\na,x\nb,x\n", "two different labels"),
        (b"text,label\na,x\nb,x\nc,y\n", "at least 2 texts"),
        (b"text,label\n" + b"t,a\n" * (MAX_ROWS + 1), "rows"),
        (b"x" * 1_000_001, "bytes"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
        (b"text,label\na\x00b,x\n", "NUL"),
        (b'text,label\n"unclosed,a\n', r"opened on line 2 is never closed"),
        (b'text,label\nok,a\nfine,b\n"broken, quote,a\nmore,b\n', r"opened on line 4 is never closed"),
        (b"phrase,kind\na,x\nb,y\nc,x\nd,y\n", r"The first line \(phrase, kind\) looks like a header"),
    ],
)
def test_refusals(data, message):
    with pytest.raises(CsvError, match=message):
        parse_labelled_csv(data)


ROWS = [("a goal", "sport"), ("bread", "food"), ("a try", "sport"), ("soup", "food")]


@pytest.mark.parametrize(
    "header, text_first",
    [
        ("sentence,category", True),
        ("Text,Topic", True),
        ("document,class", True),
        ("category,sentence", False),
    ],
)
def test_usual_header_names_are_read(header, text_first):
    lines = [f"{t},{c}" if text_first else f"{c},{t}" for t, c in ROWS]
    texts, labels, _ = parse_labelled_csv("\n".join([header, *lines]).encode())
    assert texts == [t for t, _ in ROWS] and labels == [c for _, c in ROWS]
