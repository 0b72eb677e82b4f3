"""私の町 / My town: describe one's own town and package in the browser, save, run, compare.

The form asks for what a municipality counts — population, households, districts, an
age table (CSV in the 住民基本台帳 / e-Stat layout), staff at its counters, its venues
and 民生委員 posts — and for each component of its package the intensity in the unit it
budgets and the year it starts. Saving checks everything with the TOML loader
(:func:`dashboards.mytown.save`) and writes readable files into the results folder's
``towns/``; running compares the town's baseline with its package, in the background,
into a new results set that the Compare page opens.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import solara

from model.errors import UsageError
from model.parameters import ParameterError

from .. import jobs, mytown, server, state
from ..i18n import t, unit_label
from ..widgets import Choice, Notice, Section, town_label, use_job_progress

COUNTERS = ("care", "disability", "child", "hardship")
VENUES = ("salon", "kayoi", "kodomo", "cafe", "hub")
TOWN_FIELDS = ("population", "households", "districts", "start_year", "annual_change_target")
WHOLE = ("population", "households", "districts", "start_year")

form: solara.Reactive[dict[str, Any]] = solara.reactive({})
notice = solara.reactive(("", ""))  # kind, text
saved: solara.Reactive[tuple[str, str]] = solara.reactive(("", ""))  # town file, package file
job_id = solara.reactive("")
progress = solara.reactive((0, 0, "idle", ""))  # done, total, status, message


def defaults(base: str) -> dict[str, Any]:
    """The form filled from a shipped profile and the full 重層 package."""
    from model.interventions import REGISTRY
    from scenarios import load_policy, load_town
    from scenarios.template import parameters_to_counts

    params = load_town(base)
    counts = parameters_to_counts(params)
    tp = params.town
    values: dict[str, Any] = {"name": "my_town", "label": "", "base": base, "age": None}
    values.update({f"town.{k}": str(getattr(tp, k)) for k in TOWN_FIELDS})
    for kind, n in zip(COUNTERS, counts.counter_staff or (), strict=False):
        values[f"staff.{kind}"] = f"{n:g}"
    for kind, n in zip(VENUES, counts.venues or (), strict=False):
        values[f"venues.{kind}"] = str(n)
    values["minsei_posts"] = str(counts.minsei_posts)
    package = {s.kind: s for s in load_policy("jusou_full").interventions}
    for kind, component in REGISTRY.items():
        spec = package.get(kind)
        values[f"comp.{kind}.on"] = spec is not None
        intensity = spec.intensity if spec else component.default_intensity
        values[f"comp.{kind}.intensity"] = f"{intensity:.12g}"
        start = spec.start_month // 12 if spec else 1
        values[f"comp.{kind}.year"] = str(tp.start_year + start)
    values.update({"run.replicates": "3", "run.years": "5", "run.scale": "20"})
    return values


def _number(path: str, text: object, whole: bool = False) -> float:
    """The form's text as a number, or the loader's kind of refusal naming ``path``."""
    try:
        value = float(str(text).replace(",", "").strip())
    except ValueError:
        raise ParameterError(path, text, "a whole number" if whole else "a number") from None
    if whole:
        if not value.is_integer():
            raise ParameterError(path, text, "a whole number")
        return int(value)
    return value


def read_form(values: dict[str, Any]) -> mytown.TownForm:
    """The form's values as a :class:`~dashboards.mytown.TownForm` (numbers parsed)."""
    from model.interventions import REGISTRY

    town = {k: _number(f"town.{k}", values[f"town.{k}"], whole=k in WHOLE) for k in TOWN_FIELDS}
    components = [
        (
            kind,
            _number(f"{kind}.intensity", values[f"comp.{kind}.intensity"]),
            int(_number(f"{kind}.start_year", values[f"comp.{kind}.year"], whole=True)),
        )
        for kind in REGISTRY
        if values.get(f"comp.{kind}.on")
    ]
    age = values.get("age")
    return mytown.TownForm(
        name=str(values["name"]).strip(),
        label=str(values.get("label", "")),
        base=str(values["base"]),
        town=town,
        counter_staff=tuple(
            _number(f"counts.counter_staff[{i}]", values[f"staff.{k}"])
            for i, k in enumerate(COUNTERS)
        ),
        venues=tuple(
            int(_number(f"counts.venues[{i}]", values[f"venues.{k}"], whole=True))
            for i, k in enumerate(VENUES)
        ),
        minsei_posts=int(_number("counts.minsei_posts", values["minsei_posts"], whole=True)),
        age_csv=base64.b64decode(age["data"]) if age else None,
        components=components,
    )


