"""Venues (居場所) as Mesa agents, and who attends them.

Kinds: サロン, 通いの場, 子ども食堂, 地域食堂/コミュニティカフェ and multi-generation
hubs. A venue sits in a district at a map position, has a capacity of regular
attendees, needs a number of volunteers, and has an operator (an NPO or civic group,
the 社協, or a private café under an agreement, which needs no volunteers).

Each month:

* regulars keep coming or stop (more often when the venue is far);
* some residents consider joining a venue of a kind that suits their age; they pick
  among open venues of their district by distance and join if there is room
  (attendance never exceeds capacity; a transport cut makes distance count more);
* a venue short of volunteers counts months unstaffed and closes after
  ``close_after`` such months; its regulars and volunteers are released;
* volunteers and staff notice the needs of regulars and refer them to a counter
  (参加→相談).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from . import venues_kernels as vk
from .parameters import param
from .population import AGE_YEARS, EPS, LATE_OLD_AGE, PER_100K, by_district
from .snapshot import PART_VENUE
from .support import VENUE
from .synthesis import largest_remainder

if TYPE_CHECKING:
    from .core import CommunityModel

KINDS = ("salon", "kayoi", "kodomo", "cafe", "hub")
KIND_LABELS_JA = (
    "サロン",
    "通いの場",
    "子ども食堂",
    "地域食堂・コミュニティカフェ",
    "多世代交流拠点",
)
KIND_LABELS_EN = (
    "Salon",
    "Kayoi-no-ba",
    "Children's cafeteria",
    "Community café",
    "Multi-generation hub",
)
SALON, KAYOI, KODOMO, CAFE, HUB = range(len(KINDS))
MIN_AGE = (60, 65, 0, 0, 0)  # youngest regular attendee by kind
OPERATORS = ("group", "npo", "shakyo", "private")
# Per-venue columns of :class:`VenueSystem` (one row per venue ever opened) and their types.
_COLUMNS = {
    "kind": np.int64,
    "district": np.int64,
    "x": np.float64,
    "y": np.float64,
    "capacity": np.int64,
    "needed": np.float64,
    "open": bool,
    "unstaffed": np.int64,
    "subsidised": bool,
    "operator": np.int64,  # index into OPERATORS
    "org": np.int64,  # number of the organisation running it, -1 for none
}
# Columns that never change once a venue is opened (shared read-only by ``arrays``).
_FIXED = ("kind", "district", "x", "y", "capacity", "needed")


@dataclass(frozen=True)
class VenueParams:
    """Venue numbers, sizes, staffing and attendance."""

    per_100k: tuple[float, ...] = param(
        (60.0, 120.0, 10.0, 12.0, 0.0),
        unit="venues per 100k residents: salon, kayoi, kodomo, cafe, hub",
        source="[musubie-2024] 子ども食堂 ≈ 10 per 100k; [mhlw-sogo-jigyo-2022] 通いの場 ≈ 400 per "
        "100k aged 65+ (≈ 120 per "
        "100k residents); others assumption",
        lo=0,
        length=5,
        ja="居場所の数（10万人あたり）",
        en="Venues per 100k",
    )
    capacity: tuple[float, ...] = param(
        (25, 20, 40, 40, 60),
        unit="regular attendees",
        source="[mhlw-kaigo-bukai-121] 81.6 % of 通いの場 ≤ 20",
        lo=1,
        length=5,
    )
    volunteers_needed: tuple[float, ...] = param(
        (3, 2, 5, 4, 5), unit="volunteers", source="assumption", lo=0, length=5
    )
    join: tuple[float, ...] = param(
        (0.0020, 0.0026, 0.0040, 0.0025, 0.0030),
        unit="per month, eligible residents considering a venue of each kind",
        source="calibrated: [mhlw-kaigo-bukai-121] 通いの場 5-6 % of 65+, 74 % of them 75+, "
        "80 % women",
        lo=0,
        hi=1,
        length=5,
    )
    join_women: float = param(
        3.5,
        unit="multiplier for women (salon, kayoi)",
        source="[mhlw-kaigo-bukai-121] 79.8 % women",
        lo=0,
        hi=20,
    )
    join_75plus: float = param(
        2.5,
        unit="multiplier for 75+ (salon, kayoi)",
        source="[mhlw-kaigo-bukai-121] 74.2 % aged 75+",
        lo=0,
        hi=20,
    )
    join_isolated: float = param(
        0.5, unit="multiplier for isolated residents", source="assumption", lo=0, hi=5
    )
    quit: float = param(0.03, unit="per month", source="assumption", lo=0, hi=1)
    close_rate: float = param(
        0.05,
        unit="per year, venues that stop for other reasons (the organiser retires, ...)",
        source="assumption",
        lo=0,
        hi=1,
    )
    distance_km: float = param(
        1.5,
        unit="km at which the pull of a venue falls to 1/e",
        source="assumption",
        lo=0.01,
        ja="徒歩圏（km）",
        en="Walking distance (km)",
    )
    close_after: int = param(
        6,
        unit="months unstaffed before a venue closes",
        source="assumption",
        lo=1,
        hi=120,
        ja="担い手不足で閉鎖するまでの月数",
        en="Months unstaffed before closing",
    )
    notice: float = param(
        0.06,
        unit="per month, chance staff notice a regular's hidden need (staffed venue)",
        source="assumption ([seed-deck] slide 17: 参加→相談 is 'not rare')",
        lo=0,
        hi=1,
        ja="居場所での気づき（月）",
        en="Noticing needs at venues",
    )
    open_rate: tuple[float, ...] = param(
        (2.0, 6.0, 1.5, 1.0, 0.0),
        unit="new venues per 100k residents per year, by kind",
        source="assumption ([musubie-2024] 子ども食堂 +1,700 a year nationally ≈ 1.4 per 100k)",
        lo=0,
        length=5,
    )
    operator_npo_share: float = param(
        0.25,
        unit="share of venues run by NPOs (rest: resident groups, 社協)",
        source="[mhlw-kaigo-bukai-121] 70.5 % of 通いの場 run by resident groups",
        lo=0,
        hi=1,
    )
    kodomo_children_below: int = param(
        16,
        unit="age (years) below which children go to a こども食堂",
        source="assumption: school children up to junior high",
        lo=0,
        hi=30,
        ja="こども食堂に来る子どもの年齢上限",
        en="Kodomo shokudo: children below age",
    )
    kodomo_parents_from: int = param(
        25, unit="age (years) from which parents come along", source="assumption", lo=15, hi=60
    )
    kodomo_parents_below: int = param(
        50, unit="age (years) below which parents come along", source="assumption", lo=15, hi=80
    )
    kodomo_seniors_from: int = param(
        60,
        unit="age (years) from which older residents come (as guests or helpers)",
        source="assumption: many こども食堂 welcome older residents too",
        lo=0,
        hi=120,
    )
    operator_shakyo_share: float = param(
        0.1,
        unit="share of new venues the 社協 runs (the rest not run by NPOs: residents' groups)",
        source="assumption: consistent with [mhlw-kaigo-bukai-121] 70.5 % run by resident groups",
        lo=0,
        hi=1,
        ja="社協が運営する場の割合",
        en="Share of venues run by the shakyo",
    )
    subsidised_stop: float = param(
        0.5,
        unit="multiplier on a subsidised venue stopping for other reasons",
        source="assumption: a grant keeps a venue going (range 0.2-1)",
        lo=0,
        hi=1,
        ja="補助のある場の休止の倍率",
        en="Subsidised venues stopping",
    )
    notice_unstaffed: float = param(
        0.3,
        unit="multiplier on noticing a regular's hidden need at a venue short of helpers",
        source="assumption: fewer helpers notice less (range 0-1)",
        lo=0,
        hi=1,
        ja="担い手不足の場で気づく倍率",
        en="Noticing needs when short of helpers",
    )


def _join_table(p: VenueParams) -> np.ndarray:
    """Monthly chance to consider each kind, by sex and age: [kind, sex * 121 + years]."""
    years = np.tile(np.arange(AGE_YEARS), 2)
    women = np.repeat([False, True], AGE_YEARS)
    rate = np.asarray(p.join)[:, None] * (years[None, :] >= np.asarray(MIN_AGE)[:, None])
    parents = (years >= p.kodomo_parents_from) & (years < p.kodomo_parents_below)
    rate[KODOMO] *= (years < p.kodomo_children_below) | parents | (years >= p.kodomo_seniors_from)
    boost = np.where(women, p.join_women, 1.0) * np.where(years >= LATE_OLD_AGE, p.join_75plus, 1.0)
    rate[[SALON, KAYOI]] *= boost[None, :]
    return rate


class Venue(mesa.Agent):
    """A place to belong: one venue of a kind, in a district, run by an operator.

    Attributes:
        kind: Index into ``KINDS``.
        district: Daily-life area.
        x, y: Map position (km).
        capacity: Regular attendees at most, in simulated residents (people / scale).
        volunteers_needed: Volunteers it needs to run, in simulated residents.

    Venues are counted as real venues at any scale; only their capacity and the
    volunteers they need are divided by the scale, like the people who use them.
        operator: One of ``OPERATORS``.
        org: The NPO or group running it (``None`` for 社協 and private cafés).
        open: Whether it is running.
        unstaffed_months: Consecutive months short of volunteers.
        subsidised: Receives a community-building subsidy (wider staffing slack).
    """

    def __init__(
        self,
        model: CommunityModel,
        kind: int,
        district: int,
        x: float,
        y: float,
        operator: str = "group",
        org: mesa.Agent | None = None,
        room: float = 0.5,
    ) -> None:
        super().__init__(model)
        p = model.params.venues
        self.kind = kind
        self.district = district
        self.x, self.y = x, y
        # Places for simulated residents: the fraction is one more place with its chance
        # (``room`` is a uniform draw), so venues hold as many people on average at any scale.
        places = p.capacity[kind] / model.scale
        self.capacity = max(1, int(places) + int(room < places - int(places)))
        needed = 0.0 if operator == "private" else p.volunteers_needed[kind]
        self.volunteers_needed = needed / model.scale
        self._operator = operator
        self._org = org
        self.opened_month = model.month
        self.closed_month: int | None = None
        self.system = model.venues
        self.number = self.system.add(self)  # its row in the system's columns

    # The state the monthly rules read for all venues at once lives in the system's
    # columns: open, months unstaffed and subsidy are read there; who runs the venue is
    # kept here as well (an agent) and in the columns as a number.
    @property
    def operator(self) -> str:
        """Who runs it: one of ``OPERATORS``."""
        return self._operator

    @operator.setter
    def operator(self, value: str) -> None:
        self._operator = value
        self.system.columns["operator"][self.number] = OPERATORS.index(value)

    @property
    def org(self) -> mesa.Agent | None:
        """The NPO or group running it (``None`` for 社協 and private cafés)."""
        return self._org

    @org.setter
    def org(self, value: mesa.Agent | None) -> None:
        self._org = value
        self.system.columns["org"][self.number] = -1 if value is None else value.number

    @property
    def open(self) -> bool:
        """Whether it is running."""
        return bool(self.system.columns["open"][self.number])

    @open.setter
    def open(self, value: bool) -> None:
        self.system.columns["open"][self.number] = value

    @property
    def unstaffed_months(self) -> int:
        """Consecutive months short of volunteers."""
        return int(self.system.columns["unstaffed"][self.number])

    @unstaffed_months.setter
    def unstaffed_months(self, value: int) -> None:
        self.system.columns["unstaffed"][self.number] = value

    @property
    def subsidised(self) -> bool:
        """Receives a community-building subsidy (wider staffing slack)."""
        return bool(self.system.columns["subsidised"][self.number])

    @subsidised.setter
    def subsidised(self, value: bool) -> None:
        self.system.columns["subsidised"][self.number] = value

    @property
    def label_ja(self) -> str:
        """Kind of venue in Japanese."""
        return KIND_LABELS_JA[self.kind]

    def close(self) -> None:
        """Stop running: regulars and volunteers are released."""
        self.system.close(np.array([self.number]))


class VenueSystem:
    """All venues of the town and the monthly attendance rules.

    Besides the :class:`Venue` agents, the system keeps one row per venue in
    :attr:`columns` (kind, district, position, capacity, volunteers needed, open,
    months unstaffed, subsidised), so that the monthly rules run on whole arrays.
    """

    def __init__(self, model: CommunityModel) -> None:
        self.model = model
        self.venues: list[Venue] = []
        self.join_table = _join_table(model.params.venues)  # [kind, sex * 121 + years]
        self.columns: dict[str, np.ndarray] = {
            name: np.zeros(0, dtype=dtype) for name, dtype in _COLUMNS.items()
        }
        self._arrays: dict[str, np.ndarray] | None = None
        self._arrays_for = -1
        self._free: list[np.ndarray] = []
        self._free_for: int | None = None
        # Venues opened and closed this month (any reason); the model zeroes them.
        self.closed_this_month = 0
        self.opened_this_month = 0

    def reset_month(self) -> None:
        """Zero this month's counts of venues opened and closed."""
        self.closed_this_month = 0
        self.opened_this_month = 0

    # ---- building -------------------------------------------------------------------
    def create_initial(self) -> None:
        """Venues in proportion to population.

        The town's expected number of each kind is shared out over districts by largest
        remainder.
        """
        model = self.model
        p = model.params.venues
        r = model.residents
        pop_d = np.bincount(r.district[r.alive], minlength=model.n_districts) * model.scale
        gen = model.streams["venues_init"].generator(0)
        for kind in range(len(KINDS)):
            total = round(p.per_100k[kind] * pop_d.sum() / PER_100K)
            if total == 0:
                continue
            for d, count in enumerate(largest_remainder(total, pop_d.astype(float))):
                for _ in range(int(count)):
                    self.open_venue(kind, d, gen, operator=self._operator(gen))

    def _operator(self, gen: np.random.Generator) -> str:
        u = gen.random()
        p = self.model.params.venues
        share = p.operator_npo_share
        return "npo" if u < share else ("shakyo" if u > 1.0 - p.operator_shakyo_share else "group")

    def open_venue(
        self,
        kind: int,
        district: int,
        gen: np.random.Generator,
        *,
        operator: str = "group",
        org: mesa.Agent | None = None,
    ) -> Venue:
        """Open a new venue at a home site in ``district``."""
        model = self.model
        xy = model.place_in_districts(np.array([district], dtype=np.int16), gen)
        if operator == "npo" and org is None:
            org = model.organisations.pick_npo(district, gen)
            if org is None:
                operator = "group"
        x, y = float(xy[0][0]), float(xy[1][0])
        venue = Venue(model, kind, district, x, y, operator, org, room=float(gen.random()))
        self.opened_this_month += 1
        return venue

    def add(self, venue: Venue) -> int:
        """Give a new venue its row (called by :class:`Venue`); returns its number."""
        number = len(self.venues)
        cols = self.columns
        if number >= cols["kind"].size:  # grow every column by doubling
            size = max(2 * cols["kind"].size, 1)
            for name, col in cols.items():
                grown = np.zeros(size, dtype=col.dtype)
                grown[:number] = col[:number]
                cols[name] = grown
        row = {
            "kind": venue.kind,
            "district": venue.district,
            "x": venue.x,
            "y": venue.y,
            "capacity": venue.capacity,
            "needed": venue.volunteers_needed,
            "open": True,
            "unstaffed": 0,
            "subsidised": False,
            "operator": OPERATORS.index(venue.operator),
            "org": -1 if venue.org is None else venue.org.number,
        }
        for name, value in row.items():
            cols[name][number] = value
        self.venues.append(venue)
        return number

    def close(self, numbers: np.ndarray) -> None:
        """Venues ``numbers`` (open ones) stop running: regulars and volunteers are released."""
        month = self.model.month
        for i in numbers.tolist():
            venue = self.venues[i]
            venue.open = False
            venue.closed_month = month
        self._release(numbers)
        self.forget_arrays()
        self.closed_this_month += len(numbers)

    def release(self, venue: Venue) -> None:
        """Free the regulars and volunteers of a venue that closed."""
        self._release(np.array([venue.number]))

    def _release(self, numbers: np.ndarray) -> None:
        """Free the regulars and volunteers of venues ``numbers`` (living or not)."""
        r = self.model.residents
        if numbers.size == 0:
            return
        which = np.zeros(len(self.venues), dtype=bool)
        which[numbers] = True
        for col in (r.venue, r.vol_venue):
            vk.release(col, which)

    # ---- arrays of agent attributes for the vectorised rules ----------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """Kind, district, position, capacity and open flag of every venue (read-only).

        Built once and reused until a venue opens or closes (nothing else about a
        venue that these arrays hold ever changes).
        """
        if self._arrays is not None and self._arrays_for == len(self.venues):
            return self._arrays
        n = len(self.venues)
        self._arrays_for = n
        cols = self.columns
        arrays = {name: cols[name][:n] for name in _FIXED}
        arrays["open"] = cols["open"][:n].copy()
        for view in arrays.values():
            view.flags.writeable = False
        self._arrays = arrays
        return arrays

    def forget_volunteers(self) -> None:
        """Volunteers started or stopped: work out the free ones again when needed."""
        self._free_for = None

    def forget_arrays(self) -> None:
        """Drop the cached arrays (a venue closed)."""
        self._arrays = None

    def open_count(self) -> int:
        """Venues running now."""
        return int(np.count_nonzero(self.columns["open"][: len(self.venues)]))

    def open_numbers(self, *, org: int | None = None, operator: str | None = None) -> np.ndarray:
        """Numbers of the venues running now, ascending (opening order).

        ``org``: only those the organisation of that number runs; ``operator``: only those
        of that operator (one of ``OPERATORS``).
        """
        n = len(self.venues)
        cols = self.columns
        which = cols["open"][:n].copy()
        if org is not None:
            which &= cols["org"][:n] == org
        if operator is not None:
            which &= cols["operator"][:n] == OPERATORS.index(operator)
        return np.flatnonzero(which)

    def run_by(self, n_orgs: int) -> np.ndarray:
        """Venues running now that each organisation (by number, ``n_orgs`` of them) runs."""
        n = len(self.venues)
        org = self.columns["org"][:n][self.columns["open"][:n]]
        return np.bincount(org[org >= 0], minlength=n_orgs)

    # ---- the month ------------------------------------------------------------------
    def attend(self, isolated: np.ndarray) -> None:
        """Regulars stay or stop; newcomers join by distance while there is room."""
        model = self.model
        r, p = model.residents, model.params.venues
        if not self.venues:
            return
        a = self.arrays()
        closed = model.levers.venues_closed
        is_open = a["open"] & (not closed)
        month = model.month
        stream = model.streams["venue_attend"]
        if closed:
            attending = np.flatnonzero(r.venue >= 0)
            attending = attending[r.alive[attending]]
        else:
            # Who may consider joining: a draw below the highest chance anyone has this
            # month (the exact test follows on these few).
            total_of = self.join_table.sum(axis=0)
            boost = model.levers.join_boost
            bound = total_of.max() * max(p.join_isolated, 1.0) * boost.max()
            draw = model.snap.taking_part_draw
            u_all = draw - PART_VENUE if PART_VENUE else draw
            attending, may_join = vk.scan(r.venue, r.alive, u_all, model.snap.home, bound)
        v = r.venue[attending]
        hh = r.hh[attending]
        hx, hy = model.households.x[hh], model.households.y[hh]
        dist = np.hypot(hx - a["x"][v], hy - a["y"][v])
        far = 1.0 - np.exp(-dist / (p.distance_km * model.levers.distance_scale))
        quit_p = p.quit * (1.0 + far)
        stop = ~is_open[v] | stream.bernoulli(r.pid[attending], quit_p, month, k=0)
        r.venue[attending[stop]] = -1
        if closed:
            return
        # Who considers joining this month (one draw each), then which kind.
        idx, u, iso = vk.considering(
            may_join, r.venue, u_all, model.snap.sex_age, isolated, boost, total_of,
            p.join_isolated,
        )  # fmt: skip
        if idx.size == 0:
            return
        rate = self.join_rates(idx, iso) * boost[idx][None, :]
        cum = np.cumsum(rate, axis=0)
        kind = (cum <= u[None, :]).sum(axis=0)
        counts = np.bincount(v[~stop], minlength=len(self.venues))
        self.place(idx, kind, stream.uniform(r.pid[idx], month, k=2), a, is_open, counts=counts)

    def join_rates(self, idx: np.ndarray, isolated: np.ndarray) -> np.ndarray:
        """Monthly chance that each resident ``idx`` considers each kind (kinds × idx)."""
        p = self.model.params.venues
        rate = self.join_table[:, self.model.snap.sex_age[idx]]
        return rate * np.where(isolated, p.join_isolated, 1.0)[None, :]

    def initial_attendance(self) -> None:
        """Regulars at the balance of joining and stopping, placed by distance and room."""
        model = self.model
        r, p = model.residents, model.params.venues
        if not self.venues:
            return
        idx = np.flatnonzero(r.alive & ~model.households.institution[r.hh])
        rate = self.join_rates(idx, np.zeros(idx.size, dtype=bool))
        stock = rate / (rate.sum(axis=0, keepdims=True) + p.quit)
        cum = np.cumsum(stock, axis=0)
        stream = model.streams["venues_init"]
        u = stream.uniform(r.pid[idx], 0, k=1)
        attends = u < cum[-1]
        idx, u, cum = idx[attends], u[attends], cum[:, attends]
        kind = (cum <= u[None, :]).sum(axis=0)
        a = self.arrays()
        self.place(idx, kind, stream.uniform(r.pid[idx], 0, k=2), a, a["open"])

    def place(
        self,
        idx: np.ndarray,
        kind: np.ndarray,
        u: np.ndarray,
        a: dict[str, np.ndarray],
        is_open: np.ndarray,
        *,
        habit: bool = True,
        counts: np.ndarray | None = None,
    ) -> np.ndarray:
        """Residents ``idx`` try to join a venue of ``kind`` near home; returns who joined.

        With ``habit`` a first visit becomes regular only with a chance that falls with
        distance (a transport cut makes that chance smaller). ``counts`` (regulars per
        venue now) saves counting them again when the caller knows them.
        """
        model = self.model
        r, p = model.residents, model.params.venues
        stays = model.streams["venue_habit"].uniform(r.pid[idx], model.month)
        if not habit:
            stays[:] = 0.0
        if counts is None:
            counts = vk.per_venue(r.venue, r.alive, len(self.venues))
        spare = np.where(is_open, a["capacity"] - counts, 0)
        hh = r.hh[idx]
        hx, hy = model.households.x[hh], model.households.y[hh]
        scale = p.distance_km * model.levers.distance_scale
        # Candidate venues of each joiner: open, with room, same district and kind. Venues
        # are sorted by (district, kind) so each joiner's candidates are one block.
        open_ids = np.flatnonzero(spare > 0)
        block_key = a["district"][open_ids] * len(KINDS) + a["kind"][open_ids]
        order = np.argsort(block_key, kind="stable")
        open_ids, block_key = open_ids[order], block_key[order]
        want = r.district[idx].astype(np.int64) * len(KINDS) + kind
        start = np.searchsorted(block_key, want, side="left")
        n_real = np.searchsorted(block_key, want, side="right") - start
        width = int(n_real.max()) if idx.size else 0
        choice = np.full(idx.size, -1, dtype=np.int64)
        if width > 0:
            # Every joiner's candidates, one after another (``offsets``: where each starts).
            offsets, cand, dx, dy = vk.candidates(n_real, start, open_ids, hx, hy, a["x"], a["y"])
            dist = np.hypot(dx, dy)
            # The pull of each candidate; distance also decides whether a first visit
            # becomes a habit.
            pull = np.exp(-dist / scale)
            at = vk.choose(width, n_real, offsets, pull, u, stays)
            chosen = at >= 0
            choice[chosen] = cand[at[chosen]]
        joined = choice >= 0
        idx, choice = idx[joined], choice[joined]
        # Capacity: first come (by resident id) within each venue's spare places.
        order = np.lexsort((r.pid[idx], choice))
        idx, choice = idx[order], choice[order]
        first = np.searchsorted(choice, choice, side="left")
        rank = np.arange(choice.size) - first
        fits = rank < spare[choice]
        r.venue[idx[fits]] = choice[fits]
        return idx[fits]

    def staffing(self) -> None:
        """Count months unstaffed; close venues that stayed unstaffed too long."""
        model = self.model
        r, p = model.residents, model.params.venues
        n_v = len(self.venues)
        if n_v == 0:
            return
        staff = vk.per_venue(r.vol_venue, r.alive, n_v)
        other = model.streams["venue_close"].generator(model.month).random(n_v)
        other_rate = p.close_rate / 12.0
        cols = self.columns
        is_open = cols["open"][:n_v]
        subsidised = cols["subsidised"][:n_v]
        was = cols["unstaffed"][:n_v]
        short = staff + EPS < cols["needed"][:n_v]
        months = np.where(is_open, np.where(short, was + 1, 0), was)
        cols["unstaffed"][:n_v] = months
        limit = p.close_after * np.where(subsidised, 2, 1)
        stops = other < other_rate * np.where(subsidised, p.subsidised_stop, 1.0)
        closing = np.flatnonzero(is_open & ((months >= limit) | stops))
        if closing.size:
            self.close(closing)

    def notice_needs(self) -> None:
        """参加→相談: staff notice hidden needs of regulars and refer them on."""
        model = self.model
        r, p = model.residents, model.params.venues
        if model.levers.venues_closed:
            return
        regulars = vk.hidden_regulars(r.venue, r.alive, r.sev, r.supported, r.known)
        if regulars.size == 0:
            return
        staffed = self.columns["unstaffed"][r.venue[regulars]] == 0
        prob = p.notice * np.where(staffed, 1.0, p.notice_unstaffed)
        noticed = model.streams["venue_notice"].bernoulli(r.pid[regulars], prob, model.month)
        referred = model.support.bring(regulars[noticed], VENUE)
        model.tally.venue_referrals += referred.size

    def open_new(self) -> None:
        """Residents' groups open new venues where volunteers are free to run them."""
        model = self.model
        p = model.params.venues
        r = model.residents
        n_d = model.n_districts
        gen = model.streams["venue_open"].generator(model.month)
        pop, free = vk.district_counts(r.alive, r.district, r.volunteer, r.vol_venue, n_d)
        pop_d = pop * model.scale
        free_vol = np.bincount(r.district[free], minlength=n_d)
        # Expected openings by (district, kind), in the order the draws are made.
        lam = (
            np.asarray(p.open_rate, dtype=float)[None, :]
            * model.levers.open_boost
            * pop_d[:, None]
            / PER_100K
            / 12
        ).ravel()
        # The counts are drawn as one vector, which gives the same numbers as drawing them
        # one by one only until an opening draws from ``gen`` too: then the generator is
        # wound back and the counts drawn again from after that (district, kind).
        base, state = 0, gen.bit_generator.state
        counts = gen.poisson(lam)  # counts[j] is the draw for lam[base + j]
        j = 0
        while True:
            hits = np.flatnonzero(counts[j:])
            if hits.size == 0:
                break
            j += int(hits[0])
            at = base + j
            d, kind = divmod(at, len(KINDS))
            need = p.volunteers_needed[kind] / model.scale
            rewound = False
            for _ in range(int(counts[j])):
                if free_vol[d] + EPS < need:
                    continue  # no one to run it
                if not rewound:
                    gen.bit_generator.state = state
                    gen.poisson(lam[base : at + 1])
                    rewound = True
                venue = self.open_venue(kind, d, gen, operator=self._operator(gen))
                free_vol[d] -= int(np.ceil(need))
                self.assign_founders(venue, int(np.ceil(need)), free)
            j += 1
            if rewound:
                base, j, state = at + 1, 0, gen.bit_generator.state
                counts = gen.poisson(lam[base:])

    def assign_founders(self, venue: Venue, k: int, free: np.ndarray | None = None) -> None:
        """The volunteers who open a venue become its first helpers (by resident id).

        ``free`` (the free volunteers now, ascending) saves finding them again when the
        list of free volunteers by district is worked out this month.
        """
        r = self.model.residents
        free = self._free_volunteers(free)[venue.district]
        free = free[r.alive[free] & r.volunteer[free] & (r.vol_venue[free] < 0)]
        if 0 < k < free.size:  # the k lowest ids (unique), in no particular order
            free = free[np.argpartition(r.pid[free], k - 1)[:k]]
        r.vol_venue[free[:k]] = venue.number

    def _free_volunteers(self, now: np.ndarray | None = None) -> list[np.ndarray]:
        """Volunteers without a venue, by district.

        Worked out once until volunteers change; callers re-check each one, since
        openings earlier in the month take some. ``now``: the free volunteers at this
        moment, if the caller has them.
        """
        model = self.model
        if self._free_for != model.month:
            r = model.residents
            if now is None:
                now = np.flatnonzero(r.alive & r.volunteer & (r.vol_venue < 0))
            self._free = by_district(now, r.district[now], model.n_districts)
            self._free_for = model.month
        return self._free
