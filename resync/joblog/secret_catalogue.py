"""The catalogue of secret patterns redaction is built on, and where each secret is in a text.

Two rule files in `secret_rules/`, both in gitleaks' configuration format: `gitleaks.toml`, the
default rules of the gitleaks secret scanner as published (source and MIT licence beside it;
updated by copying the new file), and `tools.toml`, Resync's own rules for the command lines and
connection strings of the tools TWS jobs run. Every rule is compiled by RE2, whose matching time
is linear in the text whatever the pattern, and is read with gitleaks' semantics: a rule runs
only when one of its keywords is in the text; its secret is the `secretGroup`, else the first
capture group that matched (every one that matched with Resync's `allGroups`), else the whole
match; a secret at or under the rule's `entropy` or allowed by the rule's or the global
allowlists (regexes on the secret, the match or the line; stopwords) is not one. Paths and
commits in allowlists do not apply to joblogs, and neither do the global stopwords: they skip
placeholder values in source code, and masking a placeholder in a joblog costs nothing.
"""

import math
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import re2
from re2 import _re2

RULE_FILES = [
    Path(__file__).parent / "secret_rules" / name for name in ("gitleaks.toml", "tools.toml")
]
Span = tuple[int, int]
_NO_SPAN = (-1, -1)


class Pattern:
    """An RE2 pattern searched in UTF-8 bytes by the bindings' core: spans, no match objects.

    The `re2` module's own search re-encodes a `str` text at every call, so a loop over the
    matches of one text would cost its length at each match.
    """

    def __init__(self, pattern: str) -> None:
        self._regexp = _re2.RE2(pattern.encode(), re2.Options())
        if not self._regexp.ok():
            raise re2.error(f"{self._regexp.error()} in {pattern!r}")

    def search(self, data: bytes, position: int = 0) -> list[Span] | None:
        """The spans of the whole match and of each group (`(-1, -1)` if unmatched), or None."""
        spans = self._regexp.Match(_re2.RE2.Anchor.UNANCHORED, data, position, len(data))
        return None if spans[0] == _NO_SPAN else spans


@dataclass(frozen=True)
class Allowlist:
    """An allowlist's regexes and stopwords, each set compiled as one RE2 alternation."""

    regexes: Pattern | None
    target: str
    stopwords: Pattern | None
    require_all: bool
    has_paths: bool

    def allows(self, secret: bytes, text_of: Callable[[str], bytes]) -> bool:
        checks = []
        if self.regexes is not None:
            text = secret if self.target == "secret" else text_of(self.target)
            checks.append(self.regexes.search(text) is not None)
        if self.stopwords is not None:
            checks.append(self.stopwords.search(secret.lower()) is not None)
        if self.has_paths:
            checks.append(False)
        return bool(checks) and (all(checks) if self.require_all else any(checks))


@dataclass(frozen=True)
class Rule:
    id: str
    regex: Pattern
    keywords: tuple[bytes, ...]
    secret_group: int
    all_groups: bool
    entropy: float
    allowlists: tuple[Allowlist, ...]

    def spans(self, data: bytes, allowed: tuple[Allowlist, ...]) -> Iterator[Span]:
        """The byte spans of this rule's secrets in `data` (UTF-8)."""
        position = 0
        while position <= len(data) and (found := self.regex.search(data, position)) is not None:
            secrets = self._secrets(data, found)
            # Go on from the secret's end, not the match's: a match may end on the first
            # character of the next secret's name (password=a;pwd=b).
            position = max(secrets[-1][1], found[0][0] + 1)
            for span in secrets:
                if not self._allowed(data, found[0], span, allowed):
                    yield span

    def _secrets(self, data: bytes, found: list[Span]) -> list[Span]:
        if self.secret_group:
            return [found[self.secret_group]]
        matched = [(start, end) for start, end in found[1:] if end > start]
        if matched:
            return matched if self.all_groups else matched[:1]
        start, end = found[0]
        text = data[start:end]
        # As gitleaks does: a match's leading and trailing line breaks are not the secret.
        return [
            (start + len(text) - len(text.lstrip(b"\n")), end - len(text) + len(text.rstrip(b"\n")))
        ]

    def _allowed(
        self, data: bytes, match: Span, span: Span, allowed: tuple[Allowlist, ...]
    ) -> bool:
        secret = data[span[0] : span[1]]
        if self.entropy and shannon_entropy(secret.decode(errors="replace")) <= self.entropy:
            return True

        def text_of(target: str) -> bytes:
            if target == "match":
                return data[match[0] : match[1]].strip(b"\n")
            line_end = data.find(b"\n", match[1])
            return data[
                data.rfind(b"\n", 0, match[0]) + 1 : len(data) if line_end < 0 else line_end
            ]

        # The global allowlists first: they look at the secret alone and settle most candidates.
        return any(allowlist.allows(secret, text_of) for allowlist in allowed + self.allowlists)