def field_label(path: str) -> str:
    """The form's label of a refused field (a loader path), for the notice."""
    from model.interventions import REGISTRY

    head = path.split("[")[0]
    if head.startswith("town."):
        return t(f"mytown.{head[5:]}")
    if head == "counts.counter_staff" and "[" in path:
        return t("mytown.staff") + " · " + t(f"mytown.staff.{COUNTERS[int(path.split('[')[1][0])]}")
    if head == "counts.venues" and "[" in path:
        return t("mytown.venues") + " · " + t(f"mytown.venues.{VENUES[int(path.split('[')[1][0])]}")
    if head == "counts.minsei_posts":
        return t("mytown.minsei_posts")
    kind = head.split(".")[0]
    if kind in REGISTRY:
        c = REGISTRY[kind]
        name = c.label_ja if state.lang.value == "ja" else c.label_en
        return f"{name} · {t('mytown.' + head.split('.')[-1])}"
    return t("mytown.file")


@solara.component
def _Text(key: str, values: dict[str, Any], label: str, width: str = "140px") -> None:
    def put(v: str) -> None:
        form.set({**form.value, key: v})

    solara.InputText(
        label,
        value=str(values.get(key, "")),
        on_value=put,
        continuous_update=True,
        classes=[f"kyosei-form-{key.replace('.', '-')}"],
        style=f"max-width: {width}; min-width: {width};",
    )


def _toggle(kind: str) -> Callable[[bool], None]:
    def put(on: bool) -> None:
        form.set({**form.value, f"comp.{kind}.on": on})

    return put


@solara.component_vue("../csv_input.vue")
def _CsvInput(
    label: str, chosen: str, button: str, event_loaded: Callable[[dict[str, str]], None]
) -> None: ...


