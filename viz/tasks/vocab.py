"""Character-level vocabularies: one id per character, plus padding, start and end markers."""

from __future__ import annotations

import dataclasses

PAD, BOS, EOS = "<pad>", "<s>", "</s>"
SPECIALS = (PAD, BOS, EOS)


class InputError(ValueError):
    """The text cannot be fed to a task's model; the message names the problem for the reader."""


class EmptyInputError(InputError):
    """Nothing to translate."""


class OutOfVocabularyError(InputError):
    """Characters the model never saw in training."""

    def __init__(self, message: str, characters: list[str]) -> None:
        super().__init__(message)
        self.characters = characters


class InputTooLongError(InputError):
    """More characters than the model was trained on."""


def describe_char(ch: str) -> str:
    """A character as a reader can see it in a message: 'H', space, tab, U+200B."""
    names = {" ": "space", "\t": "tab", "\n": "newline", "\r": "carriage return"}
    if ch in names:
        return names[ch]
    if not ch.isprintable():
        return f"U+{ord(ch):04X}"
    return repr(ch)


@dataclasses.dataclass(frozen=True)
class CharVocab:
    """Ids 0, 1, 2 are <pad>, <s>, </s>; the task's characters follow in the given order."""

    chars: str

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("the vocabulary repeats a character")

    @property
    def tokens(self) -> list[str]:
        return list(SPECIALS) + list(self.chars)

    def __len__(self) -> int:
        return len(SPECIALS) + len(self.chars)

    @property
    def pad_id(self) -> int:
        return 0

    @property
    def bos_id(self) -> int:
        return 1

    @property
    def eos_id(self) -> int:
        return 2

    def index(self) -> dict[str, int]:
        return {ch: i + len(SPECIALS) for i, ch in enumerate(self.chars)}

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of ``text`` outside the vocabulary, in order of appearance."""
        known = set(self.chars)
        seen: list[str] = []
        for ch in text:
            if ch not in known and ch not in seen:
                seen.append(ch)
        return seen

    def encode(self, text: str) -> list[int]:
        index = self.index()
        try:
            return [index[ch] for ch in text]
        except KeyError as err:
            raise OutOfVocabularyError(
                f"{describe_char(err.args[0])} is not in the vocabulary", self.unknown(text)
            ) from None

    def decode(self, ids, stop_at_eos: bool = True) -> str:
        """Ids back to text; specials dropped, stopping at the first </s>."""
        tokens = self.tokens
        out = []
        for i in ids:
            i = int(i)
            if i == self.eos_id and stop_at_eos:
                break
            if i >= len(SPECIALS):
                out.append(tokens[i])
        return "".join(out)
