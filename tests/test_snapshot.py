"""The month's snapshot computes each fact when it is first read, not before."""

from __future__ import annotations

import numpy as np
import pytest

from model import kernels
from model.snapshot import Snapshot


@pytest.mark.parametrize("compiled", [False, True])
def test_a_fact_read_later_sees_the_deaths_in_between(tiny, monkeypatch, compiled):
    """``home`` read in the needs phase leaves ``sizes`` and ``alone`` to their first reader.

    Crisis deaths fall between the needs phase (which reads ``home``) and the volunteers
    (who read ``alone``): a partner who dies in a crisis leaves the other living alone for
    the rest of the month. Outputs depend on this order, so a change of speed must keep it.
    """
    if compiled and not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    monkeypatch.setattr(kernels, "USE_NUMBA", compiled)
    model = tiny(seed=3)
    r = model.residents
    snap = Snapshot(model)
    home = snap.home.copy()
    sizes_now = np.bincount(r.hh[r.alive], minlength=model.households.n)
    # Households of two at home: one member dies after ``home`` was read.
    pairs = np.flatnonzero(home & (sizes_now[r.hh] == 2))
    first_of_pair = pairs[np.unique(r.hh[pairs], return_index=True)[1]][:20]
    assert first_of_pair.size == 20
    r.alive[first_of_pair] = False
    partners = np.flatnonzero(home & np.isin(r.hh, r.hh[first_of_pair]) & r.alive)
    assert partners.size == first_of_pair.size
    assert (snap.sizes[r.hh[partners]] == 1).all()
    assert snap.alone[partners].all()
    assert snap.home[first_of_pair].all()  # ``home`` itself was fixed when first read
    np.testing.assert_array_equal(snap.alone, snap.home & (snap.sizes[r.hh] == 1))
