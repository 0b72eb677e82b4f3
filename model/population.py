"""The town's people and households, held column-wise (structure of arrays).

A city at 1:1 scale (Okazaki: 385,676 people) must run in seconds, so residents are
not Python objects: every attribute is a NumPy column and every rule in the model is
a vectorised operation over columns. :class:`ResidentView` gives a light read-only
look at one resident for tests, notebooks and the live view.

Residents who die or move away are marked ``alive = False`` and dropped at the next
compaction (once a model year), so indices are stable within a year. Identity across
the whole run is the 64-bit ``pid``, which also keys every random draw a resident
makes (see :mod:`model.streams`).

Needs (the ``rows`` of the two-dimensional need columns) are, in order, the four
welfare fields 高齢 (elderly care), 障害 (disability), 子育て (child-rearing), 生活困窮
(hardship), then social withdrawal (ひきこもり), which no field's counter owns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import kernels

FIELDS = ("care", "disability", "childcare", "poverty")
FIELD_LABELS_JA = ("高齢", "障害", "子育て", "生活困窮")
NEEDS = (*FIELDS, "withdrawal")
N_NEEDS = len(NEEDS)
TIE_KINDS = ("kin", "neighbour", "work", "interest", "issue")
N_TIE_KINDS = len(TIE_KINDS)

MALE, FEMALE = 0, 1
ROLE_HEAD, ROLE_CHILD, ROLE_PARENT = 0, 1, 2  # household role: head/partner, child, elder parent
CASE_NONE, CASE_QUEUED, CASE_REFERRED = 0, 1, 2

# Structural ages (definitions, not behaviour). Nobody lives past the life table's last
# age (``model.lifetable.TOP``, 110), so capping completed years at MAX_AGE never binds:
# the per-year tables simply have room to spare.
MAX_AGE = 120  # highest completed age a per-year table has a row for
AGE_YEARS = MAX_AGE + 1  # rows of a per-year age table: ages 0..MAX_AGE
ADULT_AGE = 18  # adults (成人), as the household statistics count them
OLD_AGE = 65  # 高齢者: the statistical definition of older people
LATE_OLD_AGE = 75  # 後期高齢者
PRESCHOOL_AGE = 6  # 未就学児: children below school age
FACILITY_OLDEST = 85  # care-facility shares come in two bands: LATE_OLD_AGE-84 and 85+
PER_100K = 100_000  # rates "per 100k residents" are divided by this
PERCENT = 100.0  # percentages are divided by this
EPS = 1e-9  # tolerance for comparing fractional counts of simulated residents
TINY = 1e-12  # guards a division by a sum that may be 0
MAX_SEVERITY = 3  # a need's severity runs from 0 (none) to 3 (crisis)


@dataclass(frozen=True)
class Column:
    """One resident attribute: its dtype, the value a newcomer gets, and rows (0 = 1-D)."""

    name: str
    dtype: type
    default: Any
    rows: int = 0
    doc: str = ""


RESIDENT_COLUMNS: tuple[Column, ...] = (
    # who and where
    Column("pid", np.uint64, 0, doc="identity for the whole run; keys random draws"),
    Column("age_m", np.int16, 0, doc="age in months"),
    Column("sex", np.int8, MALE, doc="0 male, 1 female"),
    Column("alive", np.bool_, True, doc="False once dead or moved away (until compaction)"),
    Column("hh", np.int32, -1, doc="household index"),
    Column("district", np.int16, 0, doc="daily-life area (日常生活圏域) index"),
    Column("role", np.int8, ROLE_HEAD, doc="household role: 0 head/partner, 1 child, 2 parent"),
    Column("never_married", np.bool_, True, doc="never partnered (8050 needs an unmarried child)"),
    Column("origin_hh", np.int32, -1, doc="household grown up in, if still in town (kin tie)"),
    Column("working", np.bool_, False, doc="in work (社縁: work ties)"),
    Column("arrival_m", np.int16, 0, doc="month the resident joined the town"),
    # needs and help-seeking
    Column("sev", np.int8, 0, rows=5, doc="severity per need (NEEDS): 0 none .. 3 severe"),
    Column("onset_m", np.int16, -1, rows=5, doc="month the current need began, per need"),
    Column("supported", np.bool_, False, rows=5, doc="receiving support, per need"),
    Column("known", np.bool_, False, rows=5, doc="need known to a counter (came forward/found)"),
    Column("assistance", np.bool_, False, doc="on public assistance (生活保護)"),
    Column("seek_cap", np.float32, 0.0, doc="capacity to seek help on one's own, 0..1"),
    Column("dropouts", np.int8, 0, doc="times dropped out of a referral (たらい回し)"),
    Column("case_state", np.int8, CASE_NONE, doc="0 none, 1 queued at a counter, 2 referred"),
    Column("case_counter", np.int16, -1, doc="counter the case is queued at or referred to"),
    Column("case_since", np.int16, 0, doc="month the case entered its current state"),
    Column("case_due", np.int16, 0, doc="month a referral reaches its counter"),
    Column("case_fields", np.uint8, 0, doc="bit mask of needs (NEEDS) the case is about"),
    Column("case_route", np.int8, 0, doc="how the case arrived: see support.ROUTES"),
    Column("case_joint", np.bool_, False, doc="compound case with a joint plan (多機関協働)"),
    # community
    Column("ties", np.int8, 0, rows=5, doc="ties outside the household per kind (TIE_KINDS)"),
    Column("venue", np.int32, -1, doc="venue attended regularly (-1 none)"),
    Column("org", np.int32, -1, doc="NPO or civic group belonged to (-1 none)"),
    Column("volunteer", np.bool_, False, doc="active volunteer (担い手)"),
    Column("lonely", np.bool_, False, doc="feels lonely often or always (孤独感)"),
    Column("vol_venue", np.int32, -1, doc="venue the volunteer helps at (-1 none)"),
    Column("vol_since", np.int16, 0, doc="month volunteering began"),
    Column("last_vol_m", np.int16, -32768, doc="last month volunteered"),
    Column("last_part_m", np.int16, -32768, doc="last month took part in a venue or group"),
    Column("minsei", np.bool_, False, doc="serves as 民生委員"),
    Column("minsei_since", np.int16, 0, doc="month appointed 民生委員"),
    Column("motivation", np.float32, 0.0, doc="wish to 'do something' for the area, 0..1"),
    Column("welfare_involved", np.bool_, False, doc="ever involved in welfare activity"),
)

HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column("key", np.uint64, 0, doc="identity for the whole run; keys random draws"),
    Column("district", np.int16, 0),
    Column("x", np.float32, 0.0, doc="position on the town map, km"),
    Column("y", np.float32, 0.0, doc="position on the town map, km"),
    Column("institution", np.bool_, False, doc="a care facility, not a private household"),
)


class _Table:
    """Growable column store: arrays with spare capacity, exposed as exact-length views."""

    _schema: tuple[Column, ...] = ()

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self._data: dict[str, np.ndarray] = {}
        for col in self._schema:
            shape = (col.rows, capacity) if col.rows else (capacity,)
            self._data[col.name] = np.full(shape, col.default, dtype=col.dtype)
        self._refresh()

    def __getstate__(self) -> dict[str, Any]:
        # Views are not shared when pickled or deep-copied: keep only the storage.
        return {"n": self.n, "_data": self._data}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.n = state["n"]
        self._data = state["_data"]
        self._reset_spare()  # a state saved by an older Kyosei may hold used rows past n
        self._refresh()

    def _reset_spare(self, end: int | None = None) -> None:
        """Set rows ``n`` .. ``end`` (default: the whole spare capacity) to the defaults."""
        for col in self._schema:
            self._data[col.name][..., self.n : end] = col.default

    def _refresh(self) -> None:
        for col in self._schema:
            arr = self._data[col.name]
            setattr(self, col.name, arr[:, : self.n] if col.rows else arr[: self.n])

    @property
    def capacity(self) -> int:
        return next(iter(self._data.values())).shape[-1]

    def _grow(self, need: int) -> None:
        cap = self.capacity
        if need <= cap:
            return
        new_cap = max(need, int(cap * 1.5) + 16)
        for col in self._schema:
            old = self._data[col.name]
            shape = (col.rows, new_cap) if col.rows else (new_cap,)
            new: np.ndarray = np.full(shape, col.default, dtype=col.dtype)
            new[..., : self.n] = old[..., : self.n]
            self._data[col.name] = new

    def append(self, count: int, **values: Any) -> slice:
        """Add ``count`` rows with defaults, overridden by ``values``; return their slice."""
        start = self.n
        self._grow(start + count)
        # Rows past ``n`` always hold the defaults (the columns start so, _grow fills its new
        # room so and keep resets the rows it frees), so new rows need no reset here: a
        # month's few small appends would otherwise pay one call per column each.
        self.n = start + count
        self._refresh()
        new = slice(start, self.n)
        for name, value in values.items():
            getattr(self, name)[..., new] = value
        return new

    def keep(self, mask: np.ndarray) -> None:
        """Drop rows where ``mask`` is False, preserving order."""
        # One contiguous row at a time: compressing a (rows, capacity) block along its
        # last axis at once is several times slower.
        k = int(np.count_nonzero(mask))
        old_n = self.n
        for col in self._schema:
            arr = self._data[col.name]
            for row in arr if col.rows else (arr,):
                kernels.compress(row[:old_n], mask)
        self.n = k
        self._reset_spare(old_n)  # the freed rows go back to the defaults (see append)
        self._refresh()

    def nbytes(self) -> int:
        """Memory held by the columns (including spare capacity)."""
        return sum(a.nbytes for a in self._data.values())


class Households(_Table):
    """Households: identity, district and map position. Members are found via ``Residents.hh``."""

    _schema = HOUSEHOLD_COLUMNS
    key: np.ndarray
    district: np.ndarray
    x: np.ndarray
    y: np.ndarray
    institution: np.ndarray


class Residents(_Table):
    """Every resident of the town as columns; see ``RESIDENT_COLUMNS`` for their meaning."""

    _schema = RESIDENT_COLUMNS
    pid: np.ndarray
    age_m: np.ndarray
    sex: np.ndarray
    alive: np.ndarray
    hh: np.ndarray
    district: np.ndarray
    role: np.ndarray
    never_married: np.ndarray
    origin_hh: np.ndarray
    working: np.ndarray
    arrival_m: np.ndarray
    sev: np.ndarray
    onset_m: np.ndarray
    supported: np.ndarray
    known: np.ndarray
    assistance: np.ndarray
    seek_cap: np.ndarray
    dropouts: np.ndarray
    case_state: np.ndarray
    case_counter: np.ndarray
    case_since: np.ndarray
    case_due: np.ndarray
    case_fields: np.ndarray
    case_route: np.ndarray
    case_joint: np.ndarray
    ties: np.ndarray
    venue: np.ndarray
    org: np.ndarray
    volunteer: np.ndarray
    lonely: np.ndarray
    vol_venue: np.ndarray
    vol_since: np.ndarray
    last_vol_m: np.ndarray
    last_part_m: np.ndarray
    minsei: np.ndarray
    minsei_since: np.ndarray
    motivation: np.ndarray
    welfare_involved: np.ndarray

    def count(self) -> int:
        """Number of living residents."""
        return int(np.count_nonzero(self.alive))

    def age_years(self) -> np.ndarray:
        """Completed years of age."""
        return self.age_m // 12

    def index_of(self, pid: int) -> int:
        """Array index of the living resident with identity ``pid``."""
        hits = np.flatnonzero((self.pid == np.uint64(pid)) & self.alive)
        if hits.size == 0:
            raise KeyError(f"no living resident with pid {pid}")
        return int(hits[0])


@dataclass(frozen=True)
class ResidentView:
    """A read-only snapshot of one resident, for inspection (tests, notebooks, live view)."""

    pid: int
    age: float
    sex: str
    district: int
    household: int
    household_size: int
    role: str
    needs: dict[str, int]
    supported: tuple[str, ...]
    known: tuple[str, ...]
    withdrawn: bool
    in_case: bool
    ties: dict[str, int]
    venue: int
    org: int
    volunteer: bool
    minsei: bool

    @property
    def isolated(self) -> bool:
        """No tie of any kind outside the household."""
        return sum(self.ties.values()) == 0


def view(residents: Residents, i: int) -> ResidentView:
    """A :class:`ResidentView` of the resident at array index ``i``."""
    r = residents
    members = np.count_nonzero((r.hh == r.hh[i]) & r.alive)
    return ResidentView(
        pid=int(r.pid[i]),
        age=round(float(r.age_m[i]) / 12.0, 2),
        sex="female" if r.sex[i] == FEMALE else "male",
        district=int(r.district[i]),
        household=int(r.hh[i]),
        household_size=int(members),
        role=("head/partner", "child", "parent")[int(r.role[i])],
        needs={f: int(r.sev[k, i]) for k, f in enumerate(NEEDS) if r.sev[k, i] > 0},
        supported=tuple(f for k, f in enumerate(NEEDS) if r.supported[k, i]),
        known=tuple(f for k, f in enumerate(NEEDS) if r.known[k, i]),
        withdrawn=bool(r.sev[N_NEEDS - 1, i] > 0),
        in_case=bool(r.case_state[i] != CASE_NONE),
        ties={kind: int(r.ties[k, i]) for k, kind in enumerate(TIE_KINDS)},
        venue=int(r.venue[i]),
        org=int(r.org[i]),
        volunteer=bool(r.volunteer[i]),
        minsei=bool(r.minsei[i]),
    )


def unmet_needs(r: Residents, idx: slice | np.ndarray = slice(None)) -> np.ndarray:
    """Needs × residents ``idx``: a need that exists and is not supported."""
    return (r.sev[:, idx] > 0) & ~r.supported[:, idx]


def hidden_needs(r: Residents, idx: slice | np.ndarray = slice(None)) -> np.ndarray:
    """Needs × residents ``idx``: a need that exists, is not supported and no counter knows."""
    return (r.sev[:, idx] > 0) & ~r.supported[:, idx] & ~r.known[:, idx]


def by_district(idx: np.ndarray, district: np.ndarray, n_districts: int) -> list[np.ndarray]:
    """``idx`` grouped by ``district`` (the district of each): one array per district.

    Within a district the order of ``idx`` is kept.
    """
    order = np.argsort(district, kind="stable")
    bounds = np.searchsorted(district[order], np.arange(n_districts + 1))
    idx = idx[order]
    return [idx[bounds[d] : bounds[d + 1]] for d in range(n_districts)]
