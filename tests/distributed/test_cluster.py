"""Scale-out on a real Ray cluster: head and two worker nodes as separate ``ray start``
processes, ``chroma run --ray`` in front, an official client, a node SIGKILLed mid-ingest.

Ray listens on every interface and advertises the machine's address, so the whole run happens
in a private network namespace where only loopback exists (``unshare --net``): nothing of it
can reach or be reached from outside. The tests themselves are in ``cluster/`` and run there
under their own pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.compat import installers

pytest.importorskip("ray", reason="the ray extra is not installed")
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PLUGIN = "tests.distributed.cluster.plugin"
UNSHARE = ["unshare", "--net", "--pid", "--fork", "--mount-proc", "--kill-child"]


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run([*UNSHARE, "ip", "link", "set", "lo", "up"], capture_output=True)
    return probe.returncode == 0


def test_scale_out_on_a_real_ray_cluster(tmp_path: Path) -> None:
    if not _namespaces_work():
        pytest.skip("cannot make a private network namespace here (unshare --net needs root)")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    try:
        env["CHROMA_TEST_THIN_CLIENT"] = str(installers.python_client("chromadb-client", "1.5.9"))
    except installers.RegistryUnreachable:
        pass  # the inner run skips the official-client test
    if shutil.which("npm") is not None:
        try:
            env["CHROMA_TEST_NPM_CLIENT"] = str(installers.npm_client("3.5.0"))
        except installers.RegistryUnreachable:
            pass
    inner = (
        f"ip link set lo up && exec {sys.executable} -m pytest -q -x -p no:cacheprovider "
        f"-p {PLUGIN} --basetemp {tmp_path / 'inner'} "
        "-o python_files='test_*.py cluster_test_*.py' "
        # The API suite first, on a healthy cluster; then the tests that kill and add nodes.
        "tests/api tests/test_bad_input.py tests/distributed/cluster"
    )
    run = subprocess.run(
        [*UNSHARE, "sh", "-c", inner],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    output = run.stdout[-6000:] + run.stderr[-3000:]
    assert run.returncode == 0, output
    assert " passed" in run.stdout, output
