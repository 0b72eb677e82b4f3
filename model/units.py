"""Parameter units in Japanese and English: one mapping keyed by the unit string the model declares.

The model declares each parameter's unit (and each policy component's intensity unit) in
English, as its authors wrote it. The dashboard (About, 私の町) and ``kyosei scenarios
show`` show it through :func:`unit_text`: in Japanese the Japanese form from
:data:`UNITS`, in English the English form (the declared text, or a form without Japanese
words where the declared one carries them). A test (``tests/test_units.py``) checks that
every declared unit has a Japanese form; a unit added later without one is shown as
:data:`UNTRANSLATED` in Japanese — never in English.
"""

from __future__ import annotations

#: Declared unit → (Japanese, English). English "" means the declared text itself.
UNITS: dict[str, tuple[str, str]] = {
    "": ("", ""),
    # ---- parameters -------------------------------------------------------------------
    "persons": ("人", ""),
    "households": ("世帯", ""),
    "daily-life areas": ("日常生活圏域の数", ""),
    "km²": ("km²", ""),
    "residents of an open top age band at each year of age, relative to the year before": (
        "年齢表の最後の開いた階級で、1歳上の人数が1歳下の人数に対して占める割合",
        "",
    ),
    "spread of a home around its site, as a share of the distance between sites": (
        "候補地のまわりの住まいのばらつき（候補地の間隔に対する割合）",
        "",
    ),
    "calendar year": ("西暦年", ""),
    "calendar month (1-12)": ("月（1〜12）", ""),
    "%/yr, mean over change_target_years": ("%／年（目標年数の平均）", ""),
    "years (0 = no target: migration as the profile gives it)": (
        "年（0＝目標なし：人口移動は設定のまま）",
        "",
    ),
    "relative weight per 5-year band, 0-4..95-99": ("5歳階級ごとの相対値（0〜4歳…95〜99歳）", ""),
    "CSV of residents by age band and sex (住民基本台帳 / e-Stat layout, see docs/age-tables.md); a relative path is read from the profile's folder; empty: age_weights_*": (  # noqa: E501
        "年齢階級・男女別人口のCSV（住民基本台帳・e-Statの様式）。相対パスは設定ファイルのフォルダから読みます。空欄なら年齢別の相対値を使います",
        "",
    ),
    "share of men 65+": ("65歳以上男性に占める割合", ""),
    "share of women 65+": ("65歳以上女性に占める割合", ""),
    "share of families with children": ("子どものいる世帯に占める割合", ""),
    "probability an independent adult's parents live in town": (
        "独立した成人の親が町内に住む確率",
        "",
    ),
    "relative population per district (empty = equal)": (
        "地区ごとの人口の相対値（空欄＝均等）",
        "",
    ),
    "/yr at birth": ("／年（出生時）", ""),
    "years an arriving family's first adult is older than its children, at least": (
        "転入する家族の最初の大人と子どもの年齢差（年、最小）",
        "",
    ),
    "age (years) below which the children of an arriving family are": (
        "転入する家族の子どもの年齢（この年齢未満、年）",
        "",
    ),
    "/yr": ("／年", ""),
    "/yr at age 0": ("／年（0歳）", ""),
    "/yr of age": ("／年齢1歳あたり", ""),
    "calendar years of the life-expectancy path points": ("平均寿命の推移を定める西暦年", ""),
    "years at birth, men, at e0_path_years (the gain over the first point is applied)": (
        "男性の出生時平均余命（年、各時点。最初の時点からの伸びを適用）",
        "",
    ),
    "years at birth, women, at e0_path_years (the gain over the first point is applied)": (
        "女性の出生時平均余命（年、各時点。最初の時点からの伸びを適用）",
        "",
    ),
    "births per woman in tfr_path_years[0]": ("女性1人あたりの出生数（最初の時点）", ""),
    "calendar years of the fertility path points": ("出生率の推移を定める西暦年", ""),
    "national TFR at tfr_path_years; the town's TFR is tfr × path / path[0]": (
        "各時点の全国の合計特殊出生率（町の値は町の出生率×推移÷最初の値）",
        "",
    ),
    "share of lifetime births per band 15-19..45-49": (
        "生涯の出生に占める割合（15〜19歳…45〜49歳）",
        "",
    ),
    "births to unpartnered women / all births": ("パートナーのいない女性の出生÷全出生", ""),
    "share of births": ("出生に占める割合", ""),
    "exchange moves out per person-year, bands 0,15,18,25,35,50,65,75+ (each replaced by newcomers of the same make-up: no net effect)": (  # noqa: E501
        "入れ替わりの転出（1人・年あたり、0・15・18・25・35・50・65・75歳以上の階級。同じ構成の転入で置き換わり、純増減なし）",
        "",
    ),
    "multiplier on out_rate (turnover between municipalities)": (
        "入れ替わり転出率への倍率（市町村間の移動の多さ）",
        "",
    ),
    "net moves out per person-year, bands 0-14,15-17,18-24,25-39,40-64,65-74,75+ (scaled to the profile's annual_change_target when change_target_years > 0)": (  # noqa: E501
        "純転出（1人・年あたり、0〜14・15〜17・18〜24・25〜39・40〜64・65〜74・75歳以上。目標年数が0より大きいときは人口増減率の目標に合わせて調整）",
        "",
    ),
    "returners aged 25-39 per net leaver (arriving the same month)": (
        "純転出者1人あたりのUターン者（25〜39歳、同じ月に転入）",
        "",
    ),
    "further net in-migrants per resident-year, arriving as in_unit_shares units": (
        "追加の純転入（住民1人・年あたり、転入単位の構成で到着）",
        "",
    ),
    "foreigners' net entries to Japan per year (held constant after 2040)": (
        "外国人の日本への年間純入国数（2040年以降は一定）",
        "",
    ),
    "persons (divides the national flow into a rate per resident)": (
        "人（全国の流れを住民1人あたりの率にする分母）",
        "",
    ),
    "town's foreign net entries per resident relative to the national rate": (
        "住民1人あたりの外国人純転入の全国比",
        "",
    ),
    "share of arriving foreign units: single 18-24, 25-34, family, 35-64, 65+": (
        "外国人転入単位の構成比（単身18〜24歳・25〜34歳、家族、35〜64歳、65歳以上）",
        "",
    ),
    "share of returning units: single 18-24, 25-34, family, 35-64, 65+": (
        "Uターン単位の構成比（単身18〜24歳・25〜34歳、家族、35〜64歳、65歳以上）",
        "",
    ),
    "share of arriving units: single 18-24, 25-34 (15 % couples), family, 35-64, 65+": (
        "転入単位の構成比（単身18〜24歳・25〜34歳（15％は夫婦）、家族、35〜64歳、65歳以上）",
        "",
    ),
    "per year, adults 18-34 living with parents (besides leaving to partner)": (
        "／年（親と同居する18〜34歳、結婚による離家を除く）",
        "",
    ),
    "per year, elderly 65+ living alone with a child's household in town": (
        "／年（町内に子の世帯がある65歳以上の一人暮らし）",
        "",
    ),
    "per year, elderly living alone aged 75-84, 85+": (
        "／年（一人暮らしの75〜84歳・85歳以上）",
        "",
    ),
    "per year, never-married 22-44 living alone or with parents": (
        "／年（一人暮らしまたは親と同居の未婚22〜44歳）",
        "",
    ),
    "share employed, bands 15,20,60,65,70,75+": (
        "就業している割合（15・20・60・65・70・75歳以上の階級）",
        "",
    ),
    "onsets per person-year at 65": ("65歳での発生数（1人・年あたり）", ""),
    "per year of age (log scale)": ("年齢1歳あたり（対数）", ""),
    "multiplier for women": ("女性への倍率", ""),
    "onsets per person-year, ages 0,18,40,65,75+": (
        "発生数（1人・年あたり、0・18・40・65・75歳以上）",
        "",
    ),
    "per year, under 65, unsupported": ("／年（65歳未満、支援なし）", ""),
    "per parent-year with a child under 12": ("12歳未満の子のいる親1人・年あたり", ""),
    "share of births bringing a need to the mother": ("母親に支援ニーズが生じる出生の割合", ""),
    "onsets per person-year, ages 18,30,50,65+": (
        "発生数（1人・年あたり、18・30・50・65歳以上）",
        "",
    ),
    "multiplier, adults 20-64 out of work": ("倍率（仕事のない20〜64歳）", ""),
    "multiplier, single parents": ("倍率（ひとり親）", ""),
    "multiplier, 65+ living alone": ("倍率（一人暮らしの65歳以上）", ""),
    "per month while unmet, by field": ("／月（未支援の間、分野別）", ""),
    "multiplier on escalation while supported": ("支援中の重度化への倍率", ""),
    "multiplier on escalation for isolated residents": ("孤立した住民の重度化への倍率", ""),
    "multiplier on escalation for venue regulars": ("居場所の常連の重度化への倍率", ""),
    "per month while supported, by field": ("／月（支援中、分野別）", ""),
    "per month, hardship on public assistance": ("／月（生活保護を受ける生活困窮）", ""),
    "per month at mild severity, unsupported, by field": ("／月（軽度・支援なし、分野別）", ""),
    "share of supported hardship that is public assistance, <65 and 65+": (
        "支援中の生活困窮のうち生活保護の割合（65歳未満・65歳以上）",
        "",
    ),
    "share of residents on public assistance at the start": (
        "開始時に生活保護を受ける住民の割合",
        "",
    ),
    "per month at top severity while unmet": ("／月（最重度・未支援の間）", ""),
    "share of crises ending in death, by field": ("危機のうち死亡に至る割合（分野別）", ""),
    "share of crises that bring the person to a counter": (
        "危機のうち本人が窓口に来るきっかけになる割合",
        "",
    ),
    "per person-year, ages 15-64": ("1人・年あたり（15〜64歳）", ""),
    "per year, unsupported": ("／年（支援なし）", ""),
    "per year, with support": ("／年（支援あり）", ""),
    "staff per 20,000 residents: care, disability, child, hardship": (
        "住民2万人あたりの職員数（高齢・障害・子ども・生活困窮）",
        "",
    ),
    "new cases assessed per worker-month": ("職員1人・月あたりの新規受付件数", ""),
    "ongoing cases a worker can carry, by field": ("職員1人が担当できる継続ケース数（分野別）", ""),
    "per month, by need (care … hardship, withdrawal)": (
        "／月（ニーズ別：高齢…生活困窮、ひきこもり）",
        "",
    ),
    "multiplier by severity 1-3": ("重さ1〜3ごとの倍率", ""),
    "extra share of residents who never go to a counter themselves, for any reason": (
        "理由を問わず自分からは窓口に行かない住民の追加割合",
        "",
    ),
    "multiplier on help-seeking capacity of people 65+ in the moderate or heavy care band (the model's stand-in for dementia)": (  # noqa: E501
        "要介護度が中・重の65歳以上の相談する力への倍率（モデルでの認知症の代わり）",
        "",
    ),
    "multiplier on help-seeking capacity of a withdrawn person (any need)": (
        "ひきこもりの人の相談する力への倍率（ニーズを問わず）",
        "",
    ),
    "multiplier on help-seeking capacity of a person with no ties": (
        "つながりのない人の相談する力への倍率",
        "",
    ),
    "added share of help-seeking for residents with ties": (
        "つながりのある住民の相談の追加割合",
        "",
    ),
    "multiplier on help-seeking per earlier drop-out": ("過去の中断1回ごとの相談への倍率", ""),
    "share giving up on each referral (たらい回し)": (
        "紹介（たらい回し）のたびにあきらめる割合",
        "",
    ),
    "months a referral takes": ("紹介にかかる月数", ""),
    "per month in a queue": ("／月（順番待ちの間）", ""),
    "chance a person raises their other unmet needs too, not only the main one": (
        "主な困りごと以外の未支援ニーズも相談する確率",
        "",
    ),
    "chance a siloed counter notices a need the person did not raise": (
        "縦割りの窓口が本人の言わないニーズに気づく確率",
        "",
    ),
    "chance a siloed counter looks at the rest of the household": (
        "縦割りの窓口が世帯のほかの人にも目を向ける確率",
        "",
    ),
    "chance the siloed hardship counter takes on a withdrawal case": (
        "縦割りの生活困窮窓口がひきこもりのケースを受ける確率",
        "",
    ),
    "chance a one-stop counter notices another field's need": (
        "ワンストップ窓口がほかの分野のニーズに気づく確率",
        "",
    ),
    "chance a joint plan looks at the whole household": ("合同の支援計画が世帯全体を見る確率", ""),
    "multiplier on improvement for cases with a joint plan": (
        "合同の支援計画のあるケースの改善への倍率",
        "",
    ),
    "per month, ages 0,18,40,65,80+": ("／月（0・18・40・65・80歳以上）", ""),
    "per tie per month": ("つながり1本・月あたり", ""),
    "%/yr change in neighbour-tie formation": ("近所づきあいのできやすさの変化（%／年）", ""),
    "multiplier on neighbour ties in the first 3 years": ("転入後3年間の近所づきあいへの倍率", ""),
    "per month in work": ("／月（就業中）", ""),
    "per tie per month, in work / not in work": ("つながり1本・月あたり（就業中／非就業）", ""),
    "per month attending a venue or in a group": ("／月（居場所や団体に参加中）", ""),
    "per tie per month, still taking part / not": (
        "つながり1本・月あたり（参加を続けている／いない）",
        "",
    ),
    "per month, people with needs in issue groups or venues": (
        "／月（当事者の会や居場所にいる支援ニーズのある人）",
        "",
    ),
    "share of newcomers who move to be near family": ("家族の近くに住むために転入する人の割合", ""),
    "share of families in regular contact with kin in town": (
        "町内の親族と日常的に行き来する世帯の割合",
        "",
    ),
    "%/yr change in kin contact": ("親族との行き来の変化（%／年）", ""),
    "share lonely often/always among people with no one to consult (the balance of becoming and ceasing to be lonely while isolated)": (  # noqa: E501
        "相談相手のいない人のうち孤独感が「しばしば・常に」の割合（孤立中に孤独になる・抜け出すの釣り合い）",
        "",
    ),
    "share lonely often/always among the others (balance while connected)": (
        "それ以外の人のうち孤独感が「しばしば・常に」の割合（つながりのある間の釣り合い）",
        "",
    ),
    "months a spell of loneliness lasts on average": ("孤独感が続く平均の月数", ""),
    "venues per 100k residents: salon, kayoi, kodomo, cafe, hub": (
        "住民10万人あたりの居場所の数（サロン・通いの場・子ども食堂・カフェ・多世代交流拠点）",
        "",
    ),
    "regular attendees": ("常連の参加者数", ""),
    "volunteers": ("ボランティアの人数", ""),
    "per month, eligible residents considering a venue of each kind": (
        "／月（各種の居場所を検討する対象住民）",
        "",
    ),
    "multiplier for women (salon, kayoi)": ("女性への倍率（サロン・通いの場）", ""),
    "multiplier for 75+ (salon, kayoi)": ("75歳以上への倍率（サロン・通いの場）", ""),
    "multiplier for isolated residents": ("孤立した住民への倍率", ""),
    "per month": ("／月", ""),
    "per year, venues that stop for other reasons (the organiser retires, ...)": (
        "／年（ほかの理由で終わる居場所：世話役の引退など）",
        "",
    ),
    "km at which the pull of a venue falls to 1/e": (
        "居場所の引きつける力が1/eになる距離（km）",
        "",
    ),
    "months unstaffed before a venue closes": ("担い手不足が続いて居場所が閉じるまでの月数", ""),
    "per month, chance staff notice a regular's hidden need (staffed venue)": (
        "／月（職員のいる居場所で常連の隠れたニーズに気づく確率）",
        "",
    ),
    "new venues per 100k residents per year, by kind": (
        "住民10万人・年あたりの新しい居場所の数（種類別）",
        "",
    ),
    "share of venues run by NPOs (rest: resident groups, 社協)": (
        "NPOが運営する居場所の割合（残りは住民団体・社協）",
        "",
    ),
    "joins per person-year, ages 10,20,40,60,65,80+": (
        "参加（1人・年あたり、10・20・40・60・65・80歳以上）",
        "",
    ),
    "multiplier for men 65-79": ("65〜79歳の男性への倍率", ""),
    "added quit multiplier per unit of demand above supply": (
        "担い手の不足1単位あたりの活動をやめる倍率の追加",
        "",
    ),
    "multiplier at 80+": ("80歳以上での倍率", ""),
    "per month, chance a free volunteer is matched to a venue short of helpers": (
        "／月（手の空いたボランティアが担い手不足の居場所につながる確率）",
        "",
    ),
    "hours a volunteer gives per month": ("ボランティア1人の月あたりの活動時間", ""),
    "hours per month of help (見守り, 生活支援) for each older person living alone with a care need": (  # noqa: E501
        "介護ニーズのある一人暮らし高齢者1人あたりの月間の見守り・生活支援の時間",
        "",
    ),
    "households per post": ("民生委員1人あたりの世帯数", ""),
    "share of posts filled at the start": ("開始時の充足率", ""),
    "percentage points per year (the fill-rate path that recruitment follows)": (
        "ポイント／年（委嘱が追う充足率の推移）",
        "",
    ),
    "multiplier on the recruitment that keeps the fill-rate path": (
        "充足率の推移を保つ委嘱への倍率",
        "",
    ),
    "share reappointed at the end of a 3-year term (below 75)": (
        "3年の任期満了時に再任される割合（75歳未満）",
        "",
    ),
    "household visits per commissioner per month": ("委員1人・月あたりの世帯訪問数", ""),
    "age (years) from which care needs start": (
        "介護ニーズが生じ始める年齢（歳）",
        "",
    ),
    "multiplier on childcare_onset for single parents": (
        "ひとり親の子育て困難の発生率への倍率",
        "",
    ),
    "highest monthly chance of a new need (below 1/4: four fields share one draw)": (
        "新しいニーズが生じる月あたり確率の上限（4分野が1つの乱数を分け合うため1/4未満）",
        "",
    ),
    "share of the cumulative disability hazard still present at the start": (
        "開始時に残っている障害の累積発生の割合",
        "",
    ),
    "months a child-rearing and a hardship need last on average (the starting stock)": (
        "子育て・生活困窮ニーズの平均継続月数（開始時の人数）",
        "",
    ),
    "multiplier on the starting stock of hardship (besides public assistance)": (
        "開始時の生活困窮ニーズの人数への倍率（生活保護を除く）",
        "",
    ),
    "draw above which a starting need is moderate, and above which severe": (
        "開始時のニーズが中等度・重度となる乱数の区切り",
        "",
    ),
    "months back over which starting needs began": (
        "開始時のニーズが始まった過去の月数",
        "",
    ),
    "share of starting needs already known and supported, by field": (
        "開始時にすでに把握・支援されているニーズの割合（分野別）",
        "",
    ),
    "months since the hardship of starting public-assistance recipients began": (
        "開始時の生活保護受給者の困窮が始まってからの月数",
        "",
    ),
    "months back over which starting spells of withdrawal began": (
        "開始時のひきこもりが始まった過去の月数",
        "",
    ),
    "chance a visit notices a hidden need, by need": (
        "訪問で隠れたニーズに気づく確率（ニーズ別）",
        "",
    ),
    "relative visit weight of a household: an older person alone, with older people, with children under 6, other": (  # noqa: E501
        "世帯の訪問の重み（一人暮らし高齢者・高齢者のいる世帯・6歳未満の子のいる世帯・その他）",
        "",
    ),
    "age (years) from which volunteers are asked to serve as 民生委員": (
        "ボランティアが民生委員に推薦される年齢（この年齢以上、歳）",
        "",
    ),
    "age (years) below which commissioners are appointed and reappointed": (
        "民生委員が委嘱・再任される年齢（この年齢未満、歳）",
        "",
    ),
    "age (years) below which residents serve as 民生委員 at the start": (
        "開始時に民生委員を務める年齢（この年齢未満、歳）",
        "",
    ),
    "relative chance a volunteer rather than another resident serves at the start": (
        "開始時にボランティアが他の住民より民生委員に選ばれやすい倍率",
        "",
    ),
    "NPOs per 100k residents": ("住民10万人あたりのNPOの数", ""),
    "civic groups per 100k residents": ("住民10万人あたりの市民団体の数", ""),
    "joins per person-year, ages 15,40,60,80+": ("参加（1人・年あたり、15・40・60・80歳以上）", ""),
    "per year, NPOs and civic groups (a leader retires, the group stops)": (
        "／年（NPO・市民団体：代表の引退などで活動をやめる）",
        "",
    ),
    "share of joiners who join an NPO (rest: civic groups)": (
        "参加者のうちNPOに入る割合（残りは市民団体）",
        "",
    ),
    "members (people)": ("会員数（人）", ""),
    "months below minimum before dissolving": ("最低人数を下回ってから解散するまでの月数", ""),
    "yen per NPO per month": ("NPO1団体・月あたりの円", ""),
    "yen per member per month": ("会員1人・月あたりの円", ""),
    "yen per NPO per month (mean)": ("NPO1団体・月あたりの円（平均）", ""),
    "sd of the log of an NPO's donor base (mean 1): how unequal NPOs' donations are": (
        "NPOの寄附者基盤の対数の標準偏差（平均1）：寄附の偏りの大きさ",
        "",
    ),
    "yen per member per month (activities)": ("会員1人・月あたりの円（活動費）", ""),
    "months of costs an NPO keeps; more is spent on its activities": (
        "NPOが手元に残す費用の月数（超える分は活動に使う）",
        "",
    ),
    "yen per venue run per month": ("運営する居場所1か所・月あたりの円", ""),
    "new NPOs per 100k residents per year": ("住民10万人・年あたりの新しいNPOの数", ""),
    "new civic groups per 100k residents per year": (
        "住民10万人・年あたりの新しい市民団体の数",
        "",
    ),
    "share of a dissolved NPO's venues the 社協 takes over": (
        "解散したNPOの居場所のうち社協が引き継ぐ割合",
        "",
    ),
    "month (-1: no pandemic)": ("月（−1：感染症の流行なし）", ""),
    "months": ("月", ""),
    "share of NPOs heavily affected": ("大きな影響を受けるNPOの割合", ""),
    "lowest income multiplier of an affected NPO (each draws from here to 1)": (
        "影響を受けたNPOの収入の最低倍率（各団体はここから1の間で決まる）",
        "",
    ),
    "share of an NPO's activity costs still spent while a pandemic pauses activity": (
        "流行で活動が止まる間も支出されるNPOの活動費の割合",
        "",
    ),
    "months for an affected NPO's revenue to return to normal after a pandemic": (
        "流行の後、影響を受けたNPOの収入が戻るまでの月数",
        "",
    ),
    "share of the NPOs a pandemic folded that re-form during the recovery": (
        "流行で解散したNPOのうち回復期に再結成される割合",
        "",
    ),
    "multiplier on volunteers stopping": ("ボランティアが活動をやめることへの倍率", ""),
    "month (-1: no cut)": ("月（−1：削減なし）", ""),
    "multiplier on the distance people travel to venues": ("居場所までの移動距離への倍率", ""),
    "yen per worker-month (salary and overheads)": ("職員1人・月あたりの円（人件費と間接費）", ""),
    "yen per appointed 民生委員 a year (activity allowance)": (
        "委嘱された民生委員1人・年あたりの円（活動費）",
        "",
    ),
    "yen per open salon, 通いの場 or 子ども食堂 per month (today's small grants)": (
        "開いているサロン・通いの場・子ども食堂1か所・月あたりの円（今の少額補助）",
        "",
    ),
    "yen per subsidised venue per month": ("補助する居場所1か所・月あたりの円", ""),
    "yen to set up a multi-generation hub": ("多世代交流拠点1か所の開設費（円）", ""),
    "yen per platform gathering": ("プラットフォーム1回あたりの円", ""),
    "yen per partner café per month": ("連携カフェ1店・月あたりの円", ""),
    "shares by payer": ("負担者別の割合", ""),
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
    # ---- the starting population's and the rules' structure ----------------------------
    "relative chance of living alone at 65 at the start (it rises with age)": (
        "65歳で一人暮らしである相対的な見込み（開始時、年齢とともに上がる）",
        "",
    ),
    "years past 65 over which living alone keeps rising at the start": (
        "一人暮らしの見込みが上がり続ける65歳以降の年数（開始時、年）",
        "",
    ),
    "months by which a man is older than the woman he is matched with": (
        "夫婦で夫が妻より年上である月数（か月）",
        "",
    ),
    "years within which the children of one family are born (the start)": (
        "一つの家族の子どもが生まれる期間（開始時、年）",
        "",
    ),
    "shares of families with 1, 2, 3 children under 18 (the start; normalised)": (
        "18歳未満の子が1人・2人・3人の家族の割合（開始時、合計1に正規化）",
        "",
    ),
    "fewest years a mother is older than her eldest child (the start)": (
        "母親と第1子の年齢差の最小（開始時、年）",
        "",
    ),
    "years a mother is older than her eldest child: less than this (the start)": (
        "母親と第1子の年齢差の上限（この値未満、開始時、年）",
        "",
    ),
    "age (years) from which a woman may head a family as its mother (the start)": (
        "母親として家族を持ちうる下限年齢（開始時、歳）",
        "",
    ),
    "age (years) below which a woman may head a family as its mother (the start)": (
        "母親として家族を持ちうる上限年齢（この年齢未満、開始時、歳）",
        "",
    ),
    "age (years) from which unpartnered people may live with a child (the start)": (
        "配偶者のいない人が子と同居しうる下限年齢（開始時、歳）",
        "",
    ),
    "age (years) from which a wife's family may take in a widowed elder (the start)": (
        "妻の家族が配偶者を亡くした高齢者を引き取りうる年齢の下限（開始時、歳）",
        "",
    ),
    "age (years) from which singles may be paired to meet the household count": (
        "世帯数に合わせて単身者を組み合わせる下限年齢（歳）",
        "",
    ),
    "age (years) below which singles may be paired to meet the household count": (
        "世帯数に合わせて単身者を組み合わせる上限年齢（この年齢未満、歳）",
        "",
    ),
    "share of younger households that moved in within recent_months (the start)": (
        "若い世帯のうち最近転入した世帯の割合（開始時）",
        "",
    ),
    "age (years) of the oldest member below which a household may be recent": (
        "最近転入した世帯とみなす最年長者の年齢の上限（歳）",
        "",
    ),
    "months back within which the recent households moved in": (
        "最近転入した世帯の転入時期（何か月前までか）",
        "",
    ),
    "age (years) from which an independent adult may have parents in town (to 64)": (
        "町内に親がいうる独立した成人の下限年齢（64歳まで、歳）",
        "",
    ),
    "age (years) from which a household head may be an adult's parent in town": (
        "町内の成人の親となりうる世帯主の下限年齢（歳）",
        "",
    ),
    "months by which the age gap to parents in town varies (±)": (
        "町内の親との年齢差のばらつき（±か月）",
        "",
    ),
    "age (years) below which adult children leave the parental home (from 18)": (
        "成人した子が親元を離れる上限年齢（18歳から、この年齢未満、歳）",
        "",
    ),
    "share of young adults leaving home who stay in their district": (
        "親元を離れる若者のうち同じ地区にとどまる割合",
        "",
    ),
    "age (years) from which never-married residents partner": (
        "未婚の住民が結婚しうる下限年齢（歳）",
        "",
    ),
    "age (years) below which never-married residents partner": (
        "未婚の住民が結婚しうる上限年齢（この年齢未満、歳）",
        "",
    ),
    "years between children and the parents they move with (the projection's net migration of under-18s)": (  # noqa: E501
        "子どもと一緒に移動する親との年齢差（18歳未満の純移動、年）",
        "",
    ),
    "multiplier on giving up while waiting for residents someone brought (民生委員, venue, outreach, household) or with a joint plan": (  # noqa: E501
        "つなぎ役（民生委員・通いの場・アウトリーチ・家族）に連れられた人や合同支援計画のある人が待つ間にあきらめる率の倍率",
        "",
    ),
    "extra assessment cost (cases) per unmet need beyond the first, at a one-stop counter": (
        "断らない相談窓口で2つ目以降の未充足ニーズ1件ごとに増えるアセスメント負担（件）",
        "",
    ),
    "multiplier on dropping out of a referral with a joint plan": (
        "合同支援計画がある場合につなぎ先への紹介から脱落する率の倍率",
        "",
    ),
    "multiplier on dropping out of a referral for residents someone brought": (
        "つなぎ役に連れられた人がつなぎ先への紹介から脱落する率の倍率",
        "",
    ),
    "most drop-outs a resident's record counts (discouragement stops growing)": (
        "住民ごとに数える脱落回数の上限（あきらめの強まりが止まる回数）",
        "",
    ),
    "lowest personal capacity to seek help of those who do seek (each draws from here to 1)": (
        "相談する人の相談する力の下限（この値から1までで各人に割り当て）",
        "",
    ),
    "most kin ties a resident has with family living elsewhere in town": (
        "町内の別世帯の親族とのつながりの上限（本）",
        "",
    ),
    "months after arrival a resident counts as a newcomer (fewer neighbour ties gained)": (
        "転入後、新住民とみなされる月数（近所のつながりができにくい、か月）",
        "",
    ),
    "months since arrival within which residents at the start get an arrival's ties": (
        "開始時に転入者のつながりを与える転入後の月数（か月）",
        "",
    ),
    "mean work ties of a working newcomer": (
        "働いている転入者の職場のつながりの平均（本）",
        "",
    ),
    "mean neighbour ties of a newcomer": (
        "転入者の近所のつながりの平均（本）",
        "",
    ),
    "highest monthly chance of losing a tie (the sum of the loss rates is capped)": (
        "つながりを失う月あたり確率の上限（失う率の合計の上限）",
        "",
    ),
    "age (years) below which children go to a こども食堂": (
        "こども食堂に通う子どもの上限年齢（この年齢未満、歳）",
        "",
    ),
    "age (years) from which parents come along": (
        "一緒に来る親の下限年齢（歳）",
        "",
    ),
    "age (years) below which parents come along": (
        "一緒に来る親の上限年齢（この年齢未満、歳）",
        "",
    ),
    "age (years) from which older residents come (as guests or helpers)": (
        "参加する高齢の住民（客または手伝い）の下限年齢（歳）",
        "",
    ),
    "share of new venues the 社協 runs (the rest not run by NPOs: residents' groups)": (
        "新しい通いの場のうち社協が運営する割合（NPO以外の残りは住民グループ）",
        "",
    ),
    "multiplier on a subsidised venue stopping for other reasons": (
        "補助を受けた通いの場がほかの理由で休止する率の倍率",
        "",
    ),
    "multiplier on noticing a regular's hidden need at a venue short of helpers": (
        "担い手が足りない通いの場で常連の隠れたニーズに気づく率の倍率",
        "",
    ),
    "exponent on a uniform draw giving each resident's wish to 'do something' (0..1)": (
        "住民ごとの「何かしたい」気持ち（0〜1）を与える一様乱数の指数",
        "",
    ),
    "fewest months of base costs an NPO holds at the start (each draws from here to 12)": (
        "開始時にNPOが持つ基本経費の最少月数（ここから12か月までで割り当て）",
        "",
    ),
    "months of base costs a newly founded NPO starts with": (
        "新しく設立されたNPOが持つ基本経費の月数（か月）",
        "",
    ),
    "share of new groups and NPOs that bring people with the same needs together (課題縁)": (
        "新しいグループ・NPOのうち同じ課題をもつ人が集まるもの（課題縁）の割合",
        "",
    ),
    "wish to 'do something' (0..1) above which a resident may found a group or NPO": (
        "グループやNPOを立ち上げうる「何かしたい」気持ちの下限（0〜1）",
        "",
    ),
    "age (years) from which a resident may found a group or NPO": (
        "グループやNPOを立ち上げうる下限年齢（歳）",
        "",
    ),
}

#: A unit without a Japanese form, in Japanese mode (a test keeps this from happening).
UNTRANSLATED = "（単位は「モデル」ページの原文を参照）"


def unit_text(unit: str, lang: str) -> str:
    """``unit`` as shown in ``lang`` (Japanese from :data:`UNITS`; never English in ``ja``)."""
    pair = UNITS.get(unit)
    if lang == "ja":
        return pair[0] if pair else (UNTRANSLATED if unit else "")
    return (pair[1] if pair and pair[1] else unit) if unit else ""
