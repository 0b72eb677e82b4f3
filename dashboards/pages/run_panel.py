"""Run a new comparison: choose town, packages, replicates; run in processes; show progress.

The panel starts a :mod:`dashboards.jobs` job and polls it from a background task of
this session; the run itself happens in other processes, so nothing here blocks the
page or anyone else's. When the job finishes, ``on_done`` receives the new set's folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import solara

from model.parameters import ParameterError
from scenarios import policy_names, town_names

from .. import jobs, server, state
from ..i18n import t
from ..widgets import Choice, MultiChoice, Notice, Section, town_label, use_job_progress

job_id = solara.reactive("")
progress = solara.reactive((0, 0, "idle", ""))  # done, total, status, message
run_town = solara.reactive("district")
run_packages: solara.Reactive[list[str]] = solara.reactive([])
run_replicates = solara.reactive(3)
run_years = solara.reactive(5)
run_scale = solara.reactive(20)


def _labels(lang: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    from scenarios.loader import describe_file

    towns, packages = [], []
    for name in town_names():
        try:
            describe_file("town", name)
        except Exception:  # a profile that fails to load is left out of the list
            continue
        towns.append((name, town_label(name, lang)))
    for name in policy_names():
        try:
            d = describe_file("policy", name)
            packages.append((name, d["label_ja"] if lang == "ja" else d["label_en"]))
        except Exception:  # as above
            continue
    return towns, packages


@solara.component
def RunPanel(on_done: Callable[[Path], None] | None = None) -> None:
    """The form, the Run button and the progress bar."""
    lang = state.lang.value
    towns, packages = solara.use_memo(lambda: _labels(lang), dependencies=[lang])
    chosen = [p for p in run_packages.value if p in dict(packages)]
    if not chosen:
        chosen = [p for p, _ in packages][:2]
    done, total, status, message = progress.value

    use_job_progress(job_id.value, progress, on_done)

    def start() -> None:
        try:
            job = jobs.start(
                server.results_dir(),
                run_town.value,
                chosen,
                run_replicates.value,
                years=run_years.value,
                scale=float(run_scale.value),
            )
        except ParameterError as err:
            progress.set((0, 0, "error", str(err)))
            return
        progress.set((0, job.total, "running", ""))
        job_id.set(job.id)

    with solara.Card(classes=["kyosei-run"], elevation=1, style="margin-top: 16px;"):
        Section(t("run.title"))
        with solara.Row(style="flex-wrap: wrap; gap: 16px;"):
            with solara.Column(style="min-width: 220px; flex: 1;"):
                Choice(t("run.town"), run_town.value, towns, run_town.set, css="kyosei-run-town")
            with solara.Column(style="min-width: 320px; flex: 2;"):
                MultiChoice(
                    t("run.packages"),
                    chosen,
                    packages,
                    lambda v: run_packages.set(list(v)[:4]),
                    css="kyosei-run-packages",
                )
        with solara.Row(style="flex-wrap: wrap; gap: 24px;"):
            with solara.Column(style="min-width: 200px; flex: 1;"):
                solara.SliderInt(
                    t("run.replicates.n", n=run_replicates.value),
                    value=run_replicates,
                    min=1,
                    max=20,
                    thumb_label=False,
                )
                solara.Text(t("run.replicates.help"), style="color: #666; font-size: 0.85em;")
            with solara.Column(style="min-width: 200px; flex: 1;"):
                solara.SliderInt(
                    t("run.years", n=run_years.value),
                    value=run_years,
                    min=1,
                    max=30,
                    thumb_label=False,
                )
            with solara.Column(style="min-width: 200px; flex: 1;"):
                solara.SliderInt(
                    t("run.scale.n", n=run_scale.value),
                    value=run_scale,
                    min=1,
                    max=100,
                    thumb_label=False,
                )
                solara.Text(t("run.scale.help"), style="color: #666; font-size: 0.85em;")
        running = status == "running"
        solara.Button(
            t("run.start"),
            on_click=start,
            disabled=running,
            color="primary",
            classes=["kyosei-run-start"],
        )
        if running:
            solara.ProgressLinear(value=100 * done / total if total else True)
            solara.Text(t("run.running", done=done, total=total), classes=["kyosei-run-progress"])
        elif status == "done":
            job = jobs.get(job_id.value)
            name = job.out.name if job else ""
            failed = job.failed if job else 0
            Notice(t("run.done", name=name, ok=done - failed, failed=failed), kind="success")
        elif status == "error":
            Notice(t("run.failed", reason=message), kind="error")
