"""Snippets: the best passages of a paper's text with the query's words in ``<mark>``.

One highlighter for every backend, on the text read back from the store, using the same
analysis as the index: a word is marked when its lemma or one of its compound parts is what
the query searched ("Glasfaser" marks "Glasfaserausbau", "Schulen" marks "Schule").

Speed matters on the command line: analysing a whole long text per hit would cost more than
the search. So a cheap pass first finds candidate places (the first four letters of a query
term, umlauts and ß folded, anywhere in the text: one regular expression, run in C), and only
the words at those places are analysed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ratsinfo.index import plan as p
from ratsinfo.nlp.analysis import TOKEN, analyse_token, is_stop

WIDTH = 220  # characters per fragment
BEFORE = 60  # characters of context before the first marked word
MAX_CANDIDATES = 400  # candidate places looked at per text
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "s", "Ä": "a", "Ö": "o", "Ü": "u"})
_SPACE = re.compile(r"\s+")
_WORDCHARS = re.compile(r"[\w\-/.'’]")


def _key(term: str) -> str:
    return term.translate(_FOLD).replace("ss", "s")


@dataclass
class Highlighter:
    """What to mark for one compiled query; :meth:`snippet` per text."""

    mains: set[str] = field(default_factory=set)
    parts: set[str] = field(default_factory=set)
    prefixes: list[str] = field(default_factory=list)
    pattern: re.Pattern[str] | None = None

    @classmethod
    def for_plan(cls, plan: p.PlanNode) -> Highlighter:
        h = cls()
        for leaf, negated in p.leaves(plan):
            if negated or getattr(leaf, "scope", "x") not in (None, "text"):
                continue
            if isinstance(leaf, p.Match):
                terms = [t for t in leaf.terms if not is_stop(t)]
                if leaf.mode == "all":
                    h.mains.update(terms)
                    h.parts.update(terms)
                elif leaf.where == "parts":
                    h.parts.update(terms)
                else:
                    h.mains.update(terms)
            elif isinstance(leaf, p.PrefixMatch):
                h.prefixes.append(leaf.prefix)
        stems = set()
        for term in (*h.mains, *h.parts, *h.prefixes):
            key = _key(term)
            stems.add(key[:4] if len(key) >= 4 else rf"\b{re.escape(key)}")
        if stems:
            alternatives = (s if s.startswith(r"\b") else re.escape(s) for s in sorted(stems))
            h.pattern = re.compile("|".join(alternatives))
        return h

    def matches(self, token: str) -> bool:
        mains, parts = analyse_token(token)
        if any(m in self.mains for m in mains) or any(part in self.parts for _, part in parts):
            return True
        return any(m.startswith(pre) for pre in self.prefixes for m in mains) or any(
            part.startswith(pre) for pre in self.prefixes for _, part in parts
        )

    def marks(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the words to mark, in order."""
        if self.pattern is None or not text:
            return []
        folded = text.lower().translate(_FOLD)
        if len(folded) != len(text):  # a rare character changed length when lowercased
            folded = "".join(ch.lower()[:1] for ch in text).translate(_FOLD)
        spans: list[tuple[int, int]] = []
        seen_end = -1
        for n, m in enumerate(self.pattern.finditer(folded)):
            if n >= MAX_CANDIDATES:
                break
            start = m.start()
            if start < seen_end:
                continue
            while start > 0 and _WORDCHARS.match(text, start - 1):
                start -= 1
            tok = TOKEN.match(text, start)
            if tok is None:
                continue
            seen_end = tok.end()
            if self.matches(tok.group()):
                spans.append(tok.span())
        return spans

    def snippet(self, text: str, top: int = 2) -> str | None:
        """Up to ``top`` fragments joined by `` … ``; None when no word of the text matches."""
        spans = self.marks(text)
        if not spans:
            return None
        fragments: list[tuple[int, int]] = []
        remaining = list(spans)
        while remaining and len(fragments) < top:
            # the window with the most different marked words, the earliest of equals
            first = max(remaining, key=lambda span: (_variety(text, remaining, span[0]), -span[0]))[0]
            start = max(0, first - BEFORE)
            end = min(len(text), start + WIDTH)
            fragments.append((start, end))
            remaining = [s for s in remaining if not (start <= s[0] < end)]
        merged: list[tuple[int, int]] = []
        for a, b in sorted(_widen(text, a, b) for a, b in fragments):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        return " … ".join(_render(text, a, b, spans) for a, b in merged)


def _variety(text: str, spans: list[tuple[int, int]], first: int) -> int:
    last = first + WIDTH - BEFORE
    return len({text[s:e].lower() for s, e in spans if first <= s < last})


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """To whole words."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    out: list[str] = []
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(text[pos:s])
        out.append(f"<mark>{text[s:e]}</mark>")
        pos = e
    out.append(text[pos:end])
    return _SPACE.sub(" ", "".join(out)).strip()
