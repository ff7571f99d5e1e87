"""The search query language: one parser of our own, whatever backend runs the search.

Syntax (the default operator between words is AND)::

    Glasfaser Ausbau                     both words
    "Smart City"                         a phrase
    Glasfaser OR Breitband               either (also: ODER, |)
    Glasfaser AND Schule                 both (also: UND, &&); AND binds tighter than OR
    NOT WLAN   -WLAN                     without (also: NICHT)
    (Glasfaser OR Breitband) -Antrag     grouping
    digital*                             prefix (at the end of a word only)
    betreff:Glasfaser                    a field; the value may be quoted or a group:
    gremium:"Rat der Stadt"   topic:(smartcity OR schule)
    datum:2020-01-01..2021-06-30  datum:2020  datum:2020-03  datum:2020..2021  datum:2020..
    datum:..2021-06-30  datum:01.03.2020

Fields (left: what a user may type; right: the canonical key the AST carries):

======================================================  ====================  =========
typed (case-insensitive, umlauts or not)                key                   kind
======================================================  ====================  =========
betreff, name, titel, title                             ``name``              text
text, volltext, inhalt, body-text                       ``text``              text
art, typ, type, vorlageart, vorlagenart, papertype      ``paperType``         text
nummer, nr, referenz, reference, ref, drucksache, az    ``reference``         keyword
federfuehrend, federführend, federfuehrung, amt         ``underDirectionOf``  text
beteiligt, participating                                ``participating``     text
verantwortlich, bearbeiter, responsible                 ``responsible``       text
verfasser, antragsteller, originator                    ``originator``        text
gremium, organization, ausschuss                        ``gremium``           text
body, kommune, koerperschaft, körperschaft, stadt       ``body``              text
topic, thema                                            ``topic``             keyword
status                                                  ``status``            text
ergebnis, beschluss, result                             ``result``            text
datum, date                                             ``date``              date
======================================================  ====================  =========

A node with ``field=None`` searches all text fields (name, text, the name-like fields).
``text`` fields are analysed with :func:`ratsinfo.nlp.analysis.query_terms`; ``keyword``
fields match the value whole (references normalised with
:func:`ratsinfo.nlp.references.normalise_reference`, topics by id). The AST holds the words as
typed: analysis is the backend's step, so that every backend analyses alike.

A malformed query raises :class:`QuerySyntaxError` with the position and a caret line.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ratsinfo.core.errors import RatsinfoError

# --- the AST ------------------------------------------------------------------------------


class Node:
    """Base class of the query AST."""


@dataclass(frozen=True)
class MatchAll(Node):
    """Every paper (an empty query, or the base that a lone NOT subtracts from)."""

    def __str__(self) -> str:
        return "*"


@dataclass(frozen=True)
class Term(Node):
    """One word as typed; ``field=None`` means all text fields."""

    field: str | None
    text: str

    def __str__(self) -> str:
        return f"{self.field}:{_quote(self.text)}" if self.field else _quote(self.text)


@dataclass(frozen=True)
class Phrase(Node):
    """Words that must stand together, in order."""

    field: str | None
    words: tuple[str, ...]

    def __str__(self) -> str:
        inner = '"' + " ".join(self.words) + '"'
        return f"{self.field}:{inner}" if self.field else inner


@dataclass(frozen=True)
class Prefix(Node):
    """Words beginning with ``text`` (given without the ``*``)."""

    field: str | None
    text: str

    def __str__(self) -> str:
        return f"{self.field}:{self.text}*" if self.field else f"{self.text}*"


@dataclass(frozen=True)
class DateRange(Node):
    """Papers dated from ``start`` to ``end``, both inclusive; None is an open end."""

    start: date | None
    end: date | None
    field: str = "date"

    def __str__(self) -> str:
        s = self.start.isoformat() if self.start else ""
        e = self.end.isoformat() if self.end else ""
        return f"{self.field}:{s}..{e}"


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " AND ".join(str(c) for c in self.children) + ")"


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " OR ".join(str(c) for c in self.children) + ")"


@dataclass(frozen=True)
class Not(Node):
    child: Node

    def __str__(self) -> str:
        return f"NOT {self.child}"


def _quote(text: str) -> str:
    return f'"{text}"' if re.search(r'[\s():"]', text) else text


# --- fields -------------------------------------------------------------------------------

TEXT, KEYWORD, DATE = "text", "keyword", "date"

FIELD_KINDS: dict[str, str] = {
    "name": TEXT,
    "text": TEXT,
    "paperType": TEXT,
    "reference": KEYWORD,
    "underDirectionOf": TEXT,
    "participating": TEXT,
    "responsible": TEXT,
    "originator": TEXT,
    "gremium": TEXT,
    "body": TEXT,
    "topic": KEYWORD,
    "status": TEXT,
    "result": TEXT,
    "date": DATE,
}

FIELD_ALIASES: dict[str, str] = {
    **dict.fromkeys(["betreff", "name", "titel", "title"], "name"),
    **dict.fromkeys(["text", "volltext", "inhalt", "body-text"], "text"),
    **dict.fromkeys(["art", "typ", "type", "vorlageart", "vorlagenart", "papertype"], "paperType"),
    **dict.fromkeys(["nummer", "nr", "referenz", "reference", "ref", "drucksache", "az"], "reference"),
    **dict.fromkeys(
        ["federfuehrend", "federführend", "federfuehrung", "federführung", "amt", "underdirectionof"],
        "underDirectionOf",
    ),
    **dict.fromkeys(["beteiligt", "participating"], "participating"),
    **dict.fromkeys(["verantwortlich", "bearbeiter", "responsible"], "responsible"),
    **dict.fromkeys(["verfasser", "antragsteller", "originator"], "originator"),
    **dict.fromkeys(["gremium", "organization", "ausschuss"], "gremium"),
    **dict.fromkeys(["body", "kommune", "koerperschaft", "körperschaft", "stadt"], "body"),
    **dict.fromkeys(["topic", "thema"], "topic"),
    **dict.fromkeys(["status"], "status"),
    **dict.fromkeys(["ergebnis", "beschluss", "result"], "result"),
    **dict.fromkeys(["datum", "date"], "date"),
}


def field_key(name: str) -> str | None:
    """The canonical key for a typed field name, None when unknown."""
    low = name.lower()
    return FIELD_ALIASES.get(low) or FIELD_ALIASES.get(low.replace("ue", "ü").replace("ae", "ä"))


# --- errors -------------------------------------------------------------------------------


class QuerySyntaxError(RatsinfoError):
    """A query that cannot be parsed; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, query: str, position: int):
        self.reason = message
        self.query = query
        self.position = max(0, min(position, len(query)))
        super().__init__(
            f"query syntax error at position {self.position + 1}: {message}\n"
            f"  {query}\n  {' ' * self.position}^"
        )


