"""The fenced code blocks of the READMEs, as the tests run them.

Conventions the READMEs follow (so that every block runs as a test):

- A ```` ```python ```` or ```` ```js ```` block is a whole program. A ```` ```text ```` block
  right after it is what the program prints.
- A block that talks to a server says ``localhost:8000`` / ``port=8000``; the tests start a
  server of ours on a free port and put that port in place of ``8000``.
- An HTML comment ``<!-- install: NAME -->`` just before a shell block marks an install path;
  ``test_install_paths.py`` runs that block as written, from a copy of the repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parents[2]
READMES = (ROOT / "README.md", ROOT / "clients" / "js" / "README.md")
SHELL = ("bash", "sh", "shell", "console")

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
_MARKER = re.compile(r"<!--\s*install:\s*([\w-]+)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, its text, and what it is said to print."""

    readme: Path
    line: int
    lang: str
    text: str
    install: Optional[str] = None
    prints: Optional[str] = None

    @property
    def where(self) -> str:
        return f"{self.readme.relative_to(ROOT)}:{self.line}"

    def with_port(self, port: int) -> str:
        """The block's text with the documented port 8000 replaced by ``port``."""
        return self.text.replace("8000", str(port))


def blocks(readme: Path) -> List[Block]:
    """Every fenced block of ``readme``; ``text`` blocks are attached to the program before."""
    text = readme.read_text()
    found: List[Block] = []
    previous_end = 0
    for match in _FENCE.finditer(text):
        lang, body = match.group(1).lower(), match.group(2)
        adjacent = not text[previous_end : match.start()].strip()
        previous_end = match.end()
        if lang == "text" and found and found[-1].prints is None and adjacent:
            last = found[-1]
            found[-1] = Block(last.readme, last.line, last.lang, last.text, last.install, body)
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(readme, line, lang, body, marker.group(1) if marker else None))
    return found


def all_blocks() -> List[Block]:
    return [block for readme in READMES for block in blocks(readme)]


def install_block(name: str) -> Block:
    """The shell block marked ``<!-- install: name -->`` (exactly one must exist)."""
    marked = [b for b in all_blocks() if b.install == name]
    assert len(marked) == 1, f"expected one block marked <!-- install: {name} -->, got {marked}"
    return marked[0]


def shell_lines(block: Block) -> List[str]:
    """The commands of a shell block: comments and blank lines left out, a leading ``$ `` cut."""
    lines = []
    for raw in block.text.splitlines():
        line = raw.strip()
        if line.startswith("$ "):
            line = line[2:]
        if line and not line.startswith("#"):
            lines.append(line)
    return lines