@solara.component
def MyTownPage() -> None:
    """The page (see the module docstring)."""
    from model.interventions import REGISTRY
    from scenarios import town_names

    lang = state.lang.value
    router = solara.use_router()
    values = form.value or defaults("small_town")
    if not form.value:
        form.set(values)
    root = server.results_dir()
    done, total, status, message = progress.value

    use_job_progress(job_id.value, progress)

    def on_save() -> bool:
        try:
            result = mytown.save(root, read_form(form.value))
        except ParameterError as err:
            notice.set(("error", t("mytown.bad", field=field_label(err.field)) + "\n" + str(err)))
            return False
        except UsageError as err:
            notice.set(("error", t("mytown.refused") + "\n" + str(err)))
            return False
        saved.set((str(result.town), str(result.package)))
        names = {"town": result.town.name, "package": result.package.name}
        notice.set(("success", t("mytown.saved", **names)))
        return True

    def on_run() -> None:
        if not on_save():
            return
        town_file, package_file = saved.value
        v = form.value
        try:
            job = jobs.start(
                root,
                town_file,
                ["baseline", package_file],
                int(_number("run.replicates", v["run.replicates"], whole=True)),
                years=int(_number("run.years", v["run.years"], whole=True)),
                scale=float(_number("run.scale", v["run.scale"])),
            )
        except ParameterError as err:
            notice.set(("error", t("mytown.bad", field=t("mytown.run")) + "\n" + str(err)))
            return
        progress.set((0, job.total, "running", ""))
        job_id.set(job.id)

    def open_compare() -> None:
        from . import compare

        job = jobs.get(job_id.value)
        if job is not None:
            compare.chosen_set.set(str(job.out))
            router.push("/")

    def on_age(file: dict[str, str]) -> None:
        total = mytown.table_total(base64.b64decode(file["data"]))
        values = {**form.value, "age": file}
        if total:  # the table's residents: the population, unless the user changes it
            values["town.population"] = str(total)
        form.set(values)

    def on_base(base: str) -> None:
        form.set({**defaults(base), "name": form.value.get("name", "my_town")})

    solara.HTML(tag="h2", unsafe_innerHTML=t("mytown.title"), style="margin: 8px 0;")
    solara.Text(t("mytown.intro"), style="color: #555;")
    with solara.Card(classes=["kyosei-mytown"], elevation=1, style="margin-top: 12px;"):
        Section(t("mytown.section.town"))
        with solara.Row(style="flex-wrap: wrap; gap: 16px; align-items: flex-end;"):
            _Text("name", values, t("mytown.name"), width="200px")
            _Text("label", values, t("mytown.label"), width="200px")
            with solara.Column(style="min-width: 220px;"):
                Choice(
                    t("mytown.base"),
                    values["base"],
                    [(n, town_label(n, lang)) for n in town_names()],
                    on_base,
                    css="kyosei-form-base",
                    help=t("mytown.base.help"),
                )
        with solara.Row(style="flex-wrap: wrap; gap: 16px;"):
            for k in TOWN_FIELDS:
                _Text(f"town.{k}", values, t(f"mytown.{k}"))
        age = values.get("age")
        _CsvInput(
            label=t("mytown.age_table"),
            chosen=age["name"] if age else t("mytown.age_table.none"),
            button=t("mytown.age_table.choose"),
            event_loaded=on_age,
        )
        solara.Text(t("mytown.age_table.help"), style="color: #666; font-size: 0.85em;")
        Section(t("mytown.staff"), help=t("mytown.staff.help"))
        with solara.Row(style="flex-wrap: wrap; gap: 16px;"):
            for k in COUNTERS:
                _Text(f"staff.{k}", values, t(f"mytown.staff.{k}"))
        Section(t("mytown.venues"), help=t("mytown.venues.help"))
        with solara.Row(style="flex-wrap: wrap; gap: 16px;"):
            for k in VENUES:
                _Text(f"venues.{k}", values, t(f"mytown.venues.{k}"))
            _Text("minsei_posts", values, t("mytown.minsei_posts"), width="180px")
        Section(t("mytown.section.package"), help=t("mytown.package.help"))
        for kind, component in REGISTRY.items():
            name = component.label_ja if lang == "ja" else component.label_en
            with solara.Row(style="flex-wrap: wrap; gap: 16px; align-items: center;"):
                with solara.Div(classes=[f"kyosei-form-comp-{kind}"], style="min-width: 360px;"):
                    solara.Checkbox(
                        label=name,
                        value=bool(values.get(f"comp.{kind}.on")),
                        on_value=_toggle(kind),
                    )
                _Text(
                    f"comp.{kind}.intensity",
                    values,
                    unit_label(component.intensity_unit, lang),
                    width="360px",
                )
                _Text(f"comp.{kind}.year", values, t("mytown.start_year"), width="110px")
        Section(t("mytown.run"))
        with solara.Row(style="flex-wrap: wrap; gap: 16px; align-items: flex-end;"):
            _Text("run.replicates", values, t("run.replicates"), width="110px")
            _Text("run.years", values, t("mytown.years"), width="110px")
            _Text("run.scale", values, t("run.scale"), width="220px")
        running = status == "running"
        with solara.Row(style="gap: 12px;"):
            solara.Button(t("mytown.save"), on_click=on_save, outlined=True,
                          classes=["kyosei-form-save"])  # fmt: skip
            solara.Button(t("mytown.run.start"), on_click=on_run, color="primary",
                          disabled=running, classes=["kyosei-form-run"])  # fmt: skip
        kind, text = notice.value
        if text:
            Notice(text, kind=kind)
        if running:
            solara.ProgressLinear(value=100 * done / total if total else True)
            solara.Text(t("run.running", done=done, total=total), classes=["kyosei-form-progress"])
        elif status == "done":
            job = jobs.get(job_id.value)
            name, failed = (job.out.name, job.failed) if job else ("", 0)
            if failed:
                Notice(t("run.done", name=name, ok=done - failed, failed=failed), kind="error")
            else:
                Notice(t("mytown.done", name=name), kind="success")
            solara.Button(t("mytown.compare"), on_click=open_compare, color="primary",
                          classes=["kyosei-form-compare"])  # fmt: skip
        elif status == "error":
            Notice(t("run.failed", reason=message), kind="error")
