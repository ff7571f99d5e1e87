"""THE text analysis every search backend uses, so Whoosh, tantivy and PostgreSQL match alike.

Index side — :func:`index_terms` turns a text into :class:`Term` objects:

* one *main* term per token position: the token lowercased and lemmatised (``Schulen`` →
  ``schule``, ``beschlossen`` → ``beschließen`` → ``beschliessen``), umlauts kept, ``ß``
  folded to ``ss`` (so old and new spelling meet: ``Beschluß``/``Beschluss``). Words the
  lemma table does not know are lemmatised through their compound head
  (``Bebauungspläne`` → ``bebauungs`` + lemma(``Pläne``) = ``bebauungsplan``).
* zero or more *part* terms at the same position: the compound parts of that token
  (``Glasfaserausbau`` → ``glasfaser``, ``ausbau``, ``glas``, ``faser``), lemmatised alike.
  A backend puts them in a separate field (e.g. ``name_parts``) with a lower weight, so a part
  finds the whole while exact matches rank first.
* hyphenated words are written words: ``Smart-City-Rahmenkonzept`` gives the main terms
  ``smart``, ``city``, ``rahmenkonzept`` at consecutive positions (a phrase "Smart City"
  matches) and the parts ``smartcityrahmenkonzept``, ``smartcity``, ``cityrahmenkonzept``
  (joined spellings, so "SmartCity" or "eGovernment" meet "Smart-City"/"E-Government"),
  ``rahmen``, ``konzept``.
* words broken across PDF lines (``In-\\nnenstadt``) are joined again; references, dates and
  numbers (``2013/0050``, ``21-15513-01``, ``20.05.2026``) stay one term.
* function words stay in (phrases need their positions); :func:`query_terms` drops them.

Query side — :func:`query_terms` says, for one query word, which alternatives a backend ORs
together (:class:`QueryAlt`): the exact main term (boost 1.0), the same term among parts
(0.5: "Glasfaser" finds "Glasfaserausbau"), and for a compound all of its parts anywhere in
main or parts (0.3: "Digitalisierungsstrategie" finds "Strategie zur Digitalisierung").
:func:`phrase_terms` and :func:`prefix_term` serve phrases and ``prefix*``.

Why lemmas and not Snowball: Snowball's German stemmer folds umlauts (``Bürger`` and ``Burg``
both become ``burg``) and cannot see inside compounds. On the judged queries of
``bench/relevance/judgments.json`` (in-memory BM25F, ``bench/relevance/evaluate_analysis.py``)
mean nDCG@10 was: plain 0.823, Snowball 0.852, lemmas 0.866, lemmas + compound parts 0.945.
The boosts below (0.5 for parts, 0.3 for all parts of a compound) sit in the flat middle of
the range tried (0.93–0.96); lower part boosts keep exact matches first.

Speed: a regular expression finds tokens and each distinct token is analysed once (cached),
so indexing runs at well over a million tokens per second once a corpus' vocabulary is warm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ratsinfo.nlp.compounds import head_start, split
from ratsinfo.nlp.lexicon import is_function_word, is_noun_form, lemma_table

# A token: word characters joined by - / . ' (and a hyphen at a line break), so that
# "21-15513-01", "2013/0050", "20.05.2026", "Smart-City" and "In-\nnenstadt" are single matches.
# A hyphen at a line break joins only when a lowercase word goes on ("In-\nnenstadt"), not
# before "und"/"oder" ("Handels- und Gewerbevereine").
_TOKEN = re.compile(r"\w+(?:(?:[-/.'’]|-[ \t]*\r?\n[ \t]*(?!(?:und|oder|bzw|sowie)\b)(?=[a-zäöüß]))\w+)*")
TOKEN = _TOKEN  # public: what one token is (the highlighter finds words with it)
_LINEBREAK_HYPHEN = re.compile(r"-[ \t]*\r?\n[ \t]*")
_CODE = re.compile(r"[A-Za-z]{0,5}[/-]?[\d/.\-]+")


class Term(NamedTuple):
    """One indexed term. ``pos`` is the token position; parts share their token's position."""

    text: str
    pos: int
    part: bool
    start: int  # character offsets of the token in the analysed text
    end: int


class QueryAlt(NamedTuple):
    """One way a query word may match; a backend ORs the alternatives of a word.

    ``where``: ``"main"`` (the field), ``"parts"`` (its parts field) or ``"any"`` (each term in
    main or parts). ``mode``: ``"term"`` (one term), ``"phrase"`` (the terms adjacent, in
    order; main field only) or ``"all"`` (every term, anywhere in the field)."""

    terms: tuple[str, ...]
    where: str
    mode: str
    boost: float


PART_BOOST = 0.5
ALL_PARTS_BOOST = 0.3
JOINED_BOOST = 0.8

