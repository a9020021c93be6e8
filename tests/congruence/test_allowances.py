"""Every allowance of the congruence suite names an entry of docs/differences.md (other entries,
about what this suite does not drive, need no allowance)."""

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
