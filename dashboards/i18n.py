"""Every word the dashboard shows, in Japanese and English, in one place.

Interface text lives in :data:`TEXT` (key → Japanese, English). Metric names, units
and help come from :mod:`model.metrics`, so a metric is labelled the same way in the
dashboard, the command line and the policy brief. :func:`t` reads the session's
language (:data:`dashboards.state.lang`); :func:`tr` takes it explicitly (for the
brief and for code outside a page).
"""

from __future__ import annotations

import functools

from model.metrics import DISTRICT_METRICS, METRICS

from . import state

LANGS = ("ja", "en")

TEXT: dict[str, tuple[str, str]] = {
    # ---- frame ----------------------------------------------------------------------
    "app.title": ("共生シミュレーター Kyosei", "Kyosei community simulator"),
    "app.subtitle": (
        "人口減少・高齢化する町と重層的支援体制整備事業のエージェント・ベース・モデル",
        "An agent-based model of a shrinking, aging town and the multi-layered support system",
    ),
    "nav.compare": ("比較", "Compare"),
    "nav.explore": ("探索", "Explore"),
    "nav.live": ("ワークショップ", "Live"),
    "nav.about": ("モデル", "About"),
    "lang.switch": ("English", "日本語"),
    "lang.switch.help": ("表示言語を英語に切り替えます", "Switch the interface to Japanese"),
    "big.switch": ("大画面", "Big screen"),
    "big.switch.help": (
        "会場のスクリーン向けに文字を大きくします",
        "Large type for a projector in the room",
    ),
    # ---- notices about results --------------------------------------------------------
    "results.none_dir": (
        "結果フォルダ {path} が見つかりません。`kyosei demo` で既定の比較を実行するか、"
        "下の「新しい比較を実行」で作成してください。",
        "The results folder {path} does not exist. Run `kyosei demo` for the default "
        "comparison, or create one with “Run new comparison” below.",
    ),
    "results.empty_dir": (
        "{path} には結果セットがありません。下の「新しい比較を実行」で作成できます。",
        "{path} holds no results set yet. Create one with “Run new comparison” below.",
    ),
    "results.unreadable": (
        "結果セット {name} を読み込めません: {reason}",
        "The results set {name} cannot be read: {reason}",
    ),
    "results.no_runs": (
        "結果セット {name} にはまだ完了した実行がありません。",
        "The results set {name} has no finished runs yet.",
    ),
    "results.state.partial": (
        "{name}（途中まで: {ok}/{n} 実行）",
        "{name} (partial: {ok}/{n} runs)",
    ),
    "results.state.writing": (
        "{name}（実行中: {ok}/{n} 実行）",
        "{name} (being written: {ok}/{n} runs)",
    ),
    "results.state.damaged": (
        "{name}（読み込めません: kyosei store check）",
        "{name} (damaged: see kyosei store check)",
    ),
    "results.set": ("結果セット", "Results set"),
    "results.set.help": (
        "比較する実験結果（一括実行や「新しい比較を実行」で作った結果フォルダ）",
        "The experiment results to compare (a folder written by kyosei sweep"
        " or Run new comparison)",
    ),
    "results.summary": (
        "{runs} 実行（{arms} 施策 × {reps} 反復）・{years} 年・作成 {created}",
        "{runs} runs ({arms} packages × {reps} replicates) · {years} years · made {created}",
    ),
    "chart.updating": ("更新中…", "Updating…"),
    # ---- the set's facts and the 要旨 ---------------------------------------------------
    "set.facts": (
        "縮尺1:{scale}・{reps}反復・{years}年",
        "scale 1:{scale} · {reps} replicates · {years} years",
    ),
    "summary.title": ("要旨", "Summary"),
    "summary.what": (
        "{town}の{years}年間を、各パッケージ{reps}回（共通乱数、模擬住民1人＝{scale}人）"
        "試算しました。",
        "{town} over {years} years, each package run {reps} times with common random"
        " numbers (one simulated resident = {scale} people).",
    ),
    "summary.package": (
        "{package}は{reference}と比べて、{year}年目に",
        "{package} against {reference}, year {year}: ",
    ),
    "summary.better": ("{items}が改善", "{items} better"),
    "summary.worse": ("{items}が悪化", "{items} worse"),
    "summary.moved": ("{items}が変化", "{items} changed"),
    "summary.end": ("しました。", "."),
    "summary.nothing": (
        "90%区間で明確な差のある指標はありませんでした。",
        "no outcome differs clearly (90 % intervals).",
    ),
    "summary.none": (
        "{items}には明確な差がありません。",
        " No clear difference in {items}.",
    ),
    "summary.cost": (
        "{years}年間の費用は{total}億円（基準より{increment}億円{municipality}）。",
        " It costs {total} × 100 M yen over {years} years ({increment} on the reference"
        "{municipality}).",
    ),
    "summary.municipality": ("、うち市町村{value}億円", ", the municipality's share {value}"),
    "summary.caveat": (
        "合成人口による試算で、予測ではありません。",
        "This is a what-if on a synthetic population, not a forecast.",
    ),
    # ---- compare ----------------------------------------------------------------------
    "compare.title": ("施策パッケージの比較", "Compare policy packages"),
    "compare.town": ("町のプロファイル", "Town profile"),
    "compare.town.help": ("比較する町（結果セットに含まれるもの）", "The town to compare"),
    "compare.packages": ("施策パッケージ（2〜4）", "Policy packages (2–4)"),
    "compare.packages.help": (
        "並べて比較するパッケージ。最初に基準（現状維持）を含めると差分が出ます",
        "Packages shown side by side; differences are taken against the reference",
    ),
    "compare.pick_two": (
        "2〜4個の施策パッケージを選んでください。",
        "Pick two to four policy packages.",
    ),
    "compare.outcomes": ("表示する指標", "Outcomes shown"),
    "compare.outcomes.help": (
        "時系列で表示する指標（中央値と10〜90%の幅）",
        "Outcomes drawn over time (median and 10–90 % band)",
    ),
    "compare.band": (
        "線は反復の中央値、帯は10〜90%の範囲",
        "Lines: median over replicates; bands: 10–90 %",
    ),
    "compare.year": ("KPI 表の時点：{year}年目", "KPI table at year {year}"),
    "compare.year.help": (
        "KPI 表を計算する年（開始からの年数）",
        "Years from the start for the KPI table",
    ),
    "compare.kpi": ("KPI 表（基準との対差）", "KPI table (paired difference vs reference)"),
    "compare.kpi.help": (
        "同じ乱数の反復同士の差（共通乱数）の平均と90%信頼区間",
        "Mean of differences between replicates that share a seed (common random numbers),"
        " with a 90 % interval",
    ),
    "kpi.metric": ("指標", "Outcome"),
    "kpi.reference": ("基準", "Reference"),
    "kpi.diff": ("差（90%区間）", "Difference (90 % interval)"),
    "kpi.better": ("望ましい方向", "Desired direction"),
    "better.lower": ("低いほど良い", "lower is better"),
    "better.higher": ("高いほど良い", "higher is better"),
    "kpi.verdict": ("判定", "Verdict"),
    "verdict.better": ("改善", "Better"),
    "verdict.worse": ("悪化", "Worse"),
    "verdict.none": ("差なし", "No clear difference"),
    "verdict.up": ("増加", "Higher"),
    "verdict.down": ("減少", "Lower"),
    "verdict.help": (
        "90%区間が0をまたぐときは「差なし」。区間が0の片側にあれば、望ましい方向なら「改善」、"
        "逆なら「悪化」",
        "“No clear difference” when the 90 % interval spans 0; otherwise “Better” if it lies"
        " on the desired side, “Worse” if not",
    ),
    "compare.costs": ("費用負担（負担者別）", "Cost by payer"),
    "compare.costs.help": (
        "上：年間費用を国・都道府県・市町村・保険料・寄附・民間に分けて積み上げ（万円/年）。"
        "下：累積費用（億円）。反復の平均なので、負担者を足すと合計になります",
        "Top: cost a year stacked by who pays, donors included (×10,000 yen/yr)."
        " Bottom: the running total (×100 M yen). Means over replicates, so payers add up"
        " to the total",
    ),
    "compare.costs.cumulative": ("累積費用", "Cumulative cost"),
    "compare.costs.yearly_axis": ("年間費用（万円/年）", "Cost a year (×10,000 yen/yr)"),
    "compare.costs.cumulative_axis": ("累積費用（億円）", "Cumulative cost (×100 M yen)"),
    "budget.title": ("予算（負担者別）", "Budget by payer"),
    "budget.help": (
        "反復の平均。負担者の行を足すと合計になります。増分は基準との対にした差（90%区間）",
        "Means over replicates: the payer rows add up to the total. The increment is the"
        " paired difference from the reference (90 % interval)",
    ),
    "budget.payer": ("負担者", "Payer"),
    "budget.per_year": ("年平均（万円/年）", "Per year (×10,000 yen/yr)"),
    "budget.total": ("{years}年間の合計（億円）", "Total over {years} years (×100 M yen)"),
    "budget.increment": ("基準からの増分（億円）", "Increment over reference (×100 M yen)"),
    "budget.per_person": (
        "再びつながった人1人あたり費用",
        "Cost per person reconnected",
    ),
    "budget.per_extra": (
        "基準より多くつながった1人あたりの追加費用",
        "Added cost per extra person reconnected",
    ),
    "budget.reconnected": ("再びつながった人（{years}年間）", "People reconnected ({years} years)"),
    "budget.no_extra": ("基準より増えていません", "no more than the reference"),
    "compare.costs.missing": (
        "この結果セットには費用の出力（cost_national など）がありません。",
        "This results set has no cost outputs (cost_national, …).",
    ),
    "compare.timeline": ("施策のタイムライン", "Intervention timeline"),
    "compare.timeline.empty": (
        "選んだパッケージには施策がありません（現状維持のみ）。",
        "The chosen packages have no interventions (baseline only).",
    ),
    "compare.map": ("地区の地図", "District map"),
    "timeline.intensity": ("強度", "intensity"),
    "compare.map.metric": ("地図の指標", "Map outcome"),
    "compare.map.help": (
        "日常生活圏域ごとの値（選んだ年、反復の中央値）",
        "Per daily-life area (chosen year, median over replicates)",
    ),
    "compare.map.missing": (
        "この結果セットには地区別の出力がありません。",
        "This results set has no per-district outputs.",
    ),
    "compare.equity": ("取り残されているのは誰か", "Who is left behind"),
    "compare.equity.help": (
        "支援が必要な人のうち支援を受けていない割合（年齢層・高齢単身）",
        "Share of people in need who get no support, by group",
    ),
    "compare.equity.missing": (
        "この結果セットには公平性の出力（unmet_rate_*）がありません。",
        "This results set has no equity outputs (unmet_rate_*).",
    ),
    "compare.gini": ("地区間ジニ係数（未充足）", "Gini of unmet need across districts"),
    "compare.gini.level": ("（町全体の未支援 {value}）", " (town-wide unmet {value})"),
    "compare.gini.explain": (
        "ジニ係数は、未支援ニーズの割合が地区の間でどれだけ偏っているかを示します"
        "（0＝どの地区も同じ）。比率で測るので、どの地区でも未支援が同じ人数ずつ減ると、"
        "残りが小さくなる分だけ偏りは大きく出ます。窓口や居場所に近い地区から先に"
        "効果が出ても偏りは広がります。ジニ係数が上がっても、町全体の未支援が下がって"
        "いれば、取り残された地区が悪くなったとは限りません。地図で地区ごとの値を確かめてください。",
        "The Gini coefficient says how unevenly the unmet share is spread across districts"
        " (0 = every district the same). It is a ratio: if unmet need falls by the same"
        " number of people in every district, what is left is smaller and the unevenness"
        " looks larger; effects that reach districts near counters and venues first widen"
        " it too. A higher Gini with a lower town-wide unmet share does not mean that any"
        " district got worse: check each district on the map.",
    ),
    "compare.export": ("書き出し", "Export"),
    "compare.brief": ("政策ブリーフ（HTML）", "Policy brief (HTML)"),
    "compare.csv": ("表示データ（CSV）", "Shown data (CSV)"),
    "compare.parquet": ("表示データ（Parquet）", "Shown data (Parquet)"),
    "compare.render_time": ("描画 {seconds:.2f} 秒", "rendered in {seconds:.2f} s"),
    # ---- run a new comparison ----------------------------------------------------------
    "run.title": ("新しい比較を実行", "Run new comparison"),
    "run.town": ("町", "Town"),
    "run.packages": ("施策パッケージ", "Policy packages"),
    "run.replicates": ("反復回数", "Replicates"),
    "run.replicates.n": ("反復回数：{n}回", "Replicates: {n}"),
    "run.replicates.help": (
        "各パッケージを何回（異なる乱数で）実行するか。共通乱数で対にします",
        "Runs per package, each with its own seed; arms share seeds (common random numbers)",
    ),
    "run.years": ("年数：{n}年", "Years: {n}"),
    "run.scale": ("縮尺（1エージェント＝人）", "Scale (people per agent)"),
    "run.scale.n": ("縮尺：模擬住民1人＝{n}人", "Scale: one simulated resident = {n} people"),
    "run.scale.help": (
        "1人の模擬住民が表す人数。大きいほど速く、粗くなります",
        "People one simulated resident stands for: larger is faster and coarser",
    ),
    "run.start": ("実行", "Run"),
    "run.running": ("実行中… {done}/{total}", "Running… {done}/{total}"),
    "run.done": (
        "完了: {name}（{ok} 件成功, {failed} 件失敗）",
        "Done: {name} ({ok} ok, {failed} failed)",
    ),
    "run.failed": ("実行できませんでした: {reason}", "The comparison could not run: {reason}"),
    "run.busy": (
        "別の比較を実行中です。終わってからもう一度どうぞ。",
        "Another comparison is running; try again when it finishes.",
    ),
    # ---- my town ----------------------------------------------------------------------
    "nav.mytown": ("私の町", "My town"),
    "mytown.title": ("私の町で比較する", "Compare packages for my town"),
    "mytown.intro": (
        "町の人口・年齢構成・地区、今ある相談窓口・居場所・民生委員の数と、施策の規模・開始年を"
        "入力して保存すると、町の設定ファイルを結果フォルダの中に書き、現状維持と比べます。",
        "Enter your town's population, age structure and districts, the counters, venues and "
        "民生委員 posts it has, and each component's size and start year; saving writes a town "
        "file into the results folder's towns, and running compares it with today's services.",
    ),
    "mytown.section.town": ("町", "Town"),
    "mytown.name": ("ファイル名（英数字）", "File name (letters, digits)"),
    "mytown.label": ("町の名前", "Town's name"),
    "mytown.base": ("もとにする町", "Start from"),
    "mytown.base.help": (
        "入力しない値（移動・出生など）はこの町の設定を使います",
        "Values not entered here (migration, births, …) come from this town",
    ),
    "mytown.population": ("人口（人）", "Population"),
    "mytown.households": ("世帯数", "Households"),
    "mytown.districts": ("日常生活圏域の数", "Daily-life areas"),
    "mytown.start_year": ("開始年", "Start year"),
    "mytown.age_table": ("年齢別人口表（CSV）", "Age table (CSV)"),
    "mytown.age_table.choose": ("ファイルを選ぶ", "Choose a file"),
    "mytown.annual_change_target": ("人口増減率（%／年）", "Population change (%/yr)"),
    "mytown.age_table.none": ("未選択（もとの町の年齢構成）", "none (the base town's ages)"),
    "mytown.age_table.help": (
        "住民基本台帳や政府統計の年齢別人口表を、年齢・男・女の列のままCSVで保存したもの",
        "A resident-register (e-Stat) age table saved as CSV UTF-8 (columns age, male, female)",
    ),
    "mytown.staff": ("相談窓口の職員（人、常勤換算）", "Counter staff (FTE)"),
    "mytown.staff.help": (
        "分野ごとの相談員の人数。地域包括支援センター1か所はおよそ7人です",
        "Staff at the counters by field; one community general support centre has about 7",
    ),
    "mytown.staff.care": ("高齢（包括）", "Care"),
    "mytown.staff.disability": ("障害", "Disability"),
    "mytown.staff.child": ("子ども・子育て", "Children"),
    "mytown.staff.hardship": ("生活困窮", "Hardship"),
    "mytown.venues": ("居場所（か所）と民生委員", "Venues and 民生委員"),
    "mytown.venues.help": (
        "今ある居場所の数と民生委員の定数。モデルでは人口あたりの値に換算します",
        "Venues that exist today and 民生委員 posts; the model takes them per resident",
    ),
    "mytown.venues.salon": ("サロン", "Salons"),
    "mytown.venues.kayoi": ("通いの場", "Kayoi-no-ba"),
    "mytown.venues.kodomo": ("子ども食堂", "Children's cafeterias"),
    "mytown.venues.cafe": ("地域食堂・カフェ", "Community cafés"),
    "mytown.venues.hub": ("多世代交流拠点", "Multi-generation hubs"),
    "mytown.minsei_posts": ("民生委員の定数（人）", "民生委員 posts"),
    "mytown.section.package": ("施策（規模と開始年）", "Package (size and start year)"),
    "mytown.package.help": (
        "チェックした施策を、予算を立てる単位での規模と開始年で実施します",
        "The ticked components, each at its size in the unit a town budgets, from its start year",
    ),
    "mytown.intensity": ("規模", "Size"),
    "mytown.run": ("比較の実行", "Run the comparison"),
    "mytown.years": ("年数", "Years"),
    "mytown.save": ("保存", "Save"),
    "mytown.run.start": ("保存して比較を実行", "Save and run the comparison"),
    "mytown.saved": (
        "保存しました：towns/{town} と towns/{package}",
        "Saved: towns/{town} and towns/{package}",
    ),
    "mytown.bad": ("「{field}」の値を確認してください。", 'Please check "{field}".'),
    "mytown.refused": ("保存できませんでした。", "Not saved."),
    "mytown.file": ("入力", "Input"),
    "mytown.done": ("比較が完了しました：{name}", "The comparison is done: {name}"),
    "mytown.compare": ("比較ページで見る", "Open it on Compare"),
    # ---- explore -----------------------------------------------------------------------
    "explore.title": ("感度と不確実性の探索", "Explore a sweep"),
    "explore.no_inputs": (
        "この結果セットでは入力パラメータが変化していません（設計なしの比較）。"
        "探索には kyosei sweep で不確実性の設計を実行した結果を選んでください。",
        "No input varies in this results set (a comparison without a design). Pick a sweep "
        "with uncertainties (kyosei sweep) to explore.",
    ),
    "explore.arm": ("施策パッケージ", "Policy package"),
    "explore.outcome": ("結果指標", "Outcome"),
    "explore.input": ("入力パラメータ", "Input parameter"),
    "explore.input_x": ("横軸の入力", "Input on x"),
    "explore.input_y": ("縦軸の入力", "Input on y"),
    "explore.scatter": ("入力と結果（散布図）", "Input vs outcome"),
    "explore.heatmap": ("2つの入力と結果（ヒートマップ）", "Two inputs vs outcome (heatmap)"),
    "explore.parcoords": ("平行座標", "Parallel coordinates"),
    "explore.sensitivity": ("感度指数（区間付き）", "Sensitivity indices (with intervals)"),
    "explore.sensitivity.none": (
        "感度指数を計算できません: {reason}",
        "Sensitivity indices cannot be computed: {reason}",
    ),
    "explore.advisor": ("反復回数の目安", "Replication advisor"),
    "explore.advisor.help": (
        "反復を増やすと効果の90%区間がどれだけ狭まるか",
        "How the 90 % interval of the effect narrows with more replicates",
    ),
    "explore.discovery": ("シナリオ発見（PRIM）", "Scenario discovery (PRIM)"),
    "explore.discovery.help": (
        "結果指標がしきい値を超えるのはどんな町の条件・施策の設定のときか",
        "Which town conditions and policy settings lead to the outcome above a threshold",
    ),
    "explore.discovery.threshold": ("しきい値（これを超える）", "Threshold (outcome above it)"),
    "explore.discovery.density": ("箱の中の該当割合の下限", "Least density of the box"),
    "explore.discovery.none": (
        "シナリオ発見はできません: {reason}",
        "Scenario discovery is not possible: {reason}",
    ),
    "explore.discovery.result": (
        "{cases}/{runs} 件が該当。箱: 該当の {coverage} を含み（カバー率）、箱の中の {density} が"
        "該当（密度）、全体の {mass} が箱の中",
        "{cases} of {runs} runs have it. The box holds {coverage} of them (coverage); "
        "{density} of the runs in it have it (density); it holds {mass} of all runs",
    ),
    "explore.discovery.parameter": ("パラメータ", "Parameter"),
    "explore.discovery.box": ("箱の範囲", "In the box"),
    "explore.discovery.full": ("全体の範囲", "Over all runs"),
    "index.S1": ("一次の感度指数 S1", "first-order index S1"),
    "index.ST": ("全効果の感度指数 ST", "total-effect index ST"),
    "index.S2": ("二次の感度指数 S2", "second-order index S2"),
    "index.mu_star": ("効果の大きさ μ*", "mean absolute effect μ*"),
    "index.mu": ("効果の平均 μ", "mean effect μ"),
    "index.sigma": ("効果のばらつき σ", "spread of effects σ"),
    "index.rho": ("順位相関 ρ", "rank correlation ρ"),
    "index.noise_share": ("反復のばらつきの割合", "share from replicate noise"),
    "index.noise_row": ("（反復のばらつき）", "(replicate noise)"),
    "explore.month": ("時点：{year}年目", "At year {year}"),
    "explore.advice": (
        "{package}の{metric}への効果（{reference}との差）は、{n}反復で90%区間が"
        "±{now}です。{n4}反復にすると±{quarter}になります（見込み）。",
        "With {n} replicates the 90 % interval of the effect of {package} on {metric}"
        " (against {reference}) is ±{now}; {n4} replicates would make it ±{quarter} (expected).",
    ),
    "explore.advice.mean": (
        "{package}の{metric}の平均は、{n}反復で90%区間が±{now}です。"
        "{n4}反復にすると±{quarter}になります（見込み）。",
        "With {n} replicates the 90 % interval of the mean of {metric} under {package} is"
        " ±{now}; {n4} replicates would make it ±{quarter} (expected).",
    ),
    # ---- live --------------------------------------------------------------------------
    "live.title": ("ワークショップ：町の未来をその場で", "Workshop: the town's future, live"),
    "live.town": ("町", "Town"),
    "live.preset": ("プリセット", "Presets"),
    "live.play": ("再生", "Play"),
    "live.pause": ("一時停止", "Pause"),
    "live.step": ("1か月進める", "Step one month"),
    "live.reset": ("最初から", "Reset"),
    "live.speed": ("速さ：毎秒{n}か月", "Speed: {n} months a second"),
    "live.month": ("{year}年{month}月", "{year}/{month:02d}"),
    "live.intervention": ("施策をいま始める", "Start a policy now"),
    "live.intervention.help": (
        "選んだ施策を現在の月から開始します（実行中に追加）",
        "Switches the chosen component on from this month",
    ),
    "live.add": ("開始", "Start"),
    "live.fork": ("未来を2つに分ける", "Fork into two futures"),
    "live.fork.help": (
        "現在の町を複製し、片方だけに施策を加えて並べて進めます",
        "Copies the present town; add a policy to one copy and run both side by side",
    ),
    "live.unfork": ("1つに戻す", "Back to one town"),
    "live.future_a": ("未来A（このまま）", "Future A (as is)"),
    "live.future_b": ("未来B（施策あり）", "Future B (with the policy)"),
    "live.difference": ("差（B − A）", "Difference (B − A)"),
    "live.residents": ("住民（抽出 {n} 人）", "Residents (sample of {n})"),
    "live.building": ("町を作っています…", "Building the town…"),
    "live.error": ("町を作れませんでした: {reason}", "The town could not be built: {reason}"),
    "live.active": ("実施中の施策", "Active policies"),
    "live.none_active": ("なし（現状維持）", "none (baseline)"),
    "live.map": ("町の地図", "Town map"),
    "state.connected": ("つながりあり", "connected"),
    "state.isolated": ("孤立", "isolated"),
    "state.in_need": ("支援が必要", "in need"),
    "state.supported": ("支援を受けている", "supported"),
    "state.volunteer": ("担い手（ボランティア）", "volunteer"),
    "map.venue": ("居場所（通いの場・サロン等）", "Venue"),
    "map.agency": ("相談窓口", "Counter"),
    "map.npo": ("NPO・団体", "NPO / group"),
    "map.district": ("地区 {n}", "District {n}"),
    "preset.now": ("現状のまま20年", "20 years as things are"),
    "preset.outreach": ("アウトリーチを今すぐ", "Outreach from now"),
    "preset.jusou": ("重層的支援をフルで", "Full multi-layered support"),
    # The live page's words for a room (plain names; labels that follow the state).
    "preset.help": (
        "押した時点から20年（{year}年{month}月まで）進めて止まります",
        "Plays 20 years from the click (to {month:02d}/{year}), then stops",
    ),
    "live.stops_at": ("{year}年{month}月で止まります", "Stops at {month:02d}/{year}"),
    "live.target": ("施策を入れる未来", "Future to start it in"),
    "live.intensity": ("規模　{unit}：{value}", "Size, {unit}: {value}"),
    "live.intensity.help": (
        "初期値は実際の事業の規模（{default}）",
        "The default is a real programme's size ({default})",
    ),
    "live.change": ("規模を変える", "Change its size"),
    "live.policies.show": ("施策を選ぶ", "Choose policies"),
    "live.policies.hide": ("施策の欄を閉じる", "Hide the policies"),
    "live.town_a": ("この町（このまま）", "The town (as is)"),
    "live.town_a.with": ("この町（{what}）", "The town ({what})"),
    "live.future_a.plain": ("未来A（このまま）", "Future A (as is)"),
    "live.future_a.with": ("未来A（{what}）", "Future A ({what})"),
    "live.future_b.none": ("未来B（まだ施策なし）", "Future B (no policy yet)"),
    "live.future_b.with": ("未来B（{what}）", "Future B ({what})"),
    "live.with_one": ("＋{name}", "+ {name}"),
    "live.with_many": ("施策{n}つ", "{n} policies"),
    "live.sample": (
        "点は住民{n}人の抽出（町の人口{total}人）",
        "Dots: a sample of {n} residents (of {total} living in the town)",
    ),
    "live.follow": ("見るだけ（投影を映す）", "Watch only (mirror the projector)"),
    "live.follow.help": (
        "このタブは操作せず、もう一つのタブ（プロジェクター）と同じ町を映します",
        "This tab does not steer: it shows the same town as the other tab (the projector)",
    ),
    "live.control": ("操作する", "Steer"),
    "live.following": ("見るだけのモード", "Watching only"),
    "live.stopped_idle": (
        "どのタブにも表示されていなかったので町を止めました",
        "The town was stopped: no tab showed it",
    ),
    "live.note": (
        "分岐から5年（{year}年{month}月）：支援につながっていない人は未来Bが未来Aより"
        "{people}人（人口比{points}ポイント）。同じ乱数で進めた2つの未来の差で、1回の試行です。",
        "5 years after the fork ({month:02d}/{year}): people with unmet need, B − A ="
        " {people} ({points} points of the residents). Both futures share every random draw;"
        " this is one run, not an average.",
    ),
    "live.note.wait": (
        "分岐から5年たつと、2つの未来の差（支援につながっていない人）をここに示します",
        "5 years after the fork, the difference in unmet need between the futures shows here",
    ),
    "live.marker.fork": ("分岐", "fork"),
    "live.marker.start": ("{name}開始", "{name} starts"),
    "map.reached": ("今月アウトリーチが訪ねた人（全員）", "Visited by outreach this month (all)"),
    "map.changed": ("前の画面から状態が変わった人", "Changed state since the last frame"),
    "map.opened": ("前の画面から開いた居場所", "Venue opened since the last frame"),
    "map.closed": ("前の画面から閉じた居場所", "Venue closed since the last frame"),
    "comp.outreach": (
        "アウトリーチ（訪ねて見つけ、寄り添う）",
        "Outreach: visiting and staying with people",
    ),
    "comp.outreach.short": ("アウトリーチ", "outreach"),
    "comp.outreach.unit": ("訪問する専門職（人）", "outreach workers"),
    "comp.one_stop": ("どんな相談も受け止める一つの窓口", "One counter for any worry"),
    "comp.one_stop.short": ("ひとつの窓口", "one counter"),
    "comp.one_stop.unit": ("窓口をつなぐ職員（人）", "staff joining up the counters"),
    "comp.multi_agency": ("関係機関がチームで支える会議", "Agencies supporting as one team"),
    "comp.multi_agency.short": ("チーム支援会議", "team meetings"),
    "comp.multi_agency.unit": ("まとめ役（人）", "coordinators"),
    "comp.participation": (
        "相談から居場所・役割へつなぐ",
        "From a consultation to a place and a role",
    ),
    "comp.participation.short": ("参加の支援", "participation"),
    "comp.participation.unit": ("つなぐ担当（人）", "link workers"),
    "comp.community_building": ("地域の居場所づくりを応援", "Helping neighbourhoods build places"),
    "comp.community_building.short": ("居場所づくり", "place-building"),
    "comp.community_building.unit": ("コーディネーター（人）", "coordinators"),
    "comp.platform": ("分野を超えて出会う場", "Meetings across fields"),
    "comp.platform.short": ("出会いの場", "meetings"),
    "comp.platform.unit": ("年に開く回数（回）", "gatherings a year"),
    "comp.cafe_agreement": ("まちのカフェと協定", "Agreements with local cafés"),
    "comp.cafe_agreement.short": ("カフェ協定", "cafés"),
    "comp.cafe_agreement.unit": ("協定するカフェ（店）", "partner cafés"),
    "comp.funding": ("NPOに活動資金を回す", "Money for local NPOs"),
    "comp.funding.short": ("NPO資金", "NPO money"),
    "comp.funding.unit": ("年間の資金（万円）", "a year (10,000 yen)"),
    # ---- about -------------------------------------------------------------------------
    "about.title": ("モデルについて", "About the model"),
    "about.contents": ("モデルの内容", "What the model contains"),
    "about.metrics": ("出力指標", "Outputs"),
    "about.parameters": ("パラメータ（単位と出典）", "Parameters (unit and source)"),
    "about.town": ("町のプロファイル", "Town profile"),
    "about.assumptions": ("主な仮定", "Main assumptions"),
    "about.sources": ("出典", "Sources"),
    "about.interventions": ("施策（介入）", "Policy components"),
    "about.odd_missing": (
        "ODD 記述（docs/ODD.md）はまだありません。以下は指標とパラメータの一覧です。",
        "The ODD description (docs/ODD.md) is not written yet;"
        " below are the outputs and parameters.",
    ),
    "about.odd": (
        "モデルの詳しい記述（英語）を開く",
        "Open the full description of the model (ODD protocol)",
    ),
    "unitname.people": ("人", "people"),
    "unitname.share": ("割合", "share"),
    "unitname.yen": ("円", "yen"),
    "unitname.months": ("月", "months"),
    "unitname.count": ("件", "count"),
    "unitname.ratio": ("比", "ratio"),
    "unitname.hours": ("時間", "hours"),
    "unitname.households": ("世帯", "households"),
    "col.name": ("名前", "Name"),
    "col.label": ("表示名", "Label"),
    "col.unit": ("単位", "Unit"),
    "col.value": ("値", "Value"),
    "col.source": ("出典", "Source"),
    "col.allowed": ("許容範囲", "Allowed"),
    "col.help": ("説明", "Help"),
    "col.parameter": ("パラメータ", "Parameter"),
    "col.key": ("キー", "Key"),
    "col.title": ("題名", "Title"),
    "col.publisher": ("発行者", "Publisher"),
    "col.year": ("年", "Year"),
    # ---- payers and units --------------------------------------------------------------
    "payer.cost_national": ("国", "National government"),
    "payer.cost_prefecture": ("都道府県", "Prefecture"),
    "payer.cost_municipality": ("市町村", "Municipality"),
    "payer.cost_insurance": ("保険料", "Insurance premiums"),
    "payer.cost_private": ("寄附・民間", "Donors and private funds"),
    "payer.cost_other": ("その他", "Other"),
    "payer.cost_total": ("合計", "Total"),
    "unit.man_yen": ("万円", "10,000 yen"),
    "unit.man_yen_year": ("万円/年", "×10,000 yen/yr"),
    "unit.oku_yen": ("億円", "×100 M yen"),
    "unit.man_yen_person": ("万円/人", "×10,000 yen/person"),
    "unit.points": ("ポイント", "pt"),
    "axis.year": ("開始からの年数", "Years from the start"),
    "axis.calendar_year": ("年", "Year"),
    "axis.month": ("月", "Month"),
    "axis.year_n": ("{n}年目", "year {n}"),
    "prov.code_version": ("Kyosei の版", "Kyosei version"),
    "prov.git_commit": ("コードの版（コミット）", "Code commit"),
    "prov.created": ("作成日時", "Created"),
    "prov.identity": ("実験の識別子", "Experiment identity"),
    "prov.root_seed": ("乱数の元", "Root seed"),
    "prov.replications": ("反復回数", "Replicates"),
    "prov.set": ("結果セット", "Results set"),
    # ---- brief -------------------------------------------------------------------------
    "brief.title": ("政策ブリーフ：{town}", "Policy brief: {town}"),
    "brief.made": ("作成 {date}・Kyosei ", "Made {date} · Kyosei "),
    "brief.question": (
        "{start}年から{end}年までの{years}年間、{packages} を比べると何が起きるか。",
        "What happens from {start} to {end} ({years} years) under {packages}?",
    ),
    "brief.method": (
        "各パッケージを {reps} 回（共通乱数）実行。"
        "中央値と10〜90%の幅、差は対にした平均と90%区間。",
        "Each package was run {reps} times with common random numbers; medians with 10–90 % bands; "
        "differences are paired means with 90 % intervals.",
    ),
    "brief.assumptions": ("前提と限界", "Assumptions and limits"),
    "brief.assumption.1": (
        "モデルは合成人口による試算であり、予測ではありません。",
        "The model is a what-if tool on a synthetic population, not a forecast.",
    ),
    "brief.assumption.2": (
        "費用は、今ある相談窓口・民生委員の活動費・居場所への助成（基準の費用）と施策の追加分の合計"
        "（介護・障害などの給付そのものは含まない）。",
        "Costs are today's counters, 民生委員 allowances and venue grants (the baseline) plus"
        " what the policies add (care and disability benefits themselves are not counted).",
    ),
    "brief.assumption.3": (
        "パラメータの出典は「パラメータ」表（[キー] は「出典」表とリポジトリ内の出典一覧）、"
        "仮定と記したものは検証前の仮定です。",
        "Parameter sources are in the parameter table ([key] as in the source list and"
        " docs/sources.md); those marked assumption are not yet validated.",
    ),
    "brief.sources": ("出典", "Sources"),
    "brief.provenance": ("再現情報", "Provenance"),
}


