"""``kyosei scenarios``: list town profiles and policy packages, or show one in full."""

from __future__ import annotations

import argparse

from model.parameters import describe
from model.scenario import PolicyPackage
from scenarios import loader
from scenarios.policy_paths import fields_of

from ..table import default_lang, render, sources_section, width, wrap

COLUMNS = 100  # the long format fits a 100-column terminal


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei scenarios``."""
    p = sub.add_parser("scenarios", help="list town profiles and policy packages")
    p.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    p.add_argument("name", nargs="?", help="with 'show': a town profile, policy or file path")
    p.add_argument(
        "--format",
        choices=["long", "wide"],
        default="long",
        help="with 'show': 'long' (default) fits 100 columns, one parameter per block; "
        "'wide' is one table row per parameter",
    )
    p.add_argument(
        "--lang",
        choices=["ja", "en"],
        default=None,
        help="language of source titles (default: LANG)",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """List everything, or show one profile or package."""
    if args.action == "show":
        if not args.name:
            from model.errors import UsageError

            raise UsageError("'kyosei scenarios show' needs a town profile or policy name")
        return _show(args.name, args.lang or default_lang(), args.format)
    lang = args.lang or default_lang()
    towns = [loader.describe_file("town", n) for n in loader.town_names()]
    print("Town profiles (kyosei run TOWN):")
    print(
        render(
            ["name", "label", "population", "districts"],
            [[t["name"], t[f"label_{lang}"], t["population"], t["districts"]] for t in towns],
            right=(2, 3),
        )
    )
    policies = [loader.describe_file("policy", n) for n in loader.policy_names()]
    print("\nPolicy packages (kyosei run TOWN --policy PACKAGE):")
    rows = [[p["name"], p[f"label_{lang}"], p["components"]] for p in policies]
    print(render(["name", "label", "components"], _wrap_last(rows)))
    return 0


def _wrap_last(rows: list[list[str]]) -> list[list[str]]:
    """``rows`` with the last column wrapped onto continuation rows to fit ``COLUMNS``."""
    firsts = [max(width(str(r[i])) for r in rows) for i in range(len(rows[0]) - 1)]
    room = max(20, COLUMNS - sum(firsts) - 2 * len(firsts))
    out = []
    for row in rows:
        parts = wrap(str(row[-1]), room)
        out.append([*row[:-1], parts[0]])
        out += [[""] * (len(row) - 1) + [part] for part in parts[1:]]
    return out


def _show(name: str, lang: str, layout: str = "long") -> int:
    from scenarios import loader

    if name in loader.policy_names() or (name.endswith(".toml") and "polic" in name):
        package = loader.load_policy(name)
        print(f"{package.name}: {package.label_ja} / {package.label_en}")
        rows = [
            [
                s.kind,
                str(s.start_month),
                "—" if s.end_month is None else str(s.end_month),
                f"{s.intensity:g}",
                s.eligibility,
            ]
            for s in package.interventions
        ]
        print(render(["component", "start", "end", "intensity", "eligibility"], rows))
        _print_settings(package)
        return 0
    params = loader.load_town(name)
    from model.units import unit_text

    rows = [
        [r["parameter"], _fmt(r["value"]), unit_text(str(r["unit"]), lang), r["source"]]
        for r in describe(params)
    ]
    if layout == "wide":
        print(render(["parameter", "value", "unit", "source"], rows))
    else:
        print(f"{params.town.name}: {params.town.label_ja} / {params.town.label_en}")
        for parameter, value, unit, source in rows:
            head = f"{parameter} = {value}" + (f"  ({unit})" if unit else "")
            print("\n".join(wrap(head, COLUMNS, indent="    ")))
            print("\n".join(wrap(f"    source: {source}", COLUMNS, indent="        ")))
    cited = sources_section((r[3] for r in rows), lang, COLUMNS if layout == "long" else None)
    if cited:
        print("\n" + cited)
    return 0


def _fmt(value: object) -> str:
    from model.parameters import value_text

    return value_text(value)


def _print_settings(package: PolicyPackage) -> None:
    """The policy.<component>.<field> paths an experiment file can set for this package."""
    rows = []
    for spec in package.interventions:
        current = {
            "enabled": True,
            "intensity": spec.intensity,
            "eligibility": spec.eligibility,
            "start_month": spec.start_month,
            **spec.options,
        }
        for name, f in fields_of(spec.kind).items():
            rows.append([f.path, _fmt(current.get(name, f.default)), f.allowed()])
    if not rows:
        print(
            "\nNo components. Experiments may add any with policy.<component>.<field> paths "
            "(e.g. policy.outreach.intensity); 'kyosei scenarios show jusou_full' lists them."
        )
        return
    print("\nSettings an experiment file can vary (in [uncertainties], [levers] or [fixed]):")
    print(render(["path", "value", "allowed"], rows))
