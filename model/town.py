"""The town profile and its map: size, age structure, households and districts.

A town is split into daily-life areas (日常生活圏域, about one junior-high-school
district each). Districts sit on a square map of the town's area: their centres are
spread by a few rounds of Lloyd relaxation and their borders are the Voronoi cells of
those centres, so distance matters (venue access, transport cuts) and the live view
has a map to draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .agetable import TOP_AGE, read_age_table, year_weights
from .parameters import param
from .streams import Streams, name_key

AGE_BANDS = 20  # 0-4, 5-9, ..., 95-99 (years)

# Japan, 2024: millions per five-year band. Shaped to the published aggregates
# (総務省統計局 人口推計 2024: 0-14 11.2 %, 65+ 29.3 %, 75+ 16.8 %); the band values
# themselves are a reconstruction within ±0.3 pt of those aggregates.
NATIONAL_MALE = (
    2.10,
    2.46,
    2.68,
    2.78,
    3.12,
    3.27,
    3.26,
    3.64,
    4.07,
    4.85,
    4.60,
    3.98,
    3.68,
    3.55,
    4.05,
    3.72,
    2.60,
    1.50,
    0.55,
    0.09,
)
NATIONAL_FEMALE = (
    2.00,
    2.34,
    2.55,
    2.64,
    2.98,
    3.13,
    3.13,
    3.52,
    3.96,
    4.73,
    4.52,
    3.96,
    3.74,
    3.72,
    4.45,
    4.40,
    3.50,
    2.60,
    1.45,
    0.45,
)
NATIONAL_SOURCE = "[stat-jinsui-2024] aggregates 0-14/65+/75+; band shape reconstructed"


@dataclass(frozen=True)
class TownParams:
    """Who lives in the town at the start, and how the town is laid out."""

    name: str = param(
        "town",
        unit="",
        source="profile name",
        ja="プロファイル名（英数字）",
        en="Profile name (used in file and folder names)",
    )
    label_ja: str = param(
        "町",
        unit="",
        source="profile label (Japanese)",
        ja="表示名（日本語）",
        en="Label shown in Japanese",
    )
    label_en: str = param(
        "Town",
        unit="",
        source="profile label (English)",
        ja="表示名（英語）",
        en="Label shown in English",
    )
    # Upper bounds: Japan's population (124 M). What fits one run is checked by budget.py.
    population: int = param(
        20_000,
        unit="persons",
        source="profile",
        lo=1,
        hi=130_000_000,
        ja="開始時の人口",
        en="Residents at the start",
    )
    households: int = param(
        8_700,
        unit="households",
        source="profile",
        lo=1,
        hi=130_000_000,
        ja="開始時の世帯数",
        en="Households at the start",
    )
    districts: int = param(
        1,
        unit="daily-life areas",
        source="profile",
        lo=1,
        hi=200,
        ja="日常生活圏域の数（地区）",
        en="Daily-life areas (districts) the town is divided into",
    )
    # Upper bound: larger than any Japanese prefecture but Hokkaido (83,424 km²); the
    # largest municipality, 高山市, is 2,178 km².
    area_km2: float = param(
        30.0, unit="km²", source="profile", lo=0.1, hi=100_000, ja="面積", en="Area of the town"
    )
    home_jitter: float = param(
        0.3,
        unit="spread of a home around its site, as a share of the distance between sites",
        source="assumption: homes scatter a little around the sites drawn for them",
        lo=0,
        hi=5,
        ja="住まいの位置のばらつき（候補地の間隔に対する割合）",
        en="How far homes scatter around their sites (share of the spacing of sites)",
    )
    start_year: int = param(
        2024,
        unit="calendar year",
        source="profile: the year of its starting population (shipped profiles: 2024 figures)",
        lo=1900,
        hi=2200,
        ja="開始年",
        en="Start year",
    )
    start_month: int = param(
        1,
        unit="calendar month (1-12)",
        source="profile: month of month 0",
        lo=1,
        hi=12,
        ja="開始月",
        en="Start month",
    )
    annual_change_target: float = param(
        -0.6,
        unit="%/yr, mean over change_target_years",
        source="profile target: its net out-migration is scaled to meet it (used only when "
        "change_target_years > 0)",
        lo=-20,
        hi=20,
        ja="年平均の人口増減率（目標）",
        en="Target annual change",
    )
    change_target_years: int = param(
        0,
        unit="years (0 = no target: migration as the profile gives it)",
        source="profile",
        lo=0,
        hi=100,
        ja="人口増減率の目標を満たす年数（0：目標なし）",
        en="Years over which the target annual change is met (0: no target)",
    )
    age_weights_male: tuple[float, ...] = param(
        NATIONAL_MALE,
        unit="relative weight per 5-year band, 0-4..95-99",
        source=NATIONAL_SOURCE,
        lo=0,
        length=AGE_BANDS,
        ja="男性の5歳階級別人口の相対値（0-4歳…95-99歳）",
        en="Men by 5-year age band, relative (0-4 … 95-99)",
    )
    age_weights_female: tuple[float, ...] = param(
        NATIONAL_FEMALE,
        unit="relative weight per 5-year band, 0-4..95-99",
        source=NATIONAL_SOURCE,
        lo=0,
        length=AGE_BANDS,
        ja="女性の5歳階級別人口の相対値（0-4歳…95-99歳）",
        en="Women by 5-year age band, relative (0-4 … 95-99)",
    )
    age_table: str = param(
        "",
        unit="CSV of residents by age band and sex (住民基本台帳 / e-Stat layout, see "
        "docs/age-tables.md); a relative path is read from the profile's folder; empty: "
        "age_weights_*",
        source="profile",
        ja="開始時の年齢別人口表（CSV、住民基本台帳・e-Statの形式）",
        en="Starting residents by age and sex (CSV, 住民基本台帳 / e-Stat layout)",
    )
    open_band_decay: float = param(
        0.8,
        unit="residents of an open top age band at each year of age, relative to the year before",
        source="assumption: an age table's last band (e.g. 100+) thins out fast with age",
        lo=0.01,
        hi=1,
        ja="年齢表の最後の階級（例：100歳以上）で1歳上がるごとに残る人の割合",
        en="How fast an age table's open top band (e.g. 100+) thins out per year of age",
    )
    alone_65_male: float = param(
        0.150,
        unit="share of men 65+",
        source="[cao-aging-whitepaper-2024] 2020: men 15.0 %",
        lo=0.0,
        hi=1.0,
        ja="65歳以上男性のうち一人暮らしの割合",
        en="Share of men 65+ living alone",
    )
    alone_65_female: float = param(
        0.221,
        unit="share of women 65+",
        source="[cao-aging-whitepaper-2024] 2020: women 22.1 %",
        lo=0.0,
        hi=1.0,
        ja="65歳以上女性のうち一人暮らしの割合",
        en="Share of women 65+ living alone",
    )
    single_parent_share: float = param(
        0.135,
        unit="share of families with children",
        source="derived from [mhlw-hitorioya-2021]: 1.344 M of 9.917 M households with children",
        lo=0.0,
        hi=1.0,
        ja="子のいる世帯のうちひとり親世帯の割合",
        en="Share of families with children headed by a single parent",
    )
    kin_in_town: float = param(
        0.5,
        unit="probability an independent adult's parents live in town",
        source="assumption",
        lo=0.0,
        hi=1.0,
        ja="独立した成人の親が町内に住む確率",
        en="Chance an independent adult's parents live in town",
    )
    district_weights: tuple[float, ...] = param(
        (),
        unit="relative population per district (empty = equal)",
        source="profile",
        lo=0,
        ja="地区ごとの人口の相対値（空なら均等）",
        en="Relative population of each district (empty: equal)",
    )
    alone_age_base: float = param(
        0.6,
        unit="relative chance of living alone at 65 at the start (it rises with age)",
        source="assumption shaped on the 国勢調査 one-person households by age",
        lo=0,
        hi=5,
    )
    alone_age_span: int = param(
        30,
        unit="years past 65 over which living alone keeps rising at the start",
        source="assumption",
        lo=0,
        hi=55,
    )
    partner_gap_months: int = param(
        24,
        unit="months by which a man is older than the woman he is matched with",
        source="assumption: husbands are about two years older",
        lo=-120,
        hi=240,
    )
    sibling_spread: float = param(
        6.0,
        unit="years within which the children of one family are born (the start)",
        source="assumption",
        lo=0,
        hi=20,
    )
    sibling_shares: tuple[float, ...] = param(
        (0.40, 0.45, 0.15),
        unit="shares of families with 1, 2, 3 children under 18 (the start; normalised)",
        source="assumption",
        lo=0,
        hi=1,
        length=3,
    )
    mother_age_from: int = param(
        24,
        unit="fewest years a mother is older than her eldest child (the start)",
        source="assumption",
        lo=14,
        hi=50,
    )
    mother_age_below: int = param(
        38,
        unit="years a mother is older than her eldest child: less than this (the start)",
        source="assumption",
        lo=15,
        hi=55,
    )
    mothers_from: int = param(
        20,
        unit="age (years) from which a woman may head a family as its mother (the start)",
        source="assumption",
        lo=14,
        hi=50,
    )
    mothers_below: int = param(
        56,
        unit="age (years) below which a woman may head a family as its mother (the start)",
        source="assumption",
        lo=15,
        hi=80,
    )
    widowed_from: int = param(
        60,
        unit="age (years) from which unpartnered people may live with a child (the start)",
        source="assumption: from 60, not 65, or all unpartnered 60-64s would live alone",
        lo=40,
        hi=100,
    )
    host_elders_from: int = param(
        30,
        unit="age (years) from which a wife's family may take in a widowed elder (the start)",
        source="assumption",
        lo=18,
        hi=64,
    )
    pair_singles_from: int = param(
        20,
        unit="age (years) from which singles may be paired to meet the household count",
        source="assumption",
        lo=15,
        hi=60,
    )
    pair_singles_below: int = param(
        80,
        unit="age (years) below which singles may be paired to meet the household count",
        source="assumption",
        lo=20,
        hi=120,
    )
    recent_share: float = param(
        0.25,
        unit="share of younger households that moved in within recent_months (the start)",
        source="assumption shaped on the ~3-4 % a year who move into a municipality",
        lo=0,
        hi=1,
    )
    recent_head_below: int = param(
        50,
        unit="age (years) of the oldest member below which a household may be recent",
        source="assumption",
        lo=18,
        hi=120,
    )
    recent_months: int = param(
        60,
        unit="months back within which the recent households moved in",
        source="assumption",
        lo=1,
        hi=240,
    )
    kin_from: int = param(
        25,
        unit="age (years) from which an independent adult may have parents in town (to 64)",
        source="assumption",
        lo=18,
        hi=64,
    )
    kin_parents_from: int = param(
        55,
        unit="age (years) from which a household head may be an adult's parent in town",
        source="assumption",
        lo=30,
        hi=100,
    )
    kin_gap_jitter_months: int = param(
        48,
        unit="months by which the age gap to parents in town varies (±)",
        source="assumption",
        lo=0,
        hi=240,
    )


@dataclass(frozen=True)
class TownMap:
    """District centres and borders on a square map (km)."""

    side_km: float
    centres: np.ndarray  # (districts, 2)
    polygons: list[np.ndarray]  # one (k, 2) array of corners per district
    spots: list[np.ndarray]  # per district, (k, 2) points inside its cell to place homes at
    home_jitter: float  # a home's spread around its site, as a share of the sites' spacing

    @cached_property
    def sites(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """The sites as one array, for placing many homes in one draw.

        Every district's sites end to end, where each district's start, how many it
        has, and the sites' mean spacing over the whole map (km).
        """
        count = np.array([len(s) for s in self.spots], np.int64)
        spacing = self.side_km / np.sqrt(max(int(count.sum()), 1))
        return np.concatenate(self.spots), np.cumsum(count) - count, count, float(spacing)

    def nearest(self, xy: np.ndarray) -> np.ndarray:
        """District index of the nearest centre for each point (i.e. its Voronoi cell)."""
        d2 = ((xy[:, None, :] - self.centres[None, :, :]) ** 2).sum(axis=2)
        return d2.argmin(axis=1).astype(np.int16)


def town_map(params: TownParams) -> TownMap:
    """The town's map: the same for every run of the profile, whatever the run's seed.

    The one place the map is made: the model and the dashboard's map of a results set
    both call it, from the profile's own random stream.
    """
    return layout(params, Streams(name_key(params.name) >> 1))


def layout(params: TownParams, streams: Streams) -> TownMap:
    """Place ``params.districts`` centres on the map and compute their borders."""
    side = float(np.sqrt(params.area_km2))
    n = params.districts
    gen = streams["layout"].generator(0)
    centres = gen.uniform(0.0, side, size=(n, 2))
    if n > 1:
        probe = gen.uniform(0.0, side, size=(4000, 2))
        for _ in range(12):  # Lloyd relaxation: move each centre to its cell's centroid
            owner = _nearest(probe, centres)
            for d in range(n):
                pts = probe[owner == d]
                if len(pts):
                    centres[d] = pts.mean(axis=0)
    # Candidate home sites, uniform over the map, sorted into their district's cell.
    probe = gen.uniform(0.0, side, size=(max(4000, 1500 * n), 2))
    owner = _nearest(probe, centres)
    spots = [probe[owner == d] if np.any(owner == d) else centres[d : d + 1] for d in range(n)]
    return TownMap(side, centres, _voronoi_cells(centres, side), spots, params.home_jitter)


def _nearest(points: np.ndarray, centres: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """Index of the nearest centre of each point, a chunk of points at a time.

    The same arithmetic as one broadcast, without a (points × centres × 2) array
    (about 1 GB for 200 districts).
    """
    owner = np.empty(len(points), dtype=np.int64)
    for start in range(0, len(points), chunk):
        block = points[start : start + chunk]
        owner[start : start + chunk] = (
            ((block[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        )
    return owner


def place_homes(town: TownMap, districts: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """Map positions (k, 2) inside each given district's cell, for new households.

    A home takes one of its district's candidate sites plus a little jitter, so homes
    spread over the whole cell without rejection sampling on every call.
    """
    sites, first, count, spacing = town.sites
    if first.size == 1:
        # One district: the same draws as below (NumPy draws a bounded integer alike
        # whether the bound is one number or an array of it), without sorting.
        xy = sites[first[0] + gen.integers(0, count[0], size=districts.size)]
    else:
        # District by district (as one call per district drew them), residents in order
        # within each: one draw of an array of bounds gives the same numbers in the same
        # order as a call per district, with no Python loop over districts.
        order = np.argsort(districts, kind="stable")
        d = districts[order]
        xy = np.empty((districts.size, 2))
        xy[order] = sites[first[d] + gen.integers(0, count[d])]
    xy += gen.normal(0.0, spacing * town.home_jitter, size=xy.shape)
    return np.clip(xy, 0.0, town.side_km)


def _voronoi_cells(centres: np.ndarray, side: float) -> list[np.ndarray]:
    """Voronoi cells clipped to the square: mirror the centres across each edge."""
    if len(centres) == 1:
        square = np.array([[0, 0], [side, 0], [side, side], [0, side]], dtype=float)
        return [square]
    from scipy.spatial import QhullError, Voronoi

    # Work on the unit square (Qhull's precision is relative to the coordinates, so
    # the size of the town must not matter), then scale the corners back to km.
    unit = centres / side
    mirrored = [unit]
    for axis in (0, 1):
        for edge in (0.0, 1.0):
            m = unit.copy()
            m[:, axis] = 2 * edge - m[:, axis]
            mirrored.append(m)
    try:
        vor = Voronoi(np.vstack(mirrored))
    except QhullError:  # e.g. two centres on the same spot: joggle the input instead
        vor = Voronoi(np.vstack(mirrored), qhull_options="Qbb Qc Qz QJ")
    cells = []
    for i in range(len(centres)):
        region = [v for v in vor.regions[vor.point_region[i]] if v >= 0]
        pts = np.clip(vor.vertices[region], 0.0, 1.0) * side
        angle = np.arctan2(pts[:, 1] - centres[i, 1], pts[:, 0] - centres[i, 0])
        cells.append(pts[np.argsort(angle)])
    return cells


@dataclass(frozen=True)
class AgeCell:
    """One row of the starting age table for one sex: ages ``first``..``last`` (-1: open)."""

    sex: int
    first: int
    last: int
    weight: float


def age_cells(params: TownParams) -> list[AgeCell]:
    """The starting population by age band and sex.

    From the profile's age table if it names one (``age_table``), else its band weights.
    """
    if params.age_table:
        rows = read_age_table(params.age_table)
        return [
            AgeCell(sex, int(first), int(last), float(row[2 + sex]))
            for row in rows
            for first, last in [(row[0], row[1])]
            for sex in (0, 1)
        ]
    return [
        AgeCell(sex, 5 * band, 5 * band + 4, float(w))
        for sex, weights in enumerate((params.age_weights_male, params.age_weights_female))
        for band, w in enumerate(weights)
    ]


def starting_pyramid(params: TownParams) -> np.ndarray:
    """Relative numbers of residents at the start by ``[sex, completed year of age]``.

    Each band's weight is spread over its years (evenly; an open top band falling off).
    """
    out = np.zeros((2, TOP_AGE))
    for cell in age_cells(params):
        years, weights = year_weights(cell.first, cell.last, params.open_band_decay)
        out[cell.sex, years] += cell.weight * weights
    return out
