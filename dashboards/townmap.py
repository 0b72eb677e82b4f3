"""District borders of a town for the Compare page's map, without building its people.

The map depends on the town profile only (``model.town.town_map``, the function the
model itself calls), so the map of a results set is drawn in milliseconds and shows
exactly the districts its runs placed people in.
"""

from __future__ import annotations

import functools

import numpy as np

from model.town import town_map
from scenarios import load_town


@functools.lru_cache(maxsize=32)
def polygons(town: str) -> tuple[np.ndarray, ...]:
    """Corner arrays (k, 2) in km, one per district, as ``model.town_map.polygons``."""
    return tuple(town_map(load_town(town).town).polygons)
