"""``kyosei scenarios``: list town profiles and policy packages, or show one in full."""

from __future__ import annotations

import argparse

from model.parameters import describe
from model.scenario import PolicyPackage
from scenarios import loader
from scenarios.policy_paths import fields_of

from ..table import render


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei scenarios``."""
    p = sub.add_parser("scenarios", help="list town profiles and policy packages")
    p.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    p.add_argument("name", nargs="?", help="with 'show': a town profile, policy or file path")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """List everything, or show one profile or package."""
    if args.action == "show":
        if not args.name:
            from ..errors import UsageError

            raise UsageError("'kyosei scenarios show' needs a town profile or policy name")
        return _show(args.name)
    towns = [loader.describe_file("town", n) for n in loader.town_names()]
    print("Town profiles (kyosei run TOWN):")
    print(
        render(
            ["name", "label", "population", "districts"],
            [
                [t["name"], t["label_ja"] + " / " + t["label_en"], t["population"], t["districts"]]
                for t in towns
            ],
            right=(2, 3),
        )
    )
    policies = [loader.describe_file("policy", n) for n in loader.policy_names()]
    print("\nPolicy packages (kyosei run TOWN --policy PACKAGE):")
    print(
        render(
            ["name", "label", "components"],
            [[p["name"], p["label_ja"] + " / " + p["label_en"], p["components"]] for p in policies],
        )
    )
    return 0


def _show(name: str) -> int:
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
    rows = [[r["parameter"], _fmt(r["value"]), r["unit"], r["source"]] for r in describe(params)]
    print(render(["parameter", "value", "unit", "source"], rows))
    return 0


def _fmt(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


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
