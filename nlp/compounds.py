"""German compound splitting, so that a part finds the whole and the whole finds its parts.

Algorithm (Koehn & Knight 2003, "Empirical methods for compound splitting", with guards):

1. Hyphenated words are cut at their hyphens first (``Smart-City-Rahmenkonzept`` → ``Smart``,
   ``City``, ``Rahmenkonzept``); each piece is then split on its own.
2. A word is split into *atoms*, every one a known word of at least three letters, trying each
   split point. Between two atoms a linking element (Fugenelement) may stand: ``s``, ``es``,
   ``n``, ``en``, ``ns``, ``ens``, ``er``, ``e`` (``Haushalt|s|satzung``,
   ``Digitalisierung|s|strategie``); a modifier may also have lost its ``e``/``en``
   (``Schul|hof`` → Schule, ``Wohn|gebiet`` → wohnen).
3. The segmentation with the fewest atoms wins, among those the most probable one (highest
   sum of log probabilities, a unigram model): that is the coarse modifier + head reading
   (``Glasfaser|ausbau``, not ``Glas|fase|raus|bau``), and each atom is split again on its own.
   The word is split only if the geometric mean frequency of its parts (Koehn & Knight's
   criterion) beats the word's own frequency: frequent parts make a rare word compositional.
4. Guards against over-splitting, which floods results with junk:

   * words shorter than 7 letters, words with digits or capitals inside (``WLAN``, ``eAkte``)
     and words whose own log probability is ≥ :data:`LEXICALISED` (the ~20,000 most frequent
     forms: ``Bürgermeister``, ``Haushalt``, ``Feuerwehr``, ``Gemeinderat``, ``Karlsruhe``) stay
     whole. Frequent compounds are lexicalised: someone searching "Bürger" does not mean the
     mayor, and "Haus" should not find the budget (Haus|halt).
   * atoms are content words: no function words (``Aus|bau``, ``Vor|lage``, ``Über|prüfung``
     stay whole), no derivational splinters (``-ung``, ``-heit``, ``-keit`` …, which occur as
     "words" in the list from hyphenated line breaks); three-letter atoms must be common
     (``Amt``, ``Rat``, ``Bau``, ``Tal``), longer ones must not be rare.
   * adjacent atoms that together form a lexicalised word are joined again
     (``Bürger|meister|wahl`` → ``Bürgermeister|wahl``).

The result keeps the hierarchy a search needs: :attr:`Split.atoms` (finest parts),
:attr:`Split.heads` (the coarsest two-or-more-part reading, for "the whole finds its parts")
and :attr:`Split.parts` (atoms plus every known word spanning several atoms, e.g.
``Gerätehaus`` in ``Feuerwehrgerätehaus``), all as lowercase canonical forms (linking element
removed, lost ``e`` restored). Lemmatising the parts is left to :mod:`ratsinfo.nlp.analysis`.

Word list and frequencies: ``de_lexeme_prob`` from spacy-lookups-data (see
:mod:`ratsinfo.nlp.lexicon`). Results are cached per word, so the cost at index time is one
dict look-up per token once the vocabulary of a corpus has been seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ratsinfo.nlp.lexicon import is_function_word, vocabulary

LEXICALISED = -12.0  # words at least this frequent are atoms
MIN_WORD = 7  # shorter words are never split
MIN_ATOM = 3
SHORT_ATOM_LOGPROB = -11.0  # three-letter atoms must be this common ("amt", "rat", "bau")
ATOM_LOGPROB = -15.5  # longer atoms must be at least this common
SPAN_LOGPROB = -16.5  # a multi-atom span is a part when the vocabulary knows it this well
MAX_ATOMS = 5

# linking elements that may follow a modifier, longest first
_FUGEN = ("ens", "ns", "es", "en", "er", "s", "n", "e")
# a modifier written without its final e/en/n: "Schul|hof" (Schule), "Wohn|gebiet" (wohnen)
_RESTORE = ("e", "en", "n")
# derivational suffixes and splinters that occur as "words" in the frequency list
_BOUND = frozenset(
    str.split(
        """ung ungen heit heiten keit keiten lung tung rung nung gung hung kung sung ion ionen tion
    tionen ität itäten schaft schaften ling linge nis nisse tum tümer lich lichen liche isch
    ische ischen bar sam haft los lose ern ter tern ier iert ieren ent enz enzen anz anzen ant
    anten ist isten eur eure ismus erei ereien ender enden ell elle ellen iv ive iven chen
    lein ler lern ner nern ger gern te ten tes ste sten igt igte igten igen ige iger iges ung
    end ens ene ener enes erin erinnen eln elt elte lung ungs"""
    )
)


@dataclass(frozen=True)
class Split:
    """How a word splits. Empty tuples mean: keep the word whole."""

    word: str
    atoms: tuple[str, ...] = ()
    heads: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    # where the last atom (the grammatical head) starts in the lowercase word: lets the caller
    # lemmatise the head and keep the modifier as written ("bebauungs" + "plan")
    head_start: int = 0

    @property
    def is_compound(self) -> bool:
        return bool(self.atoms)


@lru_cache(maxsize=1_048_576)
def _atom_ok(word: str) -> float | None:
    """Log probability of ``word`` as an atom, None when it may not be one."""
    n = len(word)
    if n < MIN_ATOM or word in _BOUND or is_function_word(word):
        return None
    lp = vocabulary().get(word)
    if lp is None:
        return None
    if n == MIN_ATOM and lp < SHORT_ATOM_LOGPROB:
        return None
    if lp < ATOM_LOGPROB:
        return None
    return lp


@lru_cache(maxsize=1_048_576)
def _modifiers(surface: str) -> tuple[tuple[str, float, bool], ...]:
    """The canonical words a modifier may stand for: as written, or with a lost e/en/n restored
    (``schul`` → ``schule``, ``wohn`` → ``wohnen``). The flag says whether an ending was
    restored (then no linking element may follow). The segmentation picks the likelier one."""
    out: list[tuple[str, float, bool]] = []
    lp = _atom_ok(surface)
    # "flüchtlings", "informations": a genitive form as modifier is read as stem + Fugen-s
    genitive = any(
        surface.endswith(fuge) and _atom_ok(surface[: -len(fuge)]) is not None for fuge in ("es", "s")
    )
    if lp is not None and not genitive:
        out.append((surface, lp, False))
    # only a stem that ends in a consonant can have lost an ending; a frequent word as written
    # needs no other reading (this also halves the work on a cold cache)
    if is_function_word(surface) or surface[-1] in "aeiouäöüy" or (lp is not None and lp >= -10.0):
        return tuple(out)
    restored = [(lp, surface + e) for e in _RESTORE if (lp := _atom_ok(surface + e)) is not None]
    if restored:
        lp, word = max(restored)
        out.append((word, lp - 1.0, True))  # a restored form costs a little
    return tuple(out)


# One segmentation: tuple of (canonical atom, surface start, surface end incl. linking element)
_Seg = tuple[tuple[str, int, int], ...]


@lru_cache(maxsize=262_144)
def _best_segmentation(word: str) -> _Seg | None:
    """The most probable segmentation into two or more atoms, or None.

    Dynamic programming over start positions keeps, per start and atom count, the reading with
    the highest sum of log probabilities (a unigram model); the fewest atoms win, so the split
    is the coarse modifier + head reading and each atom is split again on its own."""
    n = len(word)
    # best[i][k]: (score, seg) for word[i:] in exactly k atoms
    best: list[dict[int, tuple[float, _Seg]]] = [{} for _ in range(n + 1)]
    for i in range(n - MIN_ATOM, -1, -1):
        head_lp = _atom_ok(word[i:])
        if head_lp is not None:
            best[i][1] = (head_lp, ((word[i:], i, n),))
        for j in range(i + MIN_ATOM, n - MIN_ATOM + 1):
            for canon, lp, restored in _modifiers(word[i:j]):
                links = [""] if restored else ["", *(f for f in _FUGEN if word.startswith(f, j))]
                for link in links:
                    k0 = j + len(link)
                    if k0 > n - MIN_ATOM:
                        continue
                    for k, (score, seg) in best[k0].items():
                        if k + 1 > MAX_ATOMS:
                            continue
                        cur = best[i].get(k + 1)
                        if cur is None or score + lp > cur[0]:
                            best[i][k + 1] = (score + lp, ((canon, i, k0), *seg))
    for k in range(2, MAX_ATOMS + 1):
        if k in best[0]:
            return best[0][k][1]
    return None


def _mean_logprob(seg: _Seg) -> float:
    voc = vocabulary()
    return sum(voc.get(atom, -20.0) for atom, _, _ in seg) / len(seg)


def _spans(word: str, atoms: list[tuple[str, int, int]]) -> list[str]:
    """Known words made of two or more neighbouring atoms (not the whole word)."""
    voc = vocabulary()
    out = []
    m = len(atoms)
    for a in range(m):
        for b in range(a + 2, m + 1):
            if a == 0 and b == m:
                continue
            surface = word[atoms[a][1] : atoms[b - 1][2]]
            cands = [surface]
            if b < m:  # a modifier span may end in a linking element
                cands += [surface[: -len(f)] for f in _FUGEN if surface.endswith(f)]
            for cand in cands:
                lp = voc.get(cand)
                if lp is not None and lp >= SPAN_LOGPROB and not is_function_word(cand):
                    out.append(cand)
                    break
    return out


@lru_cache(maxsize=262_144)
def split_word(word: str) -> Split:
    """Split one word without hyphens. ``word`` may be in any case; results are lowercase."""
    low = word.lower()
    if len(low) < MIN_WORD or not low.isalpha() or any(ch.isupper() for ch in word[1:]):
        return Split(low)
    whole = vocabulary().get(low)
    if whole is not None and whole >= LEXICALISED:
        return Split(low)
    seg = _best_segmentation(low)
    if seg is None or (whole is not None and _mean_logprob(seg) <= whole):
        return Split(low)
    heads = tuple(atom for atom, _, _ in seg)
    # atoms: each head split again on its own (a frequent head such as "feuerwehr" stays whole)
    atoms: list[tuple[str, int, int]] = []
    parts: list[str] = list(heads)
    for atom, start, end in seg:
        inner = split_word(atom)
        parts.extend(inner.parts)
        if not inner.atoms:
            atoms.append((atom, start, end))
            continue
        # map the inner atoms back onto this word's surface as far as they line up
        pos = start
        for sub in inner.atoms:
            at = low.find(sub[: max(MIN_ATOM, len(sub) - 2)], pos, end)
            atoms.append((sub, at if at >= 0 else pos, end))
            pos = at + 1 if at >= 0 else pos
    # every known word spanning neighbouring atoms: "straßenbau" in straße|baumaßnahmen
    starts = [s for _, s, _ in atoms]
    ends = [*starts[1:], len(low)]
    parts.extend(_spans(low, [(a, s, e) for (a, _, _), s, e in zip(atoms, starts, ends, strict=True)]))
    return Split(
        low,
        atoms=tuple(a for a, _, _ in atoms),
        heads=heads,
        parts=tuple(dict.fromkeys(p for p in parts if p != low)),
        head_start=seg[-1][1],
    )


@lru_cache(maxsize=262_144)
def head_start(word: str) -> int:
    """Where the grammatical head of a (possibly lexicalised) compound starts, 0 if it is simple.

    Unlike :func:`split_word` this also looks inside frequent compounds, so that the analysis
    can lemmatise ``Kindergärten`` as ``kinder`` + lemma(``Gärten``) = ``kindergarten``."""
    low = word.lower()
    if len(low) < MIN_WORD or not low.isalpha():
        return 0
    seg = _best_segmentation(low)
    return seg[-1][1] if seg else 0


def split(word: str) -> Split:
    """Split a word, hyphenated or not.

    >>> split("Smart-City-Rahmenkonzept").parts
    ('smart', 'city', 'rahmenkonzept', 'rahmen', 'konzept')
    """
    if "-" not in word.strip("-"):
        return split_word(word.strip("-"))
    pieces = [p for p in word.split("-") if p]
    low = word.lower()
    if len(pieces) < 2:
        return Split(low)
    parts: list[str] = []
    atoms: list[str] = []
    for piece in pieces:
        parts.append(piece.lower())
        inner = split_word(piece)
        atoms.extend(inner.atoms or (piece.lower(),))
        parts.extend(inner.parts)
    return Split(
        low,
        atoms=tuple(atoms),
        heads=tuple(p.lower() for p in pieces),
        parts=tuple(dict.fromkeys(parts)),
        head_start=low.rfind("-") + 1,
    )


def parts(word: str) -> list[str]:
    """Convenience: the parts of ``word`` (empty when it stays whole)."""
    return list(split(word).parts)
