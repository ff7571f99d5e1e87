"""The Whoosh glue: analyzers that feed nlp.analysis terms, and word queries that rank exact first."""

from __future__ import annotations

import pickle
from pathlib import Path

from whoosh import index
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.scoring import BM25F

from ratsinfo.index.whoosh_analysis import main_analyzer, parts_analyzer, word_query


def test_analyzers_split_main_and_parts() -> None:
    main = [(t.text, t.pos) for t in main_analyzer()("Der Glasfaserausbau", positions=True)]
    parts = {t.text for t in parts_analyzer()("Der Glasfaserausbau")}
    assert main == [("der", 0), ("glasfaserausbau", 1)]
    assert parts == {"glasfaser", "ausbau", "glas", "faser"}
    assert pickle.loads(pickle.dumps(main_analyzer())) == main_analyzer()


def test_search_ranks_exact_before_parts(tmp_path: Path) -> None:
    schema = Schema(
        id=ID(stored=True),
        name=TEXT(analyzer=main_analyzer()),
        name_parts=TEXT(analyzer=parts_analyzer(), phrase=False),
    )
    ix = index.create_in(str(tmp_path), schema)
    docs = {
        "1": "Glasfaserausbau in Karlsruhe",
        "2": "Glasfaser für Schulen",
        "3": "Digitalisierungsstrategie der Stadt",
        "4": "Smart-City-Rahmenkonzept",
        "5": "Strategie zur Digitalisierung der Verwaltung",
        "6": "Ausbau der Glasfaser",
    }
    with ix.writer() as w:
        for pid, text in docs.items():
            w.add_document(id=pid, name=text, name_parts=text)

    def search(*words: str) -> list[str]:
        q = wq.And([word_query(word, "name") for word in words])
        with ix.searcher(weighting=BM25F()) as s:
            return [hit["id"] for hit in s.search(q)]

    assert search("Glasfaser", "Ausbau") == ["6", "1"]
    assert search("Strategie", "Digitalisierung") == ["5", "3"]
    assert search("Smart", "City") == ["4"]
    assert search("Smart-City") == ["4"]
    assert search("Glasfaserausbau") == ["1", "6"]
    assert search("Digitalisierungsstrategie") == ["3", "5"]
    assert word_query("der", "name") is None