# --- the lexer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT MINUS FIELD EOF
    value: str
    pos: int
    end: int


_OPERATORS = {
    "AND": "AND",
    "UND": "AND",
    "&&": "AND",
    "OR": "OR",
    "ODER": "OR",
    "||": "OR",
    "|": "OR",
    "NOT": "NOT",
    "NICHT": "NOT",
}
_FIELD = re.compile(r"([A-Za-zÄÖÜäöüß][\w\-]*):")
_WORD_END = re.compile(r'[\s()"„“”]')
_URL_SCHEMES = re.compile(r"https?|ftp|mailto|www", re.I)
_KNOWN_SHOWN = (
    "betreff",
    "text",
    "art",
    "nummer",
    "federfuehrend",
    "beteiligt",
    "verantwortlich",
    "verfasser",
    "gremium",
    "body",
    "topic",
    "status",
    "ergebnis",
    "datum",
)


def _lex(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            toks.append(_Tok("LPAREN" if ch == "(" else "RPAREN", ch, i, i + 1))
            i += 1
            continue
        if ch in '"„“”':
            close = _find_quote_end(text, i + 1)
            if close < 0:
                raise QuerySyntaxError("unclosed quotation mark", text, i)
            toks.append(_Tok("PHRASE", text[i + 1 : close], i, close + 1))
            i = close + 1
            continue
        if ch in "-!":
            # a '-' before a term negates it; words are read whole, so "E-Akte" never gets here
            if i + 1 >= n or text[i + 1].isspace():
                raise QuerySyntaxError(f"'{ch}' needs a term right after it", text, i)
            toks.append(_Tok("MINUS", ch, i, i + 1))
            i += 1
            continue
        m = _FIELD.match(text, i)
        if m and field_key(m.group(1)) is not None:
            if m.end() >= n or text[m.end()].isspace() or text[m.end()] == ")":
                raise QuerySyntaxError(f"'{m.group(0)}' needs a value right after the colon", text, m.end())
            toks.append(_Tok("FIELD", m.group(1), i, m.end()))
            i = m.end()
            continue
        if m and m.end() < n and not text[m.end()].isspace() and not _URL_SCHEMES.fullmatch(m.group(1)):
            raise QuerySyntaxError(
                f"unknown field '{m.group(1)}' (known: {', '.join(_KNOWN_SHOWN)})", text, i
            )
        end = _WORD_END.search(text, i)
        j = end.start() if end else n
        word = text[i:j]
        toks.append(_Tok(_OPERATORS.get(word, "WORD"), word, i, j))
        i = j
    toks.append(_Tok("EOF", "", n, n))
    return toks


def _find_quote_end(text: str, start: int) -> int:
    for k in range(start, len(text)):
        if text[k] in '"“”':
            return k
    return -1


# --- the parser ---------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _lex(text)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: _Tok | None = None) -> QuerySyntaxError:
        return QuerySyntaxError(message, self.text, (tok or self.peek()).pos)

    def parse(self) -> Node:
        if self.peek().kind == "EOF":
            return MatchAll()
        node = self.parse_or(None)
        tok = self.peek()
        if tok.kind == "RPAREN":
            raise self.error("')' without a matching '('", tok)
        if tok.kind != "EOF":
            raise self.error(f"unexpected '{tok.value}'", tok)
        return _finish(node)

    def parse_or(self, field: str | None) -> Node:
        children = [self.parse_and(field)]
        while self.peek().kind == "OR":
            op = self.take()
            if self.peek().kind in ("EOF", "RPAREN", "OR", "AND"):
                raise self.error(f"'{op.value}' needs a term after it", self.peek())
            children.append(self.parse_and(field))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self, field: str | None) -> Node:
        children = [self.parse_unary(field)]
        while True:
            tok = self.peek()
            if tok.kind == "AND":
                self.take()
                if self.peek().kind in ("EOF", "RPAREN", "OR", "AND"):
                    raise self.error(f"'{tok.value}' needs a term after it", self.peek())
                children.append(self.parse_unary(field))
            elif tok.kind in ("WORD", "PHRASE", "LPAREN", "NOT", "MINUS", "FIELD"):
                children.append(self.parse_unary(field))
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self, field: str | None) -> Node:
        tok = self.peek()
        if tok.kind in ("NOT", "MINUS"):
            self.take()
            if self.peek().kind in ("EOF", "RPAREN", "OR", "AND"):
                raise self.error(f"'{tok.value}' needs a term after it", self.peek())
            return Not(self.parse_unary(field))
        return self.parse_primary(field)

    def parse_primary(self, field: str | None) -> Node:
        tok = self.take()
        if tok.kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                raise self.error("empty parentheses", tok)
            node = self.parse_or(field)
            if self.peek().kind != "RPAREN":
                raise self.error("'(' is never closed", tok)
            self.take()
            return node
        if tok.kind == "FIELD":
            if field is not None:
                raise self.error("a field inside a field group", tok)
            key = field_key(tok.value)
            assert key is not None
            nxt = self.peek()
            if nxt.kind in ("WORD", "PHRASE", "AND", "OR", "NOT") and nxt.pos == tok.end:
                self.take()
                kind = "PHRASE" if nxt.kind == "PHRASE" else "WORD"
                return _value(key, _Tok(kind, nxt.value, nxt.pos, nxt.end), self.text)
            if nxt.kind == "LPAREN" and nxt.pos == tok.end:
                return self.parse_primary(key)
            raise self.error(f"'{tok.value}:' needs a value right after the colon", nxt)
        if tok.kind in ("WORD", "PHRASE"):
            return _value(field, tok, self.text)
        if tok.kind == "RPAREN":
            raise self.error("')' without a matching '('", tok)
        if tok.kind == "EOF":
            raise self.error("the query ends where a term was expected", tok)
        if tok.kind in ("AND", "OR"):
            raise self.error(f"'{tok.value}' needs a term before it", tok)
        raise self.error(f"'{tok.value}' cannot stand here", tok)