def shannon_entropy(text: str) -> float:
    """Bits per character of `text`, as gitleaks computes it."""
    counts = Counter(text)
    return -sum(count / len(text) * math.log2(count / len(text)) for count in counts.values())


def _expand(pattern: str, fragments: dict[str, str]) -> str:
    for name, fragment in fragments.items():
        pattern = pattern.replace(f"<<{name}>>", fragment)
    return pattern


def _allowlist(
    table: dict[str, Any], fragments: dict[str, str], stopwords: bool = True
) -> Allowlist:
    regexes = [f"(?:{_expand(regex, fragments)})" for regex in table.get("regexes", [])]
    words = [re.escape(word.lower()) for word in table.get("stopwords", [])] if stopwords else []
    return Allowlist(
        regexes=Pattern("|".join(regexes)) if regexes else None,
        target=table.get("regexTarget", "secret"),
        stopwords=Pattern("|".join(words)) if words else None,
        require_all=table.get("condition", "OR").upper() == "AND",
        has_paths=bool(table.get("paths")),
    )


def load_catalogue(
    files: list[Path] = RULE_FILES,
) -> tuple[tuple[Rule, ...], tuple[Allowlist, ...]]:
    """The rules of `files` that apply to text (not path-only ones) and the global allowlists."""
    rules, allowlists = [], []
    for path in files:
        config = tomllib.loads(path.read_text())
        fragments = config.get("fragments", {})
        if "allowlist" in config:
            allowlists.append(_allowlist(config["allowlist"], fragments, stopwords=False))
        for table in config["rules"]:
            if "regex" not in table:
                continue
            rules.append(
                Rule(
                    id=table["id"],
                    regex=Pattern(_expand(table["regex"], fragments)),
                    keywords=tuple(word.lower().encode() for word in table.get("keywords", [])),
                    secret_group=table.get("secretGroup", 0),
                    all_groups=table.get("allGroups", False),
                    entropy=table.get("entropy", 0.0),
                    allowlists=tuple(
                        _allowlist(item, fragments) for item in table.get("allowlists", [])
                    ),
                )
            )
    return tuple(rules), tuple(allowlists)


def keyword_set(rules: tuple[Rule, ...]) -> tuple[Any, list[tuple[int, ...]], tuple[int, ...]]:
    """One RE2 set of every rule's keywords (a single pass tells which are in a text), the
    rules (by index) each keyword runs, and the rules that have none and always run."""
    keywords = sorted({keyword for rule in rules for keyword in rule.keywords})
    found = re2.Set.SearchSet()
    for keyword in keywords:
        found.Add(re.escape(keyword.decode()))
    found.Compile()
    runs = [
        tuple(index for index, rule in enumerate(rules) if keyword in rule.keywords)
        for keyword in keywords
    ]
    return found, runs, tuple(index for index, rule in enumerate(rules) if not rule.keywords)


RULES, GLOBAL_ALLOWLISTS = load_catalogue()
KEYWORDS, RULES_OF_KEYWORD, RULES_WITHOUT_KEYWORD = keyword_set(RULES)


def secret_spans(text: str) -> tuple[bytes, list[Span]]:
    """`text` in UTF-8 and the merged byte spans of every secret the catalogue finds in it."""
    data = text.encode()
    run = set(RULES_WITHOUT_KEYWORD).union(
        *(RULES_OF_KEYWORD[index] for index in KEYWORDS.Match(data.lower()) or ())
    )
    spans = sorted(
        span for index in sorted(run) for span in RULES[index].spans(data, GLOBAL_ALLOWLISTS)
    )
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return data, merged
