"""The town profile and its map: size, age structure, households and districts.

A town is split into daily-life areas (日常生活圏域, about one junior-high-school
district each). Districts sit on a square map of the town's area: their centres are
spread by a few rounds of Lloyd relaxation and their borders are the Voronoi cells of
those centres, so distance matters (venue access, transport cuts) and the live view
has a map to draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .parameters import param
from .streams import Streams

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
NATIONAL_SOURCE = "総務省統計局 人口推計 2024 (aggregates 0-14/65+/75+); band shape reconstructed"


@dataclass(frozen=True)
class TownParams:
    """Who lives in the town at the start, and how the town is laid out."""

    name: str = param("town", unit="", source="profile name")
    label_ja: str = param("町", unit="", source="profile label (Japanese)")
    label_en: str = param("Town", unit="", source="profile label (English)")
    # Upper bounds: Japan's population (124 M). What fits one run is checked by budget.py.
    population: int = param(20_000, unit="persons", source="profile", lo=1, hi=130_000_000)
    households: int = param(8_700, unit="households", source="profile", lo=1, hi=130_000_000)
    districts: int = param(1, unit="daily-life areas", source="profile", lo=1, hi=200)
    # Upper bound: larger than any Japanese prefecture but Hokkaido (83,424 km²); the
    # largest municipality, 高山市, is 2,178 km².
    area_km2: float = param(30.0, unit="km²", source="profile", lo=0.1, hi=100_000)
    annual_change_target: float = param(
        -0.6, unit="%/yr", source="profile target; checked by tests, not imposed", lo=-20, hi=20
    )
    age_weights_male: tuple[float, ...] = param(
        NATIONAL_MALE,
        unit="relative weight per 5-year band, 0-4..95-99",
        source=NATIONAL_SOURCE,
        lo=0,
        length=AGE_BANDS,
    )
    age_weights_female: tuple[float, ...] = param(
        NATIONAL_FEMALE,
        unit="relative weight per 5-year band, 0-4..95-99",
        source=NATIONAL_SOURCE,
        lo=0,
        length=AGE_BANDS,
    )
    alone_65_male: float = param(
        0.150, unit="share of men 65+", source="高齢社会白書 R6 (2020: men 15.0 %)", lo=0.0, hi=1.0
    )
    alone_65_female: float = param(
        0.221,
        unit="share of women 65+",
        source="高齢社会白書 R6 (2020: women 22.1 %)",
        lo=0.0,
        hi=1.0,
    )
    single_parent_share: float = param(
        0.135,
        unit="share of families with children",
        source="[derived] 全国ひとり親世帯等調査 R3: 1.344 M of 9.917 M households with children",
        lo=0.0,
        hi=1.0,
    )
    kin_in_town: float = param(
        0.5,
        unit="probability an independent adult's parents live in town",
        source="assumption",
        lo=0.0,
        hi=1.0,
    )
    district_weights: tuple[float, ...] = param(
        (), unit="relative population per district (empty = equal)", source="profile", lo=0
    )


@dataclass(frozen=True)
class TownMap:
    """District centres and borders on a square map (km)."""

    side_km: float
    centres: np.ndarray  # (districts, 2)
    polygons: list[np.ndarray]  # one (k, 2) array of corners per district
    spots: list[np.ndarray]  # per district, (k, 2) points inside its cell to place homes at

    def nearest(self, xy: np.ndarray) -> np.ndarray:
        """District index of the nearest centre for each point (i.e. its Voronoi cell)."""
        d2 = ((xy[:, None, :] - self.centres[None, :, :]) ** 2).sum(axis=2)
        return d2.argmin(axis=1).astype(np.int16)


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
    return TownMap(side, centres, _voronoi_cells(centres, side), spots)


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
    xy = np.empty((districts.size, 2))
    spacing = town.side_km / np.sqrt(max(sum(len(s) for s in town.spots), 1))
    for d in np.unique(districts):
        rows = np.flatnonzero(districts == d)
        sites = town.spots[int(d)]
        xy[rows] = sites[gen.integers(0, len(sites), size=rows.size)]
    xy += gen.normal(0.0, spacing * 0.3, size=xy.shape)
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
