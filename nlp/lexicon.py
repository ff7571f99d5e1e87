"""The German word lists every language module shares, loaded once from spacy-lookups-data.

Two tables ship with ``spacy-lookups-data`` (MIT, installed with spaCy, nothing is downloaded):

* ``de_lexeme_prob`` — about one million word forms with their log probability in a large
  German corpus (spaCy's vocabulary statistics). It is the word list *and* the frequencies the
  compound splitter needs (Koehn & Knight 2003 score a split by its parts' frequencies).
* ``de_lemma_lookup`` — about 355,000 inflected forms mapped to their lemma
  (``Schulen`` → ``Schule``, ``beschlossen`` → ``beschließen``).

Why a derived cache: reading the gzipped JSON tables costs about 3 s and 390 MB per process,
and importing spaCy for its stop list another second — too slow for a command-line search that
should answer in about a second. The first use builds the compact tables this module needs
(vocabulary above :data:`MIN_LOGPROB`, noun forms, lemma table, function words) and writes them
with :mod:`marshal` to the user cache dir (``RATSINFO_CACHE`` overrides it), keyed by the
versions of spacy-lookups-data and spaCy and by :data:`FORMAT`. Each table is cut into buckets
by the first two letters of its keys and a bucket is unmarshalled when first used
(:class:`LazyTable`), so a search that analyses a few words loads a few buckets (milliseconds)
and a bulk index all of them (about 0.35 s, 160 MB). When the cache dir is not writable the
tables are simply rebuilt.
"""

from __future__ import annotations

import gzip
import json
import marshal
import os
import re
import tempfile
from functools import lru_cache
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any

# Forms rarer than this are left out of the vocabulary: the tail of the list is mostly typos,
# OCR splinters and one-off names, and dropping it halves the memory.
MIN_LOGPROB = -17.0
# bump when what _build() derives changes
FORMAT = 2

_ALPHA = re.compile(r"^[a-zäöüß]+$")

# spaCy's German stop list holds some content words; these must stay searchable and may be
# compound parts ("Jahresabschluss", "Teilhaushalt", "Haushaltsmittel", "Zeitplan").
_CONTENT_IN_SPACY_STOPS = {
    "jahr",
    "jahre",
    "jahren",
    "tag",
    "tage",
    "tagen",
    "zeit",
    "teil",
    "mittel",
    "recht",
    "rechte",
    "rechten",
    "rechter",
    "rechtes",
    "ende",
    "beispiel",
    "morgen",
    "uhr",
    "tel",
    "ehrlich",
    "gut",
    "gute",
    "guter",
    "gutes",
    "gross",
    "grosse",
    "grossen",
    "grosser",
    "grosses",
    "groß",
    "große",
    "großen",
    "großer",
    "großes",
    "klein",
    "kleine",
    "kleinen",
    "kleiner",
    "kleines",
    "neue",
    "neuen",
    "offen",
    "richtig",
    "schlecht",
    "lang",
    "lange",
    "kurz",
    "hoch",
    "leicht",
    "satt",
    "einmaleins",
    "dasein",
    "acht",
    "elf",
    "drei",
    "vier",
    "fünf",
    "sechs",
    "sieben",
    "neun",
    "zehn",
    "zwanzig",
    "zwei",
    "dank",
    "bekannt",
    "besten",
    "besser",
    "eigen",
    "wahr",
    "rund",
    "gleich",
    "weit",
    "natürlich",
    "möglich",
    "allgemeinen",
    "kommen",
    "gehen",
    "machen",
}
_EXTRA_FUNCTION_WORDS = {"bzw", "ggf", "z", "b", "u", "a", "d", "h", "sowie"}


