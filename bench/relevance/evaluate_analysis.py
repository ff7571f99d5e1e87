"""nDCG@10 of analysis variants on the judged queries, with a small in-memory BM25F.

This measures the *analysis* (what terms documents and queries become), independent of any
backend: every variant is ranked by the same BM25F (name field weight 2, body 1; k1 1.2,
b 0.75; a query's words are ORed, as ranking does). Variants:

* ``plain``: lowercase word tokens, no German handling (the baseline of issue 5);
* ``snowball``: plain + Snowball German stemming (what Whoosh/PostgreSQL/tantivy offer);
* ``lemma``: :mod:`ratsinfo.nlp.analysis` main terms only (lemmas, no compound parts);
* ``full``: main terms plus compound parts, with the :func:`query_terms` alternatives and boosts.

Run: ``python bench/relevance/evaluate_analysis.py [--corpus DIR] [--json]``. The real
benchmark of the search backends (the same judgments through ``ratsinfo search``) belongs next
to this once the index exists.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = Path(os.environ.get("RATSINFO_CORPUS", ROOT.parent / "shared" / "corpus"))
JUDGMENTS = Path(__file__).with_name("judgments.json")
K1, B = 1.2, 0.75
FIELD_WEIGHTS = {"name": 2.0, "body": 1.0}


def load_docs(corpus: Path) -> dict[str, dict[str, dict[str, str]]]:
    """``{corpus key: {paper id: {"name": …, "body": …}}}``."""
    base = corpus / "oparl" / "real"
    texts = {}
    for meta in (base / "karlsruhe_session_digital" / "file-texts").glob("*.json"):
        texts[json.loads(meta.read_text())["id"]] = meta.with_suffix(".txt").read_text()
    karlsruhe = {}
    for p in (base / "karlsruhe_session_digital" / "papers").glob("*.json"):
        d = json.loads(p.read_text())
        files = [d.get("mainFile"), *(d.get("auxiliaryFile") or [])]
        body = "\n".join(texts.get(f["id"], "") for f in files if f)
        karlsruhe[d["id"]] = {"name": d["name"], "body": body}
    huertgenwald = {}
    for page in sorted((base / "huertgenwald_sdnet_full").glob("paper_page-*.json")):
        for d in json.loads(page.read_text())["data"]:
            if d.get("name"):
                huertgenwald[d["id"]] = {"name": d["name"], "body": ""}
    return {"karlsruhe": karlsruhe, "huertgenwald": huertgenwald}


class Index:
    """Per field: term counts per document, document lengths, document frequencies."""

    def __init__(
        self, docs: dict[str, dict[str, str]], analyse: Callable[[str], tuple[list[str], list[str]]]
    ):
        self.ids = list(docs)
        self.tf: dict[str, list[Counter]] = {}
        self.df: dict[str, Counter] = {}
        self.avgdl: dict[str, float] = {}
        for fld in FIELD_WEIGHTS:
            for kind in ("main", "parts"):
                key = f"{fld}.{kind}"
                self.tf[key] = []
                self.df[key] = Counter()
        for pid in self.ids:
            for fld in FIELD_WEIGHTS:
                main, parts = analyse(docs[pid][fld])
                for kind, terms in (("main", main), ("parts", parts)):
                    c = Counter(terms)
                    self.tf[f"{fld}.{kind}"].append(c)
                    self.df[f"{fld}.{kind}"].update(c.keys())
        for key, counters in self.tf.items():
            self.avgdl[key] = (sum(sum(c.values()) for c in counters) / len(counters)) or 1.0
        self.n = len(self.ids)

    def bm25(self, key: str, term: str) -> list[float]:
        df = self.df[key].get(term, 0)
        if not df:
            return [0.0] * self.n
        idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
        out = []
        for c in self.tf[key]:
            tf = c.get(term, 0)
            dl = sum(c.values()) if tf else 0
            out.append(idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / self.avgdl[key])) if tf else 0.0)
        return out

    def term_score(self, kind: str, term: str) -> list[float]:
        scores = [0.0] * self.n
        for fld, w in FIELD_WEIGHTS.items():
            for i, s in enumerate(self.bm25(f"{fld}.{kind}", term)):
                scores[i] += w * s
        return scores


# --- the variants -------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def plain(text: str) -> tuple[list[str], list[str]]:
    return [w.lower() for w in _WORD.findall(text)], []


def snowball(text: str) -> tuple[list[str], list[str]]:
    from whoosh.lang.snowball import GermanStemmer

    stem = _stemmer(GermanStemmer)
    return [stem(w.lower()) for w in _WORD.findall(text)], []


_STEMMERS: dict[type, Callable[[str], str]] = {}


def _stemmer(cls: type) -> Callable[[str], str]:
    if cls not in _STEMMERS:
        from functools import lru_cache

        _STEMMERS[cls] = lru_cache(maxsize=None)(cls().stem)
    return _STEMMERS[cls]


def lemma(text: str) -> tuple[list[str], list[str]]:
    from ratsinfo.nlp.analysis import main_terms

    return main_terms(text), []


def full(text: str) -> tuple[list[str], list[str]]:
    from ratsinfo.nlp.analysis import index_terms

    terms = index_terms(text)
    return [t.text for t in terms if not t.part], [t.text for t in terms if t.part]


def score_simple(index: Index, query: str, analyse: Callable) -> list[float]:
    scores = [0.0] * index.n
    for term in analyse(query)[0]:
        for i, s in enumerate(index.term_score("main", term)):
            scores[i] += s
    return scores


def score_full(index: Index, query: str) -> list[float]:
    """Each word: the best of its alternatives (exact, part, all-parts), boosted as specified."""
    from ratsinfo.nlp.analysis import query_terms

    scores = [0.0] * index.n
    for word in query.split():
        best = [0.0] * index.n
        for alt in query_terms(word):
            if alt.mode == "term":
                s = index.term_score("parts" if alt.where == "parts" else "main", alt.terms[0])
            else:  # phrase or all: every term present (main or parts), scores summed
                per = [
                    [
                        max(a, b)
                        for a, b in zip(
                            index.term_score("main", t), index.term_score("parts", t), strict=True
                        )
                    ]
                    for t in alt.terms
                ]
                s = [sum(col) if all(col) else 0.0 for col in zip(*per, strict=True)]
            for i, v in enumerate(s):
                best[i] = max(best[i], alt.boost * v)
        for i, v in enumerate(best):
            scores[i] += v
    return scores


def ndcg_at(ranked: list[str], judgments: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** judgments.get(pid, 0) - 1) / math.log2(i + 2) for i, pid in enumerate(ranked[:k]))
    ideal = sorted(judgments.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    docs = load_docs(args.corpus)
    queries = json.loads(JUDGMENTS.read_text())["queries"]
    variants = {"plain": plain, "snowball": snowball, "lemma": lemma, "full": full}
    results: dict[str, dict[str, float]] = {}
    for name, analyse in variants.items():
        indexes = {key: Index(d, analyse) for key, d in docs.items()}
        for q in queries:
            index = indexes[q["corpus"]]
            if name == "full":
                scores = score_full(index, q["query"])
            else:
                scores = score_simple(index, q["query"], analyse)
            ranked = [index.ids[i] for i in sorted(range(index.n), key=lambda i: -scores[i]) if scores[i] > 0]
            results.setdefault(q["id"], {})[name] = round(ndcg_at(ranked, q["judgments"]), 3)
    means = {v: round(sum(r[v] for r in results.values()) / len(results), 3) for v in variants}
    if args.json:
        print(json.dumps({"per_query": results, "mean": means}, indent=2))
    else:
        print(f"{'query':32}" + "".join(f"{v:>10}" for v in variants))
        for qid, r in results.items():
            print(f"{qid:32}" + "".join(f"{r[v]:>10.3f}" for v in variants))
        print(f"{'mean nDCG@10':32}" + "".join(f"{means[v]:>10.3f}" for v in variants))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
