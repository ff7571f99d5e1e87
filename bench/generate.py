"""Realistic council papers in any number, for the search benchmarks (deterministic per seed).

What makes them realistic, and where each part comes from:

* Betreff: a real Betreff (2,097 from Hürtgenwald, 56 from Karlsruhe, Braunschweig's excerpt)
  with its numbers and years varied, sometimes with a real ``hier: …`` clause of another one.
* Text: sentences from the text of real council files (Karlsruhe's 152 file texts), recombined,
  and (40 %) council phrasing around another real Betreff, so texts cover every subject; in the
  real sentences 12 % of the words are replaced by words drawn from spaCy's German frequency list in
  proportion to their frequency — so the vocabulary has the long Zipf tail a large corpus has
  (a corpus of recombined sentences alone would have a few thousand distinct words).
* Length: text sections of a median 180 words (log-normal), and for half of the papers file
  texts of a median 600 words: about 560 words per paper on average, like the Karlsruhe
  papers' sections plus attachments.
* Metadata: the real body names of the corpus, typical offices, committees, results and
  people; dates 2000–2026; references in each vendor's format.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

from ratsinfo.index.base import IndexDoc

PAPER_TYPES = [
    ("Beschlussvorlage", 30),
    ("Antrag", 18),
    ("Anfrage", 16),
    ("Mitteilung", 12),
    ("Stellungnahme", 10),
    ("Informationsvorlage", 6),
    ("Änderungsantrag", 3),
    ("Bericht", 3),
    ("Dringlichkeitsentscheidung", 2),
]
OFFICES = [
    "10 Fachbereich Zentrale Dienste",
    "20 Fachbereich Finanzen",
    "32 Ordnungsamt",
    "37 Fachbereich Feuerwehr",
    "40 Fachbereich Schule",
    "50 Fachbereich Soziales und Gesundheit",
    "51 Fachbereich Kinder, Jugend und Familie",
    "61 Fachbereich Stadtplanung und Geoinformation",
    "63 Bauordnungsamt",
    "65 Fachbereich Hochbau",
    "66 Fachbereich Tiefbau und Verkehr",
    "67 Fachbereich Stadtgrün und Sport",
    "68 Fachbereich Umwelt",
    "0110 Stabsstelle Digitalisierung, Smart City",
    "0800 Referat Wirtschaft und Digitales",
    "Amt für Informationstechnik und Digitalisierung",
    "Liegenschaftsamt",
    "Kämmerei",
    "Hauptamt",
    "Bürgermeisteramt",
    "Fachbereich 1 - Allgemeine Verwaltung",
    "Fachbereich 3 - Bauen und Umwelt",
]
COMMITTEES = [
    "Rat der Stadt",
    "Gemeinderat",
    "Hauptausschuss",
    "Haupt- und Finanzausschuss",
    "Finanzausschuss",
    "Bauausschuss",
    "Planungs- und Umweltausschuss",
    "Schulausschuss",
    "Jugendhilfeausschuss",
    "Ausschuss für Soziales und Gesundheit",
    "Ausschuss für Mobilität, Tiefbau und Auftragsvergaben",
    "Wirtschaftsausschuss",
    "Verwaltungsausschuss",
    "Rechnungsprüfungsausschuss",
    "Ausschuss für Feuerwehr, Katastrophenschutz und Ordnung",
    "Kulturausschuss",
    "Sportausschuss",
    "Ortschaftsrat",
    "Bezirksvertretung",
    "Stadtbezirksrat",
    "Kommission für Informationstechnik und Digitalisierung",
]
RESULTS = [
    "beschlossen",
    "ungeändert beschlossen",
    "geändert beschlossen",
    "einstimmig beschlossen",
    "mehrheitlich beschlossen",
    "abgelehnt",
    "vertagt",
    "zur Kenntnis genommen",
    "zurückgezogen",
    "verwiesen",
]
PEOPLE = [
    "Dr. Kornblum",
    "Frau Meier",
    "Herr Schulz",
    "Frau Öztürk",
    "Herr Wagner",
    "Frau Becker",
    "Herr Hoffmann",
    "Frau Schäfer",
    "Herr Koch",
    "Frau Richter",
    "Herr Klein",
    "Frau Wolf",
]
PARTIES = [
    "CDU-Fraktion",
    "SPD-Fraktion",
    "Fraktion BÜNDNIS 90/DIE GRÜNEN",
    "FDP-Fraktion",
    "Fraktion DIE LINKE.",
    "Freie Wähler",
    "AfD-Fraktion",
    "Gruppe Die PARTEI",
    "UWG-Fraktion",
]
SECTIONS = ["Sachverhalt", "Begründung", "Beschlussvorschlag", "Finanzielle Auswirkungen"]
REPLACE_SHARE = 0.12
# council phrasing around another paper's Betreff, so that texts cover every subject, not only
# the digital ones of the Karlsruhe session the real sentences come from
FRAMES = [
    "Der {committee} beschließt: {betreff}.",
    "Die Verwaltung wird beauftragt, zum Thema {betreff} bis zum {date} zu berichten.",
    "Zur Vorlage {betreff} liegt eine Stellungnahme des {office} vor.",
    "Mit Schreiben vom {date} bittet die {party} um Auskunft zu {betreff}.",
    "Die Kosten für {betreff} belaufen sich auf rund {money} Euro, "
    "die Mittel stehen im Haushalt {year} bereit.",
    "Im {committee} wurde am {date} über {betreff} beraten.",
    "Der Beschluss des {committee} vom {date} zu {betreff} wird umgesetzt.",
    "Die Maßnahme {betreff} wird im Jahr {year} fortgeführt.",
    "Eine Beteiligung der Öffentlichkeit zu {betreff} fand vom {date} an statt.",
    "Das {office} empfiehlt, dem Antrag {betreff} zuzustimmen.",
]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


@dataclass
class Sources:
    """The real material the generator recombines."""

    betreffs: list[str]
    hier: list[str]
    sentences: list[str]
    bodies: list[str]
    words: list[str]
    cum_weights: list[float]

    @classmethod
    def load(cls, corpus: Path) -> Sources:
        real = corpus / "oparl" / "real"
        betreffs: list[str] = []
        for page in sorted((real / "huertgenwald_sdnet_full").glob("paper_page-*.json")):
            betreffs += [
                d["name"] for d in json.loads(page.read_text(encoding="utf-8"))["data"] if d.get("name")
            ]
        for p in sorted((real / "karlsruhe_session_digital" / "papers").glob("*.json")):
            betreffs.append(json.loads(p.read_text(encoding="utf-8"))["name"])
        excerpt = real / "braunschweig_allris4" / "papers_excerpt.json"
        if excerpt.exists():
            doc = json.loads(excerpt.read_text(encoding="utf-8"))
            betreffs += [
                d["name"] for d in (doc.get("data") if isinstance(doc, dict) else doc) or [] if d.get("name")
            ]
        betreffs = [" ".join(b.split()) for b in betreffs]
        hier = [
            b.split("hier:", 1)[1].strip()
            for b in betreffs
            if "hier:" in b and len(b.split("hier:", 1)[1]) > 8
        ]
        sentences: list[str] = []
        for txt in sorted((real / "karlsruhe_session_digital" / "file-texts").glob("*.txt")):
            text = " ".join(txt.read_text(encoding="utf-8").split())
            sentences += [
                s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])", text) if 30 <= len(s) <= 400
            ]
        bodies = sorted(
            {json.loads(p.read_text(encoding="utf-8"))["name"] for p in (real / "bodies").glob("*.json")}
        )
        bodies += ["Stadt Karlsruhe", "Stadt Braunschweig"]
        from ratsinfo.nlp.lexicon import vocabulary

        ranked = sorted(vocabulary().items(), key=lambda kv: -kv[1])[:150_000]
        words, weights = [w for w, _ in ranked], [math.exp(lp) for _, lp in ranked]
        cum, total = [], 0.0
        for w in weights:
            total += w
            cum.append(total)
        return cls(betreffs, hier, sentences, bodies, words, cum)


class Generator:
    """``paper(i)`` is the same paper for the same seed and ``i``."""

    def __init__(self, sources: Sources, seed: int = 1):
        self.s = sources
        self.seed = seed

    @cached_property
    def _noun_cap(self) -> set[str]:
        from ratsinfo.nlp.lexicon import is_noun_form

        return {w for w in self.s.words[:60_000] if is_noun_form(w)}

    def _word(self, rng: random.Random) -> str:
        word = rng.choices(self.s.words, cum_weights=self.s.cum_weights)[0]
        return word.capitalize() if word in self._noun_cap else word

    def _vary(self, rng: random.Random, text: str) -> str:
        text = re.sub(r"\b(19|20)\d\d\b", lambda _: str(rng.randint(2000, 2026)), text)
        return re.sub(
            r"\b\d{1,3}\b", lambda m: str(rng.randint(1, 120)) if rng.random() < 0.5 else m.group(), text
        )

    def _sentence(self, rng: random.Random) -> str:
        if rng.random() < 0.4:
            day = date(2000, 1, 1) + timedelta(days=rng.randrange(27 * 365))
            return rng.choice(FRAMES).format(
                committee=rng.choice(COMMITTEES),
                betreff=rng.choice(self.s.betreffs),
                office=rng.choice(OFFICES),
                party=rng.choice(PARTIES),
                date=day.strftime("%d.%m.%Y"),
                year=day.year,
                money=f"{rng.randint(5, 900) * 1000:,}".replace(",", "."),
            )
        words = rng.choice(self.s.sentences).split()
        for i in range(len(words)):
            if rng.random() < REPLACE_SHARE:
                words[i] = self._word(rng)
        return " ".join(words)

    def _text(self, rng: random.Random, median_words: float) -> str:
        target = int(rng.lognormvariate(math.log(median_words), 0.6))
        out: list[str] = []
        n = 0
        while n < target:
            sentence = self._sentence(rng)
            out.append(sentence)
            n += sentence.count(" ") + 1
        return " ".join(out)

    def paper(self, i: int) -> IndexDoc:
        rng = random.Random(self.seed * 1_000_003 + i)
        name = self._vary(rng, rng.choice(self.s.betreffs))
        if rng.random() < 0.25 and self.s.hier:
            name = f"{name.split(';')[0]}; hier: {rng.choice(self.s.hier)}"
        kind = _weighted(rng, PAPER_TYPES)
        day = date(2000, 1, 1) + timedelta(days=rng.randrange(27 * 365))
        body = rng.choice(self.s.bodies)
        reference = rng.choice(
            [
                f"{day.year % 100:02d}-{rng.randint(1000, 29999)}",
                f"{rng.randint(1, 999)}/{day.year}",
                f"{day.year}/{rng.randint(1, 1500):04d}",
                f"VO/{day.year}/{rng.randint(1, 999)}",
            ]
        )
        sections = {title: self._text(rng, 90) for title in rng.sample(SECTIONS, rng.randint(1, 3))}
        files = [self._text(rng, 600)] if rng.random() < 0.5 else []
        gremien = sorted({f"{rng.choice(COMMITTEES)}" for _ in range(rng.randint(1, 3))})
        return IndexDoc(
            paper_id=i + 1,
            reference=reference,
            name=name,
            paper_type=kind,
            body=body,
            date=day if rng.random() > 0.02 else None,
            status="öffentlich",
            under_direction_of=[rng.choice(OFFICES)],
            participating=rng.sample(OFFICES, rng.randint(0, 2)),
            responsible=[rng.choice(PEOPLE)] if rng.random() < 0.5 else [],
            originator=[rng.choice(PARTIES)] if kind in ("Antrag", "Anfrage", "Änderungsantrag") else [],
            gremium=gremien,
            result=sorted({rng.choice(RESULTS) for _ in gremien}),
            text="\n\n".join([*sections.values(), *files]),
            extra=[*sections.keys(), *(["Anlage 1"] if files else [])],
        )