def _data_dir() -> Path:
    spec = find_spec("spacy_lookups_data")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("spacy-lookups-data is not installed (pip install spacy-lookups-data)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _read(name: str) -> dict:
    with gzip.open(_data_dir() / name, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "none"


def cache_path() -> Path:
    """Where the compact tables for the installed data versions live."""
    base = os.environ.get("RATSINFO_CACHE")
    if base:
        directory = Path(base).expanduser()
    else:
        import platformdirs

        directory = Path(platformdirs.user_cache_dir("ratsinfo"))
    key = f"{_version('spacy-lookups-data')}-spacy{_version('spacy')}-f{FORMAT}-p{-MIN_LOGPROB:g}"
    return directory / f"lexicon-de-{key}.marshal"


def _build() -> dict[str, Any]:
    """The compact tables from spacy-lookups-data and spaCy's stop list (the slow path)."""
    from spacy.lang.de.stop_words import STOP_WORDS

    vocab: dict[str, float] = {}
    lower: dict[str, float] = {}
    capital: dict[str, float] = {}
    for form, lp in _read("de_lexeme_prob.json.gz").items():
        if lp < MIN_LOGPROB:
            continue
        low = form.lower()
        if not _ALPHA.match(low):
            continue
        if lp > vocab.get(low, -99.0):
            vocab[low] = lp
        if form == low:
            lower[low] = lp
        elif form[0].isupper() and form[1:] == low[1:]:
            capital[low] = lp
    nouns = frozenset(w for w, lp in capital.items() if lp > lower.get(w, -99.0) + 1.0)
    function_words = frozenset((set(STOP_WORDS) - _CONTENT_IN_SPACY_STOPS) | _EXTRA_FUNCTION_WORDS)
    return {
        "vocab": vocab,
        "nouns": nouns,
        "lemmas": _read("de_lemma_lookup.json.gz"),
        "function_words": function_words,
    }


class LazyTable:
    """A read-only dict or set, split into buckets by the first two letters of the key and
    unmarshalled bucket by bucket on first use: a query touches a few buckets of the ~1.5
    million strings, a bulk index all of them."""

    def __init__(self, blob: bytes, index: dict[str, tuple[int, int]], is_set: bool):
        self._blob = blob
        self._index = index
        self._empty: Any = frozenset() if is_set else {}
        self._buckets: dict[str, Any] = {}

    @staticmethod
    def bucket_key(key: str) -> str:
        return key[:2].lower()

    def _bucket(self, key: str) -> Any:
        k = key[:2].lower()
        bucket = self._buckets.get(k)
        if bucket is None:
            where = self._index.get(k)
            bucket = marshal.loads(self._blob[where[0] : where[0] + where[1]]) if where else self._empty
            self._buckets[k] = bucket
        return bucket

    def get(self, key: str, default: Any = None) -> Any:
        return self._bucket(key).get(key, default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._bucket(key)

    def __getitem__(self, key: str) -> Any:
        return self._bucket(key)[key]

    def _all(self) -> list[Any]:
        return [self._bucket(k) for k in self._index]

    def __iter__(self) -> Any:
        for bucket in self._all():
            yield from bucket

    def __len__(self) -> int:
        return sum(len(b) for b in self._all())

    def items(self) -> Any:
        for bucket in self._all():
            yield from bucket.items()


def _pack(data: dict[str, Any]) -> bytes:
    """``data``'s tables bucketed: a header (bucket offsets) and the marshalled buckets."""
    chunks: list[bytes] = []
    offset = 0
    header: dict[str, Any] = {}
    for name, table in data.items():
        buckets: dict[str, Any] = {}
        for key in table:
            k = LazyTable.bucket_key(key)
            if isinstance(table, dict):
                buckets.setdefault(k, {})[key] = table[key]
            else:
                buckets.setdefault(k, set()).add(key)
        index = {}
        for k, bucket in buckets.items():
            blob = marshal.dumps(bucket if isinstance(table, dict) else frozenset(bucket))
            index[k] = (offset, len(blob))
            chunks.append(blob)
            offset += len(blob)
        header[name] = (index, not isinstance(table, dict))
    head = marshal.dumps(header)
    return len(head).to_bytes(8, "little") + head + b"".join(chunks)


def _unpack(raw: bytes) -> dict[str, LazyTable]:
    size = int.from_bytes(raw[:8], "little")
    header = marshal.loads(raw[8 : 8 + size])
    blob = raw[8 + size :]
    return {name: LazyTable(blob, index, is_set) for name, (index, is_set) in header.items()}


_TABLES = ("vocab", "nouns", "lemmas", "function_words")


@lru_cache(maxsize=1)
def _tables() -> dict[str, Any]:
    path = cache_path()
    try:
        tables = _unpack(path.read_bytes())
        if set(_TABLES) <= tables.keys():
            return tables
    except (OSError, ValueError, EOFError, TypeError, KeyError):
        pass
    data = _build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".lexicon-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_pack(data))
        os.replace(tmp, path)  # atomic: concurrent builders simply overwrite each other
    except OSError:
        pass
    return data


def vocabulary() -> Any:
    """Lowercase alphabetic word form → best log probability over its spellings (case variants);
    a dict-like :class:`LazyTable` (``get``, ``in``, ``[]``)."""
    return _tables()["vocab"]


def is_noun_form(word: str) -> bool:
    """True when the lowercase ``word`` is mostly written capitalised (a noun or name): then a
    lemma-table entry that maps it to a lowercase word is a sentence-initial reading to ignore
    (the table maps ``Meister`` to ``meist``)."""
    return word in _tables()["nouns"]


def lemma_table() -> Any:
    """Inflected form (case as written: nouns capitalised) → lemma, from spaCy's lookup table."""
    return _tables()["lemmas"]


def function_words() -> Any:
    """Closed-class words: spaCy's German stop list without the content words in it."""
    return _tables()["function_words"]


def logprob(word: str) -> float | None:
    """Log probability of a lowercase word form, None when it is not in the vocabulary."""
    return vocabulary().get(word)


def is_function_word(word: str) -> bool:
    """Closed-class words (articles, pronouns, prepositions …): never compound parts, dropped from
    free-text queries."""
    return word in _tables()["function_words"]


def __getattr__(name: str) -> Any:  # FUNCTION_WORDS stays importable without loading at import
    if name == "FUNCTION_WORDS":
        return function_words()
    raise AttributeError(name)
