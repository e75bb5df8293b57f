"""Format 2: crowds that answer play, and placeholders filled from it.

A wave whose ``volume.responds`` is set has a multiplier, 1 at the start: each good public update,
good reply or flagged reply (as the reply judge reads them) adds its effect, and an inject adds its
``crowd``; every effect fades by half each ``half_life``. The multiplier stays in [0, cap]. Every
post of such a wave has a level (sim.scenario.expand.responsive_posts) and is delivered only while
the multiplier is above it, so the same play always gives the same crowd.
"""

from __future__ import annotations

from sim.scenario.model import Post, Responds, Scenario


class Crowd:
    """The multipliers of a scenario's responsive waves (none for format 1)."""

    def __init__(self, scenario: Scenario) -> None:
        self.responds: dict[str, Responds] = {w.id: w.responds for w in scenario.waves if w.responds is not None}
        self._sum = {wid: 0.0 for wid in self.responds}  # the effects so far, as of ``_at``
        self._at = {wid: 0.0 for wid in self.responds}

    def _decayed(self, wave: str, t: float) -> float:
        r = self.responds[wave]
        fade: float = 0.5 ** (max(0.0, t - self._at[wave]) / max(1, r.half_life))
        return self._sum[wave] * fade

    def event(self, kind: str, t: float, value: float | None = None) -> None:
        """Play moved the crowd: ``kind`` is good_statement, good_reply or flagged_reply (each wave's own
        effect), or an inject's ``value``."""
        for wave, r in self.responds.items():
            effect = r.effect(kind) if value is None else value
            if effect:
                self._sum[wave] = self._decayed(wave, t) + effect
                self._at[wave] = t

    def multiplier(self, wave: str, t: float) -> float:
        r = self.responds.get(wave)
        if r is None:
            return 1.0
        return max(0.0, min(r.cap, 1.0 + self._decayed(wave, t)))

    def lets(self, post: Post, t: float) -> bool:
        """Whether a responsive wave's post is delivered at ``t`` (posts of other waves always are)."""
        if post.level is None or post.wave not in self.responds:
            return True
        return post.level < self.multiplier(post.wave, t)