# Inputs of the shipped sweeps and the demo's design, by name (other paths are shown as
# written: they are what a researcher types in an experiment file).
PARAM_LABELS: dict[str, tuple[str, str]] = {
    "demography.tfr": ("合計特殊出生率", "Total fertility rate"),
    "demography.in_rate": ("転入率（1人・年あたり）", "In-migration rate (per person-year)"),
    "demography.out_scale": ("転出率の倍率", "Out-migration multiplier"),
    "demography.partner_rate": ("結婚・同居の率", "Partnering rate"),
    "demography.leave_home_rate": ("親元を離れる率", "Leaving-home rate"),
}


def param_label(path: str, lang: str | None = None) -> str:
    """An input parameter's name in ``lang``: a short label, else the model's own help text.

    A policy setting (``policy.outreach.intensity``) is named by its component; a path
    the model does not declare is shown as typed.
    """
    pair = PARAM_LABELS.get(path) or _declared_labels().get(path)
    if pair is None or not pair[0 if (lang or state.lang.value) == "ja" else 1]:
        return path
    return pair[0] if (lang or state.lang.value) == "ja" else pair[1]


@functools.lru_cache(maxsize=1)
def _declared_labels() -> dict[str, tuple[str, str]]:
    """Parameter path → (help_ja, help_en) as the model declares them, and policy settings."""
    from model.interventions import REGISTRY
    from model.parameters import describe
    from model.scenario import Params

    out = {
        str(r["parameter"]): (str(r.get("help_ja") or ""), str(r.get("help_en") or ""))
        for r in describe(Params())
    }
    for kind, c in REGISTRY.items():
        out[f"policy.{kind}.intensity"] = (f"{c.label_ja}の規模", f"{c.label_en}: size")
        out[f"policy.{kind}.start_month"] = (f"{c.label_ja}の開始月", f"{c.label_en}: start month")
        out[f"policy.{kind}.enabled"] = (f"{c.label_ja}の有無", f"{c.label_en}: on/off")
    return out


