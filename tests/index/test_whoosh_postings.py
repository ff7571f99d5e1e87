"""Postings encoded in the analysis workers are exactly what Whoosh would have made itself."""

from __future__ import annotations

from pathlib import Path

from whoosh import index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, Schema

from ratsinfo.index.whoosh_backend import PreAnalysedText, postings

TEXTS = ["glasfaserausbau in der stadt | smart city strategie", "der rat der stadt beschliessen den ausbau"]


def _index(tmp: Path, pre: bool) -> list[tuple]:
    words = SpaceSeparatedTokenizer()
    schema = Schema(
        id=ID(stored=True),
        t=PreAnalysedText(analyzer=words, phrase=True),
        p=PreAnalysedText(analyzer=words, phrase=False),
    )
    ix = index.create_in(str(tmp), schema)
    with ix.writer() as w:
        for i, text in enumerate(TEXTS):
            terms = text.split(" ")
            if pre:
                w.add_document(id=str(i), t=postings(terms, True), p=postings(terms, False))
            else:  # what Whoosh does from text (here "|" is indexed as a word, so it is left out)
                plain = " ".join(t if t != "|" else "§" for t in terms)
                w.add_document(id=str(i), t=plain, p=plain)
    with ix.reader() as r:
        out = []
        for field in ("t", "p"):
            for term in r.lexicon(field):
                if term == "§".encode():
                    continue
                m = r.postings(field, term)
                while m.is_active():
                    out.append((field, term, m.id(), m.weight(), m.value()))
                    m.next()
        lengths = [(r.doc_field_length(d, "t"), r.doc_field_length(d, "p")) for d in range(len(TEXTS))]
    return [*out, *lengths]


def test_postings_equal_whooshs_own(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    pre, own = _index(tmp_path / "a", True), _index(tmp_path / "b", False)
    postings_pre = [x for x in pre if isinstance(x, tuple) and len(x) == 5]
    assert postings_pre == [x for x in own if isinstance(x, tuple) and len(x) == 5]
    assert len(postings_pre) > 20
