"""Every API test starts and ends with no shared System (see ``fresh_systems``)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_systems_for_api_tests(fresh_systems: None) -> None:
    """Applies ``fresh_systems`` to every test under tests/api."""
