"""The compact lexicon cache: built once, loaded bucket by bucket, the same answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ratsinfo.nlp import lexicon


def test_cache_is_built_once_and_gives_the_same_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSINFO_CACHE", str(tmp_path))
    built = lexicon._build()
    packed = lexicon._unpack(
        lexicon._pack(
            {
                "vocab": dict(list(built["vocab"].items())[:5000]),
                "nouns": frozenset(list(built["nouns"])[:5000]),
                "lemmas": built["lemmas"],
                "function_words": built["function_words"],
            }
        )
    )
    assert packed["lemmas"].get("Schulen") == "Schule"
    assert "Schulen" in packed["lemmas"] and "Xyzzy" not in packed["lemmas"]
    assert "der" in packed["function_words"] and len(packed["function_words"]) == len(built["function_words"])
    assert len(packed["vocab"]) == 5000
    # a fresh process builds the file, the next one reads it and needs no spaCy
    code = (
        "import sys\n"
        "from ratsinfo.nlp.analysis import query_terms\n"
        "print(query_terms('Glasfaserausbau')[2].terms, 'spacy' in sys.modules)\n"
    )
    env = {"RATSINFO_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert first.stdout.strip() == "('glasfaser', 'ausbau') True"
    assert (tmp_path / lexicon.cache_path().name).exists()
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert second.stdout.strip() == "('glasfaser', 'ausbau') False"
