"""Entity rules for council texts, mapped to the project's small vocabulary of labels.

=============  ====================================================  ==========================
label          what                                                  normalised ``value``
=============  ====================================================  ==========================
``REFERENCE``  paper numbers in every vendor's format                 :func:`normalise_reference`
``GREMIUM``    Rat, Ausschüsse, Stadtbezirksräte, Ortsbeiräte …        the name, whitespace
                                                                     collapsed; ``kind`` the type
``OFFICE``     Fachbereich, Amt, Referat, Dezernat, Stabsstelle …      the name; ``kind`` the type
``PERSON``     names after a title or function (Dr., Oberbürger-      the name with academic
               meister, Stadträtin, Dezernent, Herr/Frau)             title; ``kind`` the function
``DATE``       31.03.2020, 4. Mai 2021, März 2020, 2020-03-31         ISO date (or ``YYYY-MM``)
``MONEY``      250.000 €, 1,5 Mio. Euro, EUR 12.345,67, 300 T€        amount in euro, ``"1500000.00"``
``PLACE``      streets (Pfarrer-Hegger-Straße 12), districts           the place name; ``kind``
               (im Ortsteil Vossenack, Gewerbegebiet „Winterrot“)     ``street`` or the area word
=============  ====================================================  ==========================

Two kinds of rules: regular expressions over the text (:func:`regex_entities`) for the shapes
that spaCy's tokenizer cuts apart (``21-15513-01`` is five tokens, ``1,5 Mio. €`` three) and
for names with "für … und …" tails; token patterns for spaCy's EntityRuler
(:func:`ruler_patterns`) for persons and places, where token shape and lists of functions do
the work. Without a statistical model, persons are found only next to a title or function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ratsinfo.core.record import parse_date
from ratsinfo.nlp.references import find_references

LABELS = ("REFERENCE", "GREMIUM", "OFFICE", "PERSON", "DATE", "MONEY", "PLACE")


@dataclass(frozen=True)
class Found:
    """An entity found by a regex rule: character span, label, normalised value, kind."""

    label: str
    start: int
    end: int
    value: str
    kind: str | None = None


_CAP = r"[A-ZÄÖÜ][a-zäöüß]+"
_CAPWORD = rf"{_CAP}(?:-{_CAP})*"
# a capitalised word that is not an article, pronoun or preposition at a sentence start
_NOT_NAME = (
    r"(?!(?:Der|Die|Das|Des|Dem|Den|Ein|Eine|Einer|Im|In|Am|An|Auf|Zum|Zur|Mit|Von|Vom|Bei|Und|"
    r"Oder|Sowie|Es|Sie|Er|Wir|Hier|Dies|Diese|Dieser|Nach|Für|Über|Unter|Gem|Nr)\b)"
)
_NAMEPART = rf"{_NOT_NAME}{_CAPWORD}-?"
# "für Jugend, Kultur und Vereine", "für Informationstechnik und Digitalisierung"
_FUER_TAIL = rf"\s+für\s+{_NAMEPART}(?:(?:,\s*|\s+und\s+){_NAMEPART}){{0,4}}"

_MONTHS = "Januar|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
_MONTH_NO = {
    m: i
    for i, m in enumerate(
        [
            "januar",
            "februar",
            "märz",
            "april",
            "mai",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "dezember",
        ],
        start=1,
    )
}
_MONTH_NO["maerz"] = 3

_DATE_RES = [
    re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?![\d])"),
    re.compile(rf"\b(\d{{1,2}})\.\s?({_MONTHS})\s+(\d{{4}})\b"),
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
]
_MONTH_YEAR = re.compile(rf"(?<!\d\.\s)(?<!\d\.)\b({_MONTHS})\s+(\d{{4}})\b")

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:,\d{1,2})?"
_SCALE = r"Mio\.?|Millionen|Million|Mrd\.?|Milliarden|Milliarde|Tsd\.?|Tausend"
_CURRENCY = r"€|Euro|EUR|T€|TEUR|TEuro"
_MONEY_RES = [
    re.compile(rf"(?<![\d.,])(?P<num>{_NUMBER})\s?(?P<scale>{_SCALE})?\s?(?P<cur>{_CURRENCY})(?![\w])"),
    re.compile(rf"(?<![\w])(?P<cur>EUR|€)\s?(?P<num>{_NUMBER})(?:\s?(?P<scale>{_SCALE}))?(?![\d])"),
]

_OFFICE_KINDS = "Fachbereich|Amt|Referat|Dezernat|Stabsstelle|Fachdienst|Fachamt|Abteilung|Dienststelle"
_OFFICE_RE = re.compile(
    rf"(?:(?P<num>\b\d{{1,3}}(?:\.\d{{1,2}})?)[ \t]+)?\b(?P<kind>(?i:{_OFFICE_KINDS}))\b"
    rf"(?P<id>[ \t]+(?:[IVX]{{1,5}}|\d{{1,3}}(?:\.\d{{1,2}})?)\b)?"
    rf"(?P<tail>{_FUER_TAIL}|\s+(?:des|der)\s+{_NAMEPART}(?:\s+{_NAMEPART})?"
    rf"|\s+-\s+[\w\-, ]{{3,80}}?(?=\s*(?:\n|$|;|\)))"
    rf"|(?:[ \t]+{_NAMEPART}){{1,3}})?"
)

_GREMIUM_WORDS = {
    "rat": "rat",
    "gemeinderat": "rat",
    "gemeinderates": "rat",
    "gemeinderats": "rat",
    "rates": "rat",
    "stadtverordnetenversammlung": "rat",
    "gemeindevertretung": "rat",
    "kreistag": "kreistag",
    "kreistages": "kreistag",
    "kreistags": "kreistag",
    "stadtbezirksrat": "stadtbezirksrat",
    "stadtbezirksrates": "stadtbezirksrat",
    "stadtbezirksrats": "stadtbezirksrat",
    "ortsbeirat": "ortsbeirat",
    "ortsbeirates": "ortsbeirat",
    "ortschaftsrat": "ortsbeirat",
    "ortschaftsrates": "ortsbeirat",
    "ortschaftsrats": "ortsbeirat",
    "ortsrat": "ortsbeirat",
    "ortsrates": "ortsbeirat",
    "bezirksbeirat": "ortsbeirat",
    "bezirksversammlung": "bezirksversammlung",
    "bezirksvertretung": "bezirksversammlung",
    "magistrat": "magistrat",
    "verwaltungsausschuss": "ausschuss",
}
_GREMIUM_RE = re.compile(
    r"\b(?P<word>Rat(?:es)?|Gemeinderat(?:e?s)?|Stadtverordnetenversammlung|Gemeindevertretung|"
    r"Kreistag(?:e?s)?|Stadtbezirksrat(?:e?s)?|Ortsbeirat(?:es)?|Ortschaftsrat(?:e?s)?|Ortsrat(?:es)?|"
    r"Bezirksbeirat|Bezirksversammlung|Bezirksvertretung|Magistrat)\b"
    rf"(?P<tail>\s+der\s+(?:Stadt|Gemeinde|Freien\s+und\s+Hansestadt)(?:\s+{_CAPWORD})?"
    rf"|[ \t]+(?:\d{{1,3}}|{_NOT_NAME}{_CAPWORD}(?:[ \t]*-[ \t]*{_CAPWORD})?)(?![\w-]))?"
)
_AUSSCHUSS_RE = re.compile(
    rf"(?:\b{_CAP}-\s(?:und|u\.)\s)?\b(?:{_CAP})?[aA]usschuss(?:es)?\b(?P<tail>{_FUER_TAIL})?"
)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" -,")


def _iso(y: int, m: int, d: int) -> str | None:
    return parse_date(f"{y:04d}-{m:02d}-{d:02d}")


def dates(text: str) -> list[Found]:
    out: list[Found] = []
    for rx in _DATE_RES:
        for m in rx.finditer(text):
            if rx is _DATE_RES[0]:
                y = int(m[3])
                y = y + 2000 if y < 70 else y + 1900 if y < 100 else y
                value = _iso(y, int(m[2]), int(m[1]))
            elif rx is _DATE_RES[1]:
                value = _iso(int(m[3]), _MONTH_NO[m[2].lower()], int(m[1]))
            else:
                value = _iso(int(m[1]), int(m[2]), int(m[3]))
            if value:
                out.append(Found("DATE", m.start(), m.end(), value))
    for m in _MONTH_YEAR.finditer(text):
        out.append(Found("DATE", m.start(), m.end(), f"{int(m[2]):04d}-{_MONTH_NO[m[1].lower()]:02d}"))
    return out


def money_value(number: str, scale: str | None, currency: str) -> str | None:
    """``("1,5", "Mio.", "€")`` → ``"1500000.00"``: German number format, scales, T€."""
    try:
        amount = Decimal(number.replace(".", "").replace(",", "."))
    except InvalidOperation:
        return None
    s = (scale or "").lower().rstrip(".")
    if s.startswith("mio") or s.startswith("million"):
        amount *= 1_000_000
    elif s.startswith("mrd") or s.startswith("milliard"):
        amount *= 1_000_000_000
    elif s.startswith("tsd") or s.startswith("tausend"):
        amount *= 1_000
    if currency in ("T€", "TEUR", "TEuro"):
        amount *= 1_000
    return f"{amount:.2f}"


def money(text: str) -> list[Found]:
    out = []
    for rx in _MONEY_RES:
        for m in rx.finditer(text):
            value = money_value(m["num"], m["scale"], m["cur"])
            if value is not None:
                out.append(Found("MONEY", m.start(), m.end(), value))
    return out


def offices(text: str) -> list[Found]:
    out = []
    for m in _OFFICE_RE.finditer(text):
        if not (m["num"] or m["id"] or m["tail"]):
            continue  # a bare "Amt" or "das Referat" names no office
        kind = m["kind"].lower()
        out.append(Found("OFFICE", m.start(), m.end(), _clean(m.group()), kind))
    return out


def gremien(text: str) -> list[Found]:
    out = []
    for m in _GREMIUM_RE.finditer(text):
        kind = _GREMIUM_WORDS.get(m["word"].lower(), "rat")
        out.append(Found("GREMIUM", m.start(), m.end(), _clean(m.group()), kind))
    for m in _AUSSCHUSS_RE.finditer(text):
        out.append(Found("GREMIUM", m.start(), m.end(), _clean(m.group()), "ausschuss"))
    return out


def references(text: str) -> list[Found]:
    return [Found("REFERENCE", r.start, r.end, r.value, r.kind) for r in find_references(text)]


def regex_entities(text: str) -> list[Found]:
    """Every regex-rule entity in ``text`` (overlaps are resolved by the pipeline)."""
    return [*references(text), *dates(text), *money(text), *offices(text), *gremien(text)]


# --- token patterns for the EntityRuler ---------------------------------------------------

PERSON_FUNCTIONS = [
    "oberbürgermeister",
    "oberbürgermeisterin",
    "bürgermeister",
    "bürgermeisterin",
    "bezirksbürgermeister",
    "bezirksbürgermeisterin",
    "beigeordneter",
    "beigeordnete",
    "beigeordneten",
    "dezernent",
    "dezernentin",
    "stadtrat",
    "stadträtin",
    "ratsherr",
    "ratsfrau",
    "ratsmitglied",
    "landrat",
    "landrätin",
    "ortsvorsteher",
    "ortsvorsteherin",
    "kämmerer",
    "kämmerin",
    "stadtkämmerer",
    "stadtkämmerin",
    "stadtdirektor",
    "stadtdirektorin",
    "amtsleiter",
    "amtsleiterin",
    "fachbereichsleiter",
    "fachbereichsleiterin",
    "bezirksamtsleiter",
    "bezirksamtsleiterin",
    "bezirksvorsteher",
    "bezirksvorsteherin",
    "vorsitzende",
    "vorsitzender",
    "revierförster",
    "revierförsterin",
    "stadtbaurat",
    "stadtbaurätin",
    "bauamtsleiter",
    "bezirksvertreter",
    "bezirksvertreterin",
    "ratsvorsitzender",
    "ratsvorsitzende",
]
ADDRESS = ["herr", "herrn", "frau"]
TITLES = ["Dr.", "Prof.", "Dipl.-Ing.", "Dr.-Ing.", "Dipl.-Kfm.", "Dr.-Ing", "Prof.Dr."]
_NAME_TOKEN = {
    "TEXT": {"REGEX": r"^[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)*$"},
    "LOWER": {
        "NOT_IN": [
            "der",
            "die",
            "das",
            "des",
            "dem",
            "den",
            "und",
            "stadt",
            "gemeinde",
            "fraktion",
            "antrag",
            "anfrage",
            "vorlage",
            "rat",
            "herr",
            "frau",
        ]
    },
}

_GENERIC_STREETS = [
    "gemeindestraße",
    "erschließungsstraße",
    "landstraße",
    "bundesstraße",
    "kreisstraße",
    "landesstraße",
    "anliegerstraße",
    "wohnstraße",
    "fahrradstraße",
    "einbahnstraße",
    "nebenstraße",
    "durchgangsstraße",
    "sammelstraße",
    "hauptverkehrsstraße",
    "spielstraße",
    "ortsstraße",
    "zufahrtsstraße",
    "umgehungsstraße",
    "erschließungsstraßen",
    "gemeindestraßen",
]
_STREET = r"^[A-ZÄÖÜ][\wäöüß.\-]*(?:straße|strasse|str\.|allee|gasse|damm|ufer|chaussee|Straße|Allee|Gasse)$"
_STREET_NUMBERED = r"^[A-ZÄÖÜ][\wäöüß.\-]*(?:weg|platz|ring|pfad|steig|Weg|Platz|Ring)$"
AREA_WORDS = [
    "ortsteil",
    "ortsteilen",
    "stadtteil",
    "stadtteilen",
    "stadtbezirk",
    "ortschaft",
    "gemarkung",
    "gewerbegebiet",
    "baugebiet",
    "wohngebiet",
    "fördergebiet",
    "sanierungsgebiet",
    "quartier",
    "bebauungsplangebiet",
]
_OFFICE_WORD = r"^[A-ZÄÖÜ][a-zäöüß]{2,}(?:amt|ämter|amtes|amts|referat|dezernat)$"
_NOT_OFFICES = ["ehrenamt", "gesamt", "ehrenamts", "ehrenamtes"]
_QUOTE = {"TEXT": {"IN": ['"', "„", "“", "”", "'", "‚", "‘"]}, "OP": "?"}
_AREA_NAME = {
    "TEXT": {"REGEX": r"^[A-ZÄÖÜ][\wäöüß\-]+$"},
    "LOWER": {"NOT_IN": ["der", "die", "das", "des", "dem", "den", "und"]},
}


def ruler_patterns() -> list[dict]:
    """Token patterns for spaCy's EntityRuler (PERSON and PLACE, and one-word offices and
    committees such as ``Ordnungsamt`` or ``Umweltausschuss`` that the regexes leave to it)."""
    title = {"TEXT": {"IN": TITLES}, "OP": "*"}
    name = dict(_NAME_TOKEN, OP="{1,3}")
    function = {"LOWER": {"IN": PERSON_FUNCTIONS}}
    address = {"LOWER": {"IN": ADDRESS}}
    pats: list[dict] = [
        {"label": "PERSON", "pattern": [function, title, name], "id": "function"},
        {
            "label": "PERSON",
            "pattern": [address, {"LOWER": {"IN": PERSON_FUNCTIONS}, "OP": "?"}, title, name],
            "id": "address",
        },
        {"label": "PERSON", "pattern": [{"TEXT": {"IN": TITLES}, "OP": "+"}, name], "id": "title"},
        {
            "label": "PLACE",
            "pattern": [
                {"TEXT": {"REGEX": _STREET}, "LOWER": {"NOT_IN": _GENERIC_STREETS}},
                {"TEXT": {"REGEX": r"^\d{1,4}[a-z]?$"}, "OP": "?"},
            ],
            "id": "street",
        },
        {
            "label": "PLACE",
            "pattern": [{"TEXT": {"REGEX": _STREET_NUMBERED}}, {"TEXT": {"REGEX": r"^\d{1,4}[a-z]?$"}}],
            "id": "street",
        },
        {
            "label": "PLACE",
            "pattern": [{"LOWER": {"IN": AREA_WORDS}}, _QUOTE, _AREA_NAME, _QUOTE],
            "id": "area",
        },
        {
            "label": "OFFICE",
            "pattern": [{"TEXT": {"REGEX": _OFFICE_WORD}, "LOWER": {"NOT_IN": _NOT_OFFICES}}],
            "id": "office-word",
        },
    ]
    return pats


def person_value(text: str) -> tuple[str, str | None]:
    """``"Oberbürgermeister Dr. Frank Mentrup"`` → ``("Dr. Frank Mentrup", "oberbürgermeister")``."""
    words = text.split()
    kind = None
    while words and (words[0].lower() in PERSON_FUNCTIONS or words[0].lower() in ADDRESS):
        w = words.pop(0).lower()
        if w in PERSON_FUNCTIONS:
            kind = w
    return " ".join(words), kind


def place_value(text: str, pattern_id: str) -> tuple[str, str]:
    """``"Ortsteil Vossenack"`` → ``("Vossenack", "ortsteil")``; streets keep the house number."""
    if pattern_id == "area":
        words = text.split(maxsplit=1)
        kind = words[0].lower()
        kind = kind.removesuffix("en") if kind.endswith("teilen") else kind
        name = words[1].strip("\"„“”'‚‘ ") if len(words) > 1 else text
        return name, kind
    return _clean(text), "street"


def office_kind(word: str) -> str:
    low = word.lower()
    for kind in ("amt", "ämter", "referat", "dezernat"):
        if kind in low:
            return "amt" if kind == "ämter" else kind
    return "amt"
