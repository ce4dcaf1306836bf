"""What a catalogue entry says: the class a message or code proves, how strongly, and where from.

Strength orders kinds of evidence: a code or a system error text names its cause exactly
(STRONG); an exception name or a hand-written phrase usually does (MEDIUM); a family of codes,
an exit status or a carrier message (a database tool's own error around another cause) only
hints (WEAK, CARRIER). Texts are compared folded: case, accents and runs of spaces ignored.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import re2

STRONG = 3.0
MEDIUM = 2.0
CARRIER = 1.5
WEAK = 1.0
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: `failure_class` (or `unknown` for a cause outside the classes)."""

    failure_class: str
    strength: float
    source: str


def fold(text: str) -> str:
    """`text` lower-cased, without accents, with single spaces and straight apostrophes (French
    Windows writes `d’accès`): how texts are compared."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", text.casefold())


def pattern_set(patterns: Iterable[str]) -> Any:
    """One RE2 set of `patterns`: its `Match(text)` tells in a single pass which of them (by
    index) `text` holds, where one search each by Python's engine costs ten times as much."""
    found = re2.Set.SearchSet()
    for pattern in patterns:
        found.Add(pattern)
    found.Compile()
    return found
