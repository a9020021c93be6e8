"""Every allowance of the congruence suite names an entry of docs/differences.md, and back."""

from __future__ import annotations

from pathlib import Path

from tests.congruence.allowances import entries

DIFFERENCES = Path(__file__).resolve().parents[2] / "docs" / "differences.md"


def _headings() -> list[str]:
    return [
        line[3:].strip()
        for line in DIFFERENCES.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    ]


def test_every_allowance_names_an_entry() -> None:
    missing = [e for e in entries() if e not in _headings()]
    assert not missing, f"allowances without an entry in docs/differences.md: {missing}"


def test_every_entry_is_an_allowance_or_says_why_not() -> None:
    # Entries about what this suite does not drive are named here.
    untested = {
        "Data from real Chroma",  # the import tests check these
        "Seed-era clients: update merges metadata, names follow 1.x",  # no seed op drives it
        "Embeddings are stored as float32",  # within the float tolerance of compare.py
        "Routes real Chroma serves that we do not",  # NOT_SERVED in test_http.py
    }
    extra = [h for h in _headings() if h not in entries() and h not in untested]
    assert not extra, f"entries the suite does not allow: {extra}"