# Bump when what index_terms() yields for a text changes: indexes built before are rebuilt.
ANALYSIS_VERSION = "1"


@dataclass(frozen=True)
class Profile:
    """Which German features the analysis applies. The default has them all; the relevance
    benchmark (``bench/relevance``) switches them off one by one to show what each is worth,
    and :data:`PLAIN` is its baseline: lowercase word tokens, nothing else."""

    lemmas: bool = True  # lemmatise and fold ß; tokens keep references and codes whole
    parts: bool = True  # compound parts at index time, and the "part" query alternative
    all_parts: bool = True  # query: a compound's parts anywhere ("Digitalisierungsstrategie")
    joined: bool = True  # hyphenated words also as joined spellings ("Smart-City" ~ "SmartCity")
    stopwords: bool = True  # query: drop function words

    @property
    def key(self) -> str:
        """A short name for the profile, part of an index's format key."""
        if self == FULL:
            return "full"
        return "".join(k[0] if getattr(self, k) else "-" for k in self.__dataclass_fields__)


FULL = Profile()
PLAIN = Profile(lemmas=False, parts=False, all_parts=False, joined=False, stopwords=False)
_profile = FULL
_WORDS = re.compile(r"\w+")


def set_profile(profile: Profile) -> None:
    """Switch the analysis for this process (benchmarks only); clears the caches."""
    global _profile
    _profile = profile
    lemma.cache_clear()
    analyse_token.cache_clear()
    from ratsinfo.nlp.topics import load_taxonomy  # its rules are analysed with the profile

    load_taxonomy.cache_clear()


def current_profile() -> Profile:
    return _profile


def format_key() -> str:
    """What an index built now depends on: the analysis version and profile."""
    return f"a{ANALYSIS_VERSION}-{_profile.key}"


# --- normalising one word -----------------------------------------------------------------


def fold(text: str) -> str:
    """Lowercase, ``ß`` → ``ss``; umlauts stay."""
    return text.lower().replace("ß", "ss")


@lru_cache(maxsize=262_144)
def lemma(word: str) -> str:
    """The normalised lemma of one word (no hyphens): see the module docstring."""
    if not any(ch.isalpha() for ch in word):
        return word.lower()
    table = lemma_table()
    low = word.lower()
    found = table.get(word)
    if found is None and word[:1].isupper():
        found = table.get(low)
    elif found is None:
        found = table.get(word[:1].upper() + word[1:])
    if found is not None and word[:1].isupper() and found[:1].islower() and is_noun_form(low):
        found = None  # "Meister" is a noun, not a sentence-initial "meister" (→ "meist")
    if found is None and word[:1].isupper():
        hs = head_start(word)
        if hs:  # lemmatise the head, itself perhaps a compound: Feuerwehr|gerätehauses
            head = word[hs:]
            head_lemma = lemma(head[:1].upper() + head[1:])
            if head_lemma != fold(head):
                found = low[:hs] + head_lemma
    return fold(found if found is not None else low)


def _part_lemma(part: str) -> str:
    """Parts come lowercase from the splitter: look them up as nouns first."""
    return lemma(part[:1].upper() + part[1:]) if part[:1].isalpha() else part


@lru_cache(maxsize=262_144)
def analyse_token(token: str) -> tuple[tuple[str, ...], tuple[tuple[int, str], ...]]:
    """Main terms and ``(offset, part)`` pairs of one token as :data:`_TOKEN` matches it.

    Usually one main term; a token made of several words (``Smart-City``, ``Ausbau/WLAN``)
    gives one per word, and ``offset`` says which word a part belongs to."""
    if "\n" in token:
        token = _LINEBREAK_HYPHEN.sub("", token)
    profile = _profile
    if not profile.lemmas:  # the plain baseline: word characters, lowercased
        return tuple(w.lower() for w in _WORDS.findall(token)) or (token.lower(),), ()
    if not any(ch.isalpha() for ch in token):
        return (token.lower(),), ()
    if any(ch.isdigit() for ch in token) and _CODE.fullmatch(token):
        return (fold(token),), ()  # a reference or code such as "VO/2026/181": one term
    mains: list[str] = []
    parts: list[tuple[int, str]] = []
    for group in re.split(r"[/.'’]", token):
        pieces = [p for p in group.split("-") if p]
        # a hyphenated compound: its joined spellings are parts too ("E-Government-Gesetz"
        # gives "egovernmentgesetz", "egovernment", "governmentgesetz")
        if profile.joined and profile.parts:
            for a in range(len(pieces) - 1):
                for b in range(len(pieces), a + 1, -1):
                    parts.append((len(mains) + a, fold("".join(pieces[a:b]))))
        for piece in pieces:
            main = lemma(piece)
            seen = {main}
            for p in split(piece).parts if profile.parts else ():
                norm = _part_lemma(p)
                if norm not in seen and len(norm) > 1:
                    seen.add(norm)
                    parts.append((len(mains), norm))
            mains.append(main)
    if not mains:
        return (fold(token),), ()
    return tuple(mains), tuple(parts)


