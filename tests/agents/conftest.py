"""Fixtures of the agents tests."""

from __future__ import annotations

import pytest

from factorgym import FactorPanel
from tests.agents._hand import make_hand_panel


@pytest.fixture()
def hand_panel() -> FactorPanel:
    """The hand-made 18-month, 3-asset panel of ``_hand.py``."""
    return make_hand_panel()
