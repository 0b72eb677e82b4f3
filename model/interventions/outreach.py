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
    intensity_unit = "outreach workers (CSW, FTE) in the town"
    default_intensity = 2.0
    intensity_range = (0.0, 100.0)
    intensity_source = (
        "assumption: two 社協 CSWs, as Okazaki contracts outreach to 社協 CSWs ([seed-deck] "
        "p.20; no national CSW headcount exists); range 0-100"
    )
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
        return self.intensity

    def apply(self, model: CommunityModel) -> None:
        """Contact residents by priority and refer the hidden needs found.

        Each eligible resident is contacted with a chance proportional to their
        priority weight, scaled so that the expected number of contacts is the workers'
        capacity (Poisson sampling). A contact only changes anything for someone with a
        hidden need, so only they are drawn; the weights of everyone else enter through
        counts.
        """
        r = model.residents
        s = self.settings
        snap = model.snap
        contacts = self.workers(model) * s["contacts_per_worker"] / model.scale
        eligible = self.reach & snap.home
        withdrawn_hh = snap.count_per_household(r.alive & (r.sev[WITHDRAWAL] > 0)) > 0
        in_withdrawn_hh = withdrawn_hh[r.hh]
        alone_old = snap.alone & (snap.years >= 65)
        a, b, c = (
            s["priority_isolated"],
            s["priority_alone_elderly"],
            s["priority_withdrawal_household"],
        )
        total = (
            np.count_nonzero(eligible)
            + a * np.count_nonzero(eligible & snap.isolated)
            + b * np.count_nonzero(eligible & alone_old)
            + c * np.count_nonzero(eligible & in_withdrawn_hh)
        )
        if total <= 0 or contacts <= 0:
            return
        hidden_any = ((r.sev > 0) & ~r.supported & ~r.known).any(axis=0)
        idx = np.flatnonzero(eligible & hidden_any)
        weight = 1.0 + a * snap.isolated[idx] + b * alone_old[idx] + c * in_withdrawn_hh[idx]
        p_contact = np.minimum(1.0, weight * (contacts / total))
        stream = model.streams["outreach"]
        reached = idx[stream.uniform(r.pid[idx], model.month, k=0) < p_contact]
        hidden = (r.sev[:, reached] > 0) & ~r.supported[:, reached] & ~r.known[:, reached]
        p_detect = np.where(hidden[WITHDRAWAL], s["detect_withdrawal"], s["detect"])
        found = stream.uniform(r.pid[reached], model.month, k=1) < p_detect
        referred = model.support.bring(reached[found], OUTREACH)
        model.tally.outreach_found += referred.size

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Workers' pay, on the new functions' additional funding (追加財源)."""
        return {"new_functions": self.workers(model) * model.params.costs.salary_month}
