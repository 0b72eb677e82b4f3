"""アウトリーチ等を通じた継続的支援: outreach workers find hidden needs.

Each month the workers contact about their capacity of eligible residents, chosen
with priority for the isolated, older people living alone and households with a
withdrawn member (8050). A contact notices a hidden need with a chance that depends on the need, and
brings the person to a counter, accompanied (they rarely drop out on the way).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..needs import WITHDRAWAL
from ..support import OUTREACH
from .base import Intervention, register

if TYPE_CHECKING:
    from ..core import CommunityModel


@register
class Outreach(Intervention):
    """Outreach workers (CSW) find and accompany people who do not come forward."""

    kind = "outreach"
    label_ja = "アウトリーチ（訪問支援）"
    label_en = "Outreach"
    intensity_unit = "outreach workers per 100k residents"
    hook = "find"
    options: ClassVar[dict[str, tuple[float, float, float]]] = {
        "contacts_per_worker": (30.0, 0.0, 1000.0),  # residents contacted a month
        "detect": (0.6, 0.0, 1.0),  # chance a contact notices a hidden need
        "detect_withdrawal": (0.4, 0.0, 1.0),  # … a withdrawal
        "priority_isolated": (4.0, 0.0, 100.0),  # weight of isolated residents
        "priority_alone_elderly": (2.0, 0.0, 100.0),
        "priority_withdrawal_household": (4.0, 0.0, 100.0),
    }

    def workers(self, model: CommunityModel) -> float:
        """Outreach workers in the town (people)."""
        return self.intensity * model.per_100k

    def apply(self, model: CommunityModel) -> None:
        """Contact residents by priority and refer the hidden needs found.

        Each eligible resident is contacted with a chance proportional to their
        priority weight, scaled so that the expected number of contacts is the workers'
        capacity (Poisson sampling: one draw per resident, no sorting).
        """
        r = model.residents
        s = self.settings
        snap = model.snap
        contacts = self.workers(model) * s["contacts_per_worker"] / model.scale
        withdrawn = snap.count_per_household(r.alive & (r.sev[WITHDRAWAL] > 0)) > 0
        weight = 1.0 + s["priority_isolated"] * snap.isolated
        weight += s["priority_alone_elderly"] * (snap.alone & (snap.years >= 65))
        weight += s["priority_withdrawal_household"] * withdrawn[r.hh]
        weight *= self.reach & snap.home
        total = weight.sum()
        if total <= 0 or contacts <= 0:
            return
        p_contact = np.minimum(1.0, weight * (contacts / total))
        stream = model.streams["outreach"]
        reached = np.flatnonzero(stream.uniform(r.pid, model.month, k=0) < p_contact)
        hidden = (r.sev[:, reached] > 0) & ~r.supported[:, reached] & ~r.known[:, reached]
        p_detect = np.where(hidden[WITHDRAWAL], s["detect_withdrawal"], s["detect"])
        found = hidden.any(axis=0) & (stream.uniform(r.pid[reached], model.month, k=1) < p_detect)
        referred = model.support.bring(reached[found], OUTREACH)
        model.tally.outreach_found += referred.size

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Workers' pay, on the new functions' additional funding (追加財源)."""
        return {"new_functions": self.workers(model) * model.params.costs.salary_month}