def tr(key: str, lang: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` with ``{placeholders}`` filled; the key if unknown."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "ja" else pair[1]
    return text.format(**values) if values else text


def t(key: str, **values: object) -> str:
    """The text of ``key`` in the session's language."""
    return tr(key, state.lang.value, **values)


def unit_label(unit: str, lang: str | None = None) -> str:
    """A declared parameter unit in ``lang`` (see :mod:`dashboards.units`)."""
    from model.units import unit_text

    return unit_text(unit, lang or state.lang.value)


def metric_label(name: str, lang: str | None = None) -> str:
    """A metric's label from the model's catalogue; unknown names are shown readably."""
    lang = lang or state.lang.value
    m = METRICS.get(name) or DISTRICT_METRICS.get(name)
    if m is None:
        pair = TEXT.get(f"payer.{name}")
        return tr(f"payer.{name}", lang) if pair else name.replace("_", " ")
    return m.ja if lang == "ja" else m.en


def metric_help(name: str, lang: str | None = None) -> str:
    """A metric's help text (empty when the catalogue has none)."""
    lang = lang or state.lang.value
    m = METRICS.get(name)
    if m is None:
        return ""
    return (m.help_ja if lang == "ja" else m.help_en) or ""


def better_text(name: str, lang: str | None = None) -> str:
    """Which way is better for ``name`` (``低いほど良い`` / ``lower is better``), or ``""``."""
    m = METRICS.get(name)
    if m is None or m.better not in ("lower", "higher"):
        return ""
    return tr(f"better.{m.better}", lang or state.lang.value)


def metric_unit(name: str) -> str:
    """The metric's unit (``people``, ``share``, ``yen``, …), ``""`` if unknown."""
    m = METRICS.get(name) or DISTRICT_METRICS.get(name)
    return m.unit if m is not None else ""


# Money is shown one way everywhere: flows in 万円/年, totals over the horizon in 億円,
# amounts per person in 万円. The model records monthly yen; these convert.
YEN_MAN = 1e4
YEN_OKU = 1e8
_YEN_STOCK = ("cost_cumulative",)


def yen_kind(name: str) -> str:
    """``flow`` (a monthly cost), ``stock`` (a running total), ``per`` (per person) or ``""``."""
    if metric_unit(name) != "yen" and not name.startswith("cost_"):
        return ""
    if name in _YEN_STOCK:
        return "stock"
    if name.startswith("cost_per_"):
        return "per"
    return "flow"


def display_scale(name: str, lang: str | None = None) -> tuple[float, str]:
    """(factor, unit) that turn a metric's recorded value into the shown one.

    Monthly costs become 万円/年 (× 12 ÷ 10,000), running totals 億円, amounts per
    person 万円; other metrics are shown as recorded (factor 1, no unit).
    """
    lang = lang or state.lang.value
    kind = yen_kind(name)
    if kind == "flow":
        return 12 / YEN_MAN, tr("unit.man_yen_year", lang)
    if kind == "stock":
        return 1 / YEN_OKU, tr("unit.oku_yen", lang)
    if kind == "per":
        return 1 / YEN_MAN, tr("unit.man_yen_person", lang)
    return 1.0, ""


def man_yen_year(yen_per_year: float, lang: str | None = None) -> str:
    """A yearly amount in 万円/年 (``1,234 万円/年``)."""
    if yen_per_year != yen_per_year:
        return "—"
    return f"{yen_per_year / YEN_MAN:,.0f} {tr('unit.man_yen_year', lang or state.lang.value)}"


def oku_yen(yen: float, lang: str | None = None, signed: bool = False) -> str:
    """A total in 億円 with two decimals (``2.77 億円``; signed: ``+0.41 億円``)."""
    if yen != yen:
        return "—"
    text = f"{abs(yen) / YEN_OKU:,.2f}" if signed else f"{yen / YEN_OKU:,.2f}"
    if signed:
        text = ("+" if yen > 0 else "−" if yen < 0 else "±") + text
    return f"{text} {tr('unit.oku_yen', lang or state.lang.value)}"


def format_value(name: str, value: float, lang: str | None = None) -> str:
    """A value as shown in tables: shares in %, money in 万円/年 · 億円 · 万円/人."""
    if value != value:
        return "—"
    factor, unit = display_scale(name, lang)
    if unit:
        v = value * factor
        return f"{v:,.2f} {unit}" if yen_kind(name) == "stock" else f"{v:,.0f} {unit}"
    m = METRICS.get(name) or DISTRICT_METRICS.get(name)
    if m is None:
        return f"{value:,.3g}"
    return m.format(value)


def format_delta(name: str, value: float, lang: str | None = None) -> str:
    """A signed difference: shares in percentage points, money as :func:`format_value`."""
    if value != value:
        return "—"
    lang = lang or state.lang.value
    unit = metric_unit(name)
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    v = abs(value)
    if unit == "share":
        return f"{sign}{v * 100:.2f} {tr('unit.points', lang)}"
    factor, money = display_scale(name, lang)
    if money:
        digits = 2 if yen_kind(name) == "stock" else 0
        return f"{sign}{v * factor:,.{digits}f} {money}"
    if v >= 100:
        return f"{sign}{v:,.0f}"
    return f"{sign}{v:.3g}"


def missing_keys(lang: str) -> list[str]:
    """Keys without text in ``lang`` (a test checks this is empty)."""
    index = 0 if lang == "ja" else 1
    return [k for k, pair in TEXT.items() if not pair[index].strip()]