def _value(field: str | None, tok: _Tok, text: str) -> Node:
    """A word or phrase, read for its field (dates, prefixes)."""
    if field is not None and FIELD_KINDS[field] == DATE:
        return _date_range(tok.value, text, tok.pos + (1 if tok.kind == "PHRASE" else 0))
    if tok.kind == "PHRASE":
        words = tuple(tok.value.split())
        if not words:
            raise QuerySyntaxError("empty phrase", text, tok.pos)
        return (
            Term(field, words[0])
            if len(words) == 1 and field != "reference"
            else (Term(field, " ".join(words)) if field == "reference" else Phrase(field, words))
        )
    word = tok.value
    if word == "*" and field is None:
        return MatchAll()
    if "*" in word or "?" in word:
        star = word.find("*")
        if "?" in word or star != len(word) - 1:
            pos = tok.pos + (word.find("?") if "?" in word else star)
            raise QuerySyntaxError("wildcards go at the end of a word only (prefix*)", text, pos)
        if len(word) < 2:
            raise QuerySyntaxError("a prefix needs at least one letter before '*'", text, tok.pos)
        return Prefix(field, word[:-1])
    return Term(field, word)


_Y = r"(\d{4})"
_YM = r"(\d{4})-(\d{1,2})"
_YMD = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_DMY = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"


