"""Making user text safe and readable as chart labels.

Plotly renders a subset of HTML in labels and hover text (<b>, <a href>, <br>, ...), so every token is
escaped; control and invisible characters are shown as visible symbols.
"""

from __future__ import annotations

import html
import unicodedata

_VISIBLE = {"\n": "⏎", "\r": "␍", "\t": "⇥", " ": "␣"}


def visible(text: str, spaces: bool = True) -> str:
    """Replace control, format and whitespace-only characters by visible stand-ins (plain spaces too unless
    ``spaces`` is False: a name of ours such as "block 1" keeps its space)."""
    out = []
    for ch in text:
        if ch == " " and not spaces:
            out.append(ch)
        elif ch in _VISIBLE:
            out.append(_VISIBLE[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"U+{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out) or "∅"


def safe_label(text: str, max_len: int = 24, spaces: bool = True) -> str:
    """A chart-safe label: visible characters (see :func:`visible`), cut to ``max_len``, HTML-escaped."""
    text = visible(text, spaces)
    if len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return html.escape(text, quote=False)  # plotly decodes &lt; &gt; &amp; back to literal text


def token_labels(tokens: list[str]) -> list[str]:
    """Escaped labels for a token axis, in order (duplicates stay distinct: axes use positions)."""
    return [safe_label(t) for t in tokens]
