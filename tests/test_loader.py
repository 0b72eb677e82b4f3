"""Scenario files: every shipped profile loads; every bad value gets one clear message."""

import json
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.parameters import ParameterError, describe
from scenarios import load_policy, load_scenario, load_town, policy_names, town_names

GOOD = """
[town]
population = 1000
households = 420
districts = 1
area_km2 = 5.0
"""


def _file(tmp_path: Path, text: str, name: str = "town.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", town_names())
def test_shipped_towns_load_with_units_and_sources(name):
    params = load_town(name)
    assert params.town.name == name
    rows = describe(params)
    assert rows
    assert all(r["unit"] is not None and r["source"] for r in rows)


def test_shipped_profiles_are_the_ones_promised():
    assert {"okazaki", "small_town", "depopulating_village", "district"} <= set(town_names())
    okazaki = load_town("okazaki").town
    assert (okazaki.population, okazaki.households, okazaki.districts) == (385_676, 166_261, 20)


@pytest.mark.parametrize("name", policy_names())
def test_shipped_policies_load(name):
    assert load_policy(name).name == name


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        (GOOD + "colour = 'blue'\n", "town.colour", "blue"),
        (GOOD.replace("1000", "'many'"), "town.population", "many"),
        (GOOD.replace("1000", "-5"), "town.population", "-5"),
        (GOOD + "alone_65_male = 1.5\n", "town.alone_65_male", "1.5"),
        (GOOD.replace("districts = 1\n", ""), "town.districts", "(missing)"),
        (GOOD + "[demography]\ntfr = true\n", "demography.tfr", "True"),
        (GOOD + "[needs_of_cats]\nx = 1\n", "needs_of_cats", "x"),
        (GOOD.replace("households = 420", "households = 5000"), "town.households", "5000"),
        ("[town\npopulation = 3", "(file)", "town.toml"),
    ],
)
def test_bad_town_file_names_file_field_value_and_allowed(tmp_path, text, field, value):
    path = _file(tmp_path, text)
    with pytest.raises(ParameterError) as info:
        load_town(path)
    err = info.value
    assert err.file == str(path)
    assert err.field == field
    message = str(err)
    assert str(path) in message
    assert field in message
    assert value in message
    assert "allowed" in message
    assert err.allowed


def test_unknown_town_name_lists_known_ones():
    with pytest.raises(ParameterError, match="okazaki"):
        load_town("atlantis")


def test_base_profile_is_extended(tmp_path):
    path = _file(tmp_path, 'base = "small_town"\n[demography]\ntfr = 1.5\n', "mine.toml")
    params = load_town(path)
    assert params.demography.tfr == 1.5
    assert params.town.population == load_town("small_town").town.population


def test_overrides_are_validated():
    with pytest.raises(ParameterError, match=r"demography\.tfr"):
        load_scenario("district", overrides={"demography.tfr": -1})
    with pytest.raises(ParameterError, match=r"demography\.nonsense"):
        load_scenario("district", overrides={"demography.nonsense": 1})


# ---- property-based: malformed files never escape as anything but ParameterError ----

_KEYS = st.one_of(
    st.sampled_from(
        [
            "population",
            "households",
            "districts",
            "area_km2",
            "tfr",
            "in_rate",
            "alone_65_male",
            "age_weights_male",
            "out_rate",
            "name",
            "base",
        ]
    ),
    st.text(alphabet=string.ascii_letters + "_.-é岡", min_size=1, max_size=12),
)
_VALUES = st.recursive(
    st.one_of(
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.booleans(),
        st.text(max_size=20),
    ),
    lambda inner: st.lists(inner, max_size=25),
    max_leaves=30,
)


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    assert isinstance(v, list)
    return "[" + ", ".join(_toml_value(x) for x in v) + "]"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    section=st.sampled_from(["town", "demography", "needs", "zzz"]),
    entries=st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=4),
)
def test_malformed_files_raise_only_parameter_errors(tmp_path, section, entries):
    body = "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in entries.items())
    path = _file(
        tmp_path, GOOD + f"[{section}]\n" + body if section != "town" else "[town]\n" + body
    )
    try:
        params = load_town(path)
    except ParameterError as err:
        error = err
    else:
        assert params.town.population >= 1
        return
    assert error.file == str(path)
    assert error.field
    assert error.allowed


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200))
def test_garbage_bytes_raise_parameter_errors(tmp_path, data):
    path = tmp_path / "junk.toml"
    path.write_bytes(data)
    with pytest.raises(ParameterError):
        load_town(path)