def _date_bound(value: str, text: str, pos: int, upper: bool) -> date:
    """The first (or, for ``upper``, the last) day that ``value`` names."""
    try:
        if m := re.fullmatch(_YMD, value):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(_DMY, value):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := re.fullmatch(_YM, value):
            y, mo = int(m[1]), int(m[2])
            return date(y, mo, calendar.monthrange(y, mo)[1] if upper else 1)
        if m := re.fullmatch(_Y, value):
            return date(int(m[1]), 12, 31) if upper else date(int(m[1]), 1, 1)
    except ValueError as exc:
        raise QuerySyntaxError(f"not a valid date: '{value}' ({exc})", text, pos) from None
    raise QuerySyntaxError(f"not a date: '{value}' (use 2020, 2020-03, 2020-03-31 or 31.03.2020)", text, pos)


def _date_range(value: str, text: str, pos: int) -> DateRange:
    value = value.strip()
    if ".." in value:
        left, right = value.split("..", 1)
        if not left and not right:
            raise QuerySyntaxError("a date range needs at least one end", text, pos)
        start = _date_bound(left, text, pos, upper=False) if left else None
        end = _date_bound(right, text, pos + len(left) + 2, upper=True) if right else None
        if start and end and start > end:
            raise QuerySyntaxError(f"the range starts after it ends ({start} > {end})", text, pos)
        return DateRange(start, end)
    return DateRange(_date_bound(value, text, pos, upper=False), _date_bound(value, text, pos, upper=True))


def _finish(node: Node) -> Node:
    """Give every NOT something to subtract from: ``-x`` alone means everything but x, and so
    does a NOT that is an alternative of an OR."""
    if isinstance(node, Not):
        return And((MatchAll(), Not(_finish_inner(node.child))))
    if isinstance(node, And):
        children = tuple(c if isinstance(c, Not) else _finish(c) for c in node.children)
        children = tuple(Not(_finish_inner(c.child)) if isinstance(c, Not) else c for c in children)
        if all(isinstance(c, Not) for c in children):
            children = (MatchAll(), *children)
        return And(children)
    if isinstance(node, Or):
        return Or(tuple(_finish(c) for c in node.children))
    return node


def _finish_inner(node: Node) -> Node:
    """Inside a NOT, a bare NOT is a double negation and needs no base."""
    return node if isinstance(node, Not) else _finish(node)


# --- public API ---------------------------------------------------------------------------


def parse_query(text: str) -> Node:
    """Parse a query into the AST; an empty query is :class:`MatchAll`."""
    return _Parser(text or "").parse()


def and_filters(query: Node, filters: Iterable[Node]) -> Node:
    """``query`` AND every filter (filters as built by :func:`filters_from_options`)."""
    extra = [f for f in filters if f is not None]
    if not extra:
        return query
    parts: list[Node] = []
    for node in (query, *extra):
        if isinstance(node, MatchAll):
            continue
        parts.extend(node.children if isinstance(node, And) else (node,))
    if not parts:
        return MatchAll()
    if all(isinstance(p, Not) for p in parts):
        parts.insert(0, MatchAll())
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def filter_node(field: str, value: str) -> Node:
    """One option such as ``--type Anfrage`` or ``--since 2020`` as a node, read with the same
    rules as ``field:value`` in a query (so ``--since 2020-03`` and ``--type "Anfrage"`` work)."""
    key = field_key(field) or field
    if key not in FIELD_KINDS:
        raise QuerySyntaxError(f"unknown field '{field}'", f"{field}:{value}", 0)
    text = f"{field}:{value}"
    pos = len(field) + 1
    if FIELD_KINDS[key] == DATE:
        return _date_range(value, text, pos)
    words = value.split()
    if len(words) > 1 and key != "reference":
        return Phrase(key, tuple(words))
    if value.endswith("*"):
        return _value(key, _Tok("WORD", value, pos, len(text)), text)
    return Term(key, value.strip())


def filters_from_options(
    *,
    type: str | None = None,  # the CLI option's name
    body: str | None = None,
    since: str | None = None,
    until: str | None = None,
    topic: str | None = None,
    federfuehrend: str | None = None,
) -> list[Node]:
    """The CLI's filter options as nodes to pass to :func:`and_filters`.

    ``since``/``until`` take the same date forms as ``datum:`` (``2020`` as ``since`` means
    from 1 January 2020, as ``until`` up to 31 December 2020)."""
    out: list[Node] = []
    if type:
        out.append(filter_node("art", type))
    if body:
        out.append(filter_node("body", body))
    if since or until:
        text = f"datum:{since or ''}..{until or ''}"
        out.append(_date_range(f"{since or ''}..{until or ''}", text, 6))
    if topic:
        out.append(filter_node("topic", topic))
    if federfuehrend:
        out.append(filter_node("federfuehrend", federfuehrend))
    return out


def walk(node: Node) -> Iterable[Node]:
    """Every node of the tree, depth first (handy for backends and tests)."""
    yield node
    if isinstance(node, And | Or):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)
