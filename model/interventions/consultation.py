"""I. 相談支援: the one-stop counter and multi-agency collaboration.

* ``one_stop`` (包括的相談支援事業; Okazaki's ふくサポ): any counter takes any field and
  looks at the whole person, so compound cases are no longer referred on and do not
  drop out on the way. Integration staff are added in every district.
* ``multi_agency`` (多機関協働事業 + 重層的支援会議): compound cases get a joint plan —
  the household is looked at as a whole, referrals keep the person, support works
  better — as far as the coordinators' capacity reaches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from .base import Intervention, register

if TYPE_CHECKING:
    from ..core import CommunityModel

CONSULT_LINES = ("care_consult", "disability_consult", "child_consult", "poverty_consult")


@register
class OneStop(Intervention):
    """Any counter takes any field (包括的相談支援)."""

    kind = "one_stop"
    label_ja = "包括的相談支援（ワンストップ窓口）"
    label_en = "One-stop consultation"
    intensity_unit = "integration staff (FTE) in the town"
    default_intensity = 2.0
    intensity_range = (0.0, 200.0)
    intensity_source = (
        "[mhlw-hokatsu-2024] one worker per 包括 area (≈ 20-23k residents) of a 30-40k town; "
        "[seed-deck] Okazaki's ふくサポ floor, staffing not given"
    )

    def apply(self, model: CommunityModel) -> None:
        """Open the one-stop rule to eligible residents; spread the staff over the counters."""
        model.levers.one_stop_for = self.reach
        extra = model.levers.extra_staff
        extra += self.intensity / extra.size

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Integration staff, shared by the four fields' consultation budgets (一体的な運用)."""
        total = self.intensity * model.params.costs.salary_month
        return {line: total / len(CONSULT_LINES) for line in CONSULT_LINES}


@register
class MultiAgency(Intervention):
    """Joint plans for compound cases (多機関協働・重層的支援会議)."""

    kind = "multi_agency"
    label_ja = "多機関協働・重層的支援会議"
    label_en = "Multi-agency collaboration"
    intensity_unit = "coordinators (相談支援包括化推進員, FTE) in the town"
    default_intensity = 1.0
    intensity_range = (0.0, 50.0)
    intensity_source = (
        "[seed-deck] Okazaki (385k residents) employs one 相談支援包括化推進員 at ふくサポ"
    )
    options: ClassVar[dict[str, tuple[float, float, float]]] = {
        "cases_per_coordinator": (8.0, 0.0, 100.0),  # joint plans a coordinator runs a month
    }

    def coordinators(self, model: CommunityModel) -> float:
        """Coordinators in the town (people)."""
        return self.intensity

    def apply(self, model: CommunityModel) -> None:
        """Give eligible compound cases joint plans, up to the coordinators' capacity."""
        levers = model.levers
        levers.joint_for = self.reach
        cases = self.coordinators(model) * self.settings["cases_per_coordinator"] / model.scale
        levers.joint_capacity += cases

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Coordinators' pay, on the new functions' additional funding (追加財源)."""
        return {"new_functions": self.coordinators(model) * model.params.costs.salary_month}
