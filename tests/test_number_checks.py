"""The one numeric input check (model.parameters.check_number / check_whole)."""

import math

import numpy as np
import pytest

from model.parameters import ParameterError, check_number, check_whole, is_number

TOP = 2**63 - 1


def test_whole_numbers_are_compared_with_the_bounds_exactly():
    assert check_whole("seed", TOP, lo=0, hi=TOP) == TOP
    with pytest.raises(ParameterError, match="from 0 to 9223372036854775807"):
        check_whole("seed", TOP + 1, lo=0, hi=TOP)  # equal to TOP as a float


@pytest.mark.parametrize("bad", [True, "3", None, [3], math.nan, math.inf, 2.5, 10**400])
def test_what_is_not_a_whole_number_in_range_is_refused(bad: object):
    with pytest.raises(ParameterError) as err:
        check_whole("experiment.replications", bad, lo=1, hi=100)
    assert "experiment.replications" in str(err.value)


def test_a_whole_float_and_numpy_numbers_are_accepted():
    assert check_whole("years", 3.0, lo=1, hi=100) == 3
    assert check_number("scale", np.float32(2.5), lo=1) == 2.5
    assert is_number(np.int64(4))
    assert not is_number(np.bool_(True))


def test_the_message_is_given_or_built_from_the_range():
    with pytest.raises(ParameterError, match="a number from 1 to 10000 \\(people per agent\\)"):
        check_number("scale", 0.5, lo=1, hi=10_000, unit="people per agent")
    with pytest.raises(ParameterError, match="a finite number; a number"):
        check_number("x", math.nan)
    with pytest.raises(ParameterError, match="only this"):
        check_number("x", -1, lo=0, allowed="only this")
