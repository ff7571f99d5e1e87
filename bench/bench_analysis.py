"""Throughput of the index analysis (:func:`ratsinfo.nlp.analysis.index_terms`) on real text.

Reads the Karlsruhe file texts (``shared/corpus/oparl/real/karlsruhe_session_digital/file-texts``)
and reports tokens per second:

* ``load``: reading the word list and lemma table (once per process);
* ``cold``: the first pass, every distinct word analysed (compound search, lemma look-up);
* ``warm``: later passes, every word from the cache — what a bulk index of a large corpus
  approaches, since its vocabulary repeats;
* ``spacy``: the blank German spaCy tokenizer alone, for comparison.

Run: ``python bench/bench_analysis.py [--corpus DIR] [--repeat N] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("RATSINFO_CORPUS", ROOT.parent / "shared" / "corpus"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=5, help="warm passes")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--no-spacy", action="store_true")
    args = ap.parse_args(argv)

    folder = args.corpus / "oparl" / "real" / "karlsruhe_session_digital" / "file-texts"
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    if not texts:
        print(f"no texts in {folder}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    from ratsinfo.nlp import analysis
    from ratsinfo.nlp.lexicon import lemma_table, vocabulary

    vocabulary()
    lemma_table()
    load = time.perf_counter() - t0

    n_tokens = sum(len(analysis.tokens(t)) for t in texts)
    chars = sum(len(t) for t in texts)

    t0 = time.perf_counter()
    terms = [analysis.index_terms(t) for t in texts]
    cold = time.perf_counter() - t0

    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for t in texts:
            analysis.index_terms(t)
    warm = (time.perf_counter() - t0) / args.repeat

    n_terms = sum(len(ts) for ts in terms)
    n_parts = sum(1 for ts in terms for x in ts if x.part)
    tokens_with_parts = sum(len({x.pos for x in ts if x.part}) for ts in terms)
    distinct = len({x.text for ts in terms for x in ts if not x.part})

    figures = {
        "texts": len(texts),
        "characters": chars,
        "tokens": n_tokens,
        "distinct_main_terms": distinct,
        "terms_per_token": round(n_terms / n_tokens, 3),
        "share_of_tokens_split": round(tokens_with_parts / n_tokens, 3),
        "parts": n_parts,
        "load_seconds": round(load, 2),
        "cold_tokens_per_s": round(n_tokens / cold),
        "warm_tokens_per_s": round(n_tokens / warm),
    }
    if not args.no_spacy:
        import spacy

        nlp = spacy.blank("de")
        nlp.max_length = 10_000_000
        t0 = time.perf_counter()
        n_spacy = sum(len(doc) for doc in nlp.pipe(texts))
        figures["spacy_tokenizer_tokens_per_s"] = round(n_spacy / (time.perf_counter() - t0))

    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:32} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
