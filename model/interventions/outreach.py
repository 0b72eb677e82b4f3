"""アウトリーチ等を通じた継続的支援: outreach workers find hidden needs.

Each month every worker contacts a number of eligible residents, chosen with priority
for the isolated, older people living alone and households with a withdrawn member
(8050). A contact notices a hidden need with a chance that depends on the need, and
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
        """Contact residents by priority and refer the hidden needs found."""
        r = model.residents
        s = self.settings
        candidates = np.flatnonzero(self.reach & model.snap.home)
        if candidates.size == 0:
            return
        isolated = r.ties[:, candidates].sum(axis=0) == 0
        alone_old = model.snap.alone[candidates] & (model.snap.years[candidates] >= 65)
        withdrawn_hh = (
            np.bincount(r.hh[r.alive & (r.sev[WITHDRAWAL] > 0)], minlength=model.households.n) > 0
        )
        weight = 1.0 + s["priority_isolated"] * isolated + s["priority_alone_elderly"] * alone_old
        weight += s["priority_withdrawal_household"] * withdrawn_hh[r.hh[candidates]]
        contacts = round(self.workers(model) * s["contacts_per_worker"] / model.scale)
        contacts = min(contacts, candidates.size)
        if contacts == 0:
            return
        # Weighted sampling without replacement (Efraimidis-Spirakis keys).
        stream = model.streams["outreach"]
        u = stream.uniform(r.pid[candidates], model.month, k=0)
        keys = np.log(np.maximum(u, 1e-300)) / weight
        reached = candidates[np.argpartition(-keys, contacts - 1)[:contacts]]
        hidden = (r.sev[:, reached] > 0) & ~r.supported[:, reached] & ~r.known[:, reached]
        p_detect = np.where(hidden[WITHDRAWAL], s["detect_withdrawal"], s["detect"])
        found = hidden.any(axis=0) & (stream.uniform(r.pid[reached], model.month, k=1) < p_detect)
        referred = model.support.bring(reached[found], OUTREACH)
        model.tally.outreach_found += referred.size

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Workers' pay, on the new functions' additional funding (追加財源)."""
        return {"new_functions": self.workers(model) * model.params.costs.salary_month}
