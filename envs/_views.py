"""Read-only views shared by the single and the batched env (both hold a panel and a Dynamics)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from factorgym.envs.action_maps import ActionSpec
    from factorgym.envs.costs import CostModel
    from factorgym.envs.transition import Dynamics
    from factorgym.panel import FactorPanel

__all__ = ["DynamicsViews"]


class DynamicsViews:
    """Mixin: public views of ``self.panel`` and ``self._dyn``."""

    panel: FactorPanel
    _dyn: Dynamics

    @property
    def assets(self) -> tuple[str, ...]:
        """Asset names (action and weight order)."""
        return self.panel.assets

    @property
    def observation_columns(self) -> tuple[str, ...]:
        """Name of every observation column."""
        return self._dyn.market.columns

    @property
    def observation_blocks(self) -> dict[str, slice]:
        """Column slice of each observation block."""
        return dict(self._dyn.market.blocks)

    @property
    def action_spec(self) -> ActionSpec:
        """Action mode, maps and feasibility checks."""
        return self._dyn.spec

    @property
    def cost_model(self) -> CostModel:
        """Resolved per-asset cost, impact and capacity parameters."""
        return self._dyn.costs

    @property
    def dynamics(self) -> Dynamics:
        """The shared dynamics (market arrays, costs, action spec, reward; the compiled step)."""
        return self._dyn
