"""The two sides of a congruence test: a driver process per interpreter, spoken to in JSON lines.

``Side(python)`` starts ``driver.py`` under that python (real Chroma's oracle venv, or ours) and
keeps it for the whole test module; ``side.call(...)`` sends one operation and returns the
answer dict (``result`` or ``error``, plus ``warnings``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

DRIVER = Path(__file__).with_name("driver.py")
REPO = Path(__file__).resolve().parents[2]
ANSWER_TIMEOUT_S = 120.0
# What the run compared, for the terminal summary (issue 9 asks for the counts). Here, not in
# conftest.py, so that every importer sees one dict.
COUNTS = {"sequences": 0, "answer pairs": 0}


class SideDied(RuntimeError):
    """The driver process ended or stopped answering."""


class Side:
    """One driver process; ``label`` names it in failure messages."""

    def __init__(self, python: str, label: str, env: Optional[Dict[str, str]] = None) -> None:
        self.label = label
        self.python = python
        # Real Chroma must never see our package: run it from a folder outside the repo.
        self.home = tempfile.mkdtemp(prefix=f"congruence-{label}-")
        full_env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONPATH",) and not k.startswith("CHROMA")
        }
        full_env.update(
            {"ANONYMIZED_TELEMETRY": "False", "PYTHONWARNINGS": "ignore", "HOME": self.home}
        )
        full_env.update(env or {})
        self.stderr = open(Path(self.home) / "stderr.log", "w+")
        self.proc = subprocess.Popen(
            [python, str(DRIVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            cwd=self.home,
            env=full_env,
        )

    def call(self, method: str, target: str = "client", **kwargs: Any) -> Dict[str, Any]:
        return self.send({"method": method, "target": target, "kwargs": kwargs})

    def send(self, op: Dict[str, Any]) -> Dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps(op) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise SideDied(f"{self.label} driver is gone: {self.stderr_tail()}") from exc
        line = self.proc.stdout.readline()
        if not line:
            raise SideDied(f"{self.label} driver ended: {self.stderr_tail()}")
        answer: Dict[str, Any] = json.loads(line)
        return answer

    def stderr_tail(self, chars: int = 3000) -> str:
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()[-chars:]

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()


def our_python() -> str:
    return sys.executable


def run_ops(side: Side, ops: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [side.send(op) for op in ops]