# --- index side ---------------------------------------------------------------------------


def tokens(text: str) -> list[tuple[str, int, int]]:
    """The raw tokens of ``text`` as ``(token, start, end)``."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def index_terms(text: str | None, start_pos: int = 0) -> list[Term]:
    """Main and part terms of ``text`` for indexing, in position order (see module docstring).

    ``start_pos`` lets a caller continue positions across several values of one field (leave
    a gap between values so that phrases do not run across them)."""
    out: list[Term] = []
    if not text:
        return out
    pos = start_pos
    append = out.append
    for m in _TOKEN.finditer(text):
        mains, parts = analyse_token(m.group())
        start, end = m.span()
        for main in mains:
            append(Term(main, pos, False, start, end))
            pos += 1
        first = pos - len(mains)
        for offset, part in parts:
            append(Term(part, first + offset, True, start, end))
    return out


def analyse_field(text: str | None) -> tuple[list[str], list[tuple[int, str]]]:
    """``(mains, parts)`` of ``text``: main terms in order (a main term's position is its index)
    and ``(position, part)`` pairs. The same terms as :func:`index_terms`, without the offsets
    and objects: the bulk indexing path."""
    mains: list[str] = []
    parts: list[tuple[int, str]] = []
    if not text:
        return mains, parts
    for m in _TOKEN.finditer(text):
        token_mains, token_parts = analyse_token(m.group())
        base = len(mains)
        mains.extend(token_mains)
        for offset, part in token_parts:
            parts.append((base + offset, part))
    return mains, parts


def main_terms(text: str | None) -> list[str]:
    """Just the main terms of ``text`` in order (what a plain full-text field holds)."""
    return [t.text for t in index_terms(text) if not t.part]


def index_strings(text: str | None) -> tuple[str, str]:
    """``(main, parts)`` as space-joined strings, for backends fed through a whitespace
    tokenizer (tantivy's ``whitespace``/``raw`` analyzers, PostgreSQL's ``simple`` config):
    main terms keep their order, so phrases still work on the main string."""
    terms = index_terms(text)
    return (
        " ".join(t.text for t in terms if not t.part),
        " ".join(t.text for t in terms if t.part),
    )


# --- query side ---------------------------------------------------------------------------


def query_terms(word: str) -> list[QueryAlt]:
    """The alternatives one query word matches, strongest first; empty for a function word
    (``der``, ``und``) or a word without letters or digits. A backend ORs the alternatives,
    each with its boost, and ANDs the words of a query."""
    toks = [m.group() for m in _TOKEN.finditer(word)]
    if not toks:
        return []
    profile = _profile
    if len(toks) > 1:  # "Smart City" given as one word (e.g. from a field value): a phrase
        terms = phrase_terms(word)
        return [QueryAlt(terms, "main", "phrase", 1.0)] if terms else []
    mains, _ = analyse_token(toks[0])
    if len(mains) == 1:
        main = mains[0]
        if profile.stopwords and (is_function_word(main) or is_function_word(toks[0].lower())):
            return []
        alts = [QueryAlt((main,), "main", "term", 1.0)]
        if profile.parts:
            alts.append(QueryAlt((main,), "parts", "term", PART_BOOST))
        if profile.all_parts and profile.lemmas:
            heads = tuple(dict.fromkeys(_part_lemma(h) for h in split(toks[0]).heads))
            if len(heads) > 1:
                alts.append(QueryAlt(heads, "any", "all", ALL_PARTS_BOOST))
        return alts
    # several words in one token: a phrase; a hyphenated word may also be written joined
    if not profile.joined or not profile.lemmas or not re.fullmatch(r"[\w-]+", toks[0]):
        return [QueryAlt(mains, "main", "phrase", 1.0)]
    joined = fold(toks[0].replace("-", ""))
    alts = [QueryAlt(mains, "main", "phrase", 1.0), QueryAlt((joined,), "main", "term", JOINED_BOOST)]
    if profile.parts:
        alts.append(QueryAlt((joined,), "parts", "term", PART_BOOST))
    return alts


def phrase_terms(text: str) -> tuple[str, ...]:
    """The main terms of a phrase, in order, function words included (they hold positions)."""
    return tuple(main_terms(text))


def prefix_term(text: str) -> str:
    """A ``prefix*`` as the index holds it: folded, not lemmatised (``Digital*`` → ``digital``)."""
    text = text.strip().rstrip("*")
    return fold(text) if _profile.lemmas else text.lower()


def is_stop(term: str) -> bool:
    """True for a function word a backend may drop from free-text queries."""
    return is_function_word(term)
