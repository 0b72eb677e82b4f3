"""District borders of a town for the Compare page's map, without building its people.

The model lays out districts (``model.town.layout``) from the town profile and the
run's seed before it creates any resident, so the map of a results set can be drawn
in milliseconds by calling the same function with the first replicate's seed.
"""

from __future__ import annotations

import functools

import numpy as np

from model.streams import Streams
from model.town import layout
from scenarios import load_town


@functools.lru_cache(maxsize=32)
def polygons(town: str, seed: int) -> tuple[np.ndarray, ...]:
    """Corner arrays (k, 2) in km, one per district, as ``model.town_map.polygons``."""
    params = load_town(town)
    return tuple(layout(params.town, Streams(int(seed))).polygons)
