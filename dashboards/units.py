"""Parameter units in Japanese and English: one mapping keyed by the unit string the model declares.

The model declares each parameter's unit (and each policy component's intensity unit) in
English, as its authors wrote it. The dashboard, ``kyosei scenarios show`` and the brief
show it through :func:`unit_text`: in Japanese mode the Japanese form from :data:`UNITS`,
in English mode the English form (the declared text, or a form without Japanese words
where the declared one carries them). A test checks that every declared unit has a
Japanese form; a unit added later without one is shown as :data:`UNTRANSLATED` in
Japanese mode — never in English.
"""

from __future__ import annotations

#: Declared unit → (Japanese, English). English "" means the declared text itself.
UNITS: dict[str, tuple[str, str]] = {
    "": ("", ""),
    # ---- policy components' intensities --------------------------------------------
    "integration staff (FTE) in the town": ("町全体の統合相談の職員（常勤換算・人）", ""),
    "coordinators (相談支援包括化推進員, FTE) in the town": (
        "町全体の相談支援包括化推進員（常勤換算・人）",
        "coordinators for multi-agency work (FTE) in the town",
    ),
    "outreach workers (CSW, FTE) in the town": (
        "町全体のアウトリーチ職員（CSW、常勤換算・人）",
        "",
    ),
    "参加支援 workers (FTE) in the town": (
        "町全体の参加支援の職員（常勤換算・人）",
        "participation-support workers (FTE) in the town",
    ),
    "coordinators (生活支援コーディネーター, CSW; FTE) in the town": (
        "町全体の生活支援コーディネーター（CSW、常勤換算・人）",
        "community coordinators (CSW; FTE) in the town",
    ),
    "gatherings a year in the town": ("町全体の年間開催回数（回／年）", ""),
    "partner cafés in the town": ("町全体の連携カフェ数（店）", ""),
    "yen a year passed to the town's NPOs": ("町のNPOへの年間資金（円／年）", ""),
}

#: A unit without a Japanese form, in Japanese mode (a test keeps this from happening).
UNTRANSLATED = "（単位は「モデル」ページの原文を参照）"


def unit_text(unit: str, lang: str) -> str:
    """``unit`` as shown in ``lang`` (Japanese from :data:`UNITS`; never English in ``ja``)."""
    pair = UNITS.get(unit)
    if lang == "ja":
        return pair[0] if pair else (UNTRANSLATED if unit else "")
    return (pair[1] if pair and pair[1] else unit) if unit else ""
