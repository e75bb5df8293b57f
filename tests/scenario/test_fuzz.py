"""Property tests: whatever YAML arrives, the loader answers with clean problems, never an exception."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario.load import check_text, load_text
from sim.scenario.problems import ScenarioError
from sim.scenario.text import clean_text

STARTER = files("sim.scenario").joinpath("starter.yaml").read_text(encoding="utf-8")
GOOD = STARTER.replace("__ID__", "bakery").replace("__TITLE__", "Bakery")
LINES = GOOD.splitlines(keepends=True)
FORMAT2 = (Path(__file__).parent / "format2.yaml").read_text(encoding="utf-8").splitlines(keepends=True)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["12m", "1h5m", "@x", "[bold]", "{name}", "!!python/object", "*a"]),
)
_yaml_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


def _assert_clean(text: str) -> None:
    _, problems = check_text(text, "f.yaml")
    for p in problems:
        assert str(p).startswith("f.yaml:")
    try:
        load_text(text, "f.yaml")
    except ScenarioError as exc:
        assert exc.problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    _assert_clean(text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(LINES) - 1), st.integers(0, len(LINES) - 1), st.text(max_size=40))
def test_mutated_starter(i: int, j: int, insert: str) -> None:
    _assert_clean(_mutated(LINES, i, j, insert))


def _mutated(source: list[str], i: int, j: int, insert: str) -> str:
    """Line ``i`` cut in half with ``insert`` added, and line ``j`` deleted."""
    lines = list(source)
    lines[i] = lines[i][: len(lines[i]) // 2] + insert + "\n"
    del lines[j]
    return "".join(lines)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(FORMAT2) - 1), st.integers(0, len(FORMAT2) - 1), st.text(max_size=40))
def test_mutated_format2_example(i: int, j: int, insert: str) -> None:
    _assert_clean(_mutated(FORMAT2, i, j, insert))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(
        [
            "format",
            "id",
            "duration",
            "personas",
            "posts",
            "waves",
            "injects",
            "scoring",
            "briefings",
            "company",
            "variables",
        ]
    ),
    _yaml_values,
)
def test_any_value_for_a_key(key: str, value: object) -> None:
    import yaml

    data = yaml.safe_load(GOOD)
    data[key] = value
    _assert_clean(yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["posts", "waves", "injects", "scoring", "briefings", "crisis_type_changes", "personas"]),
    st.integers(0, 3),
    st.sampled_from(["quote", "media", "pinned", "volume", "known_at", "public_from", "reveals", "expect", "at"]),
    _yaml_values,
)
def test_any_value_in_a_format2_item(key: str, index: int, field: str, value: object) -> None:
    import yaml

    data = yaml.safe_load("".join(FORMAT2))
    items = data.get(key)
    if isinstance(items, list) and items:
        item = items[index % len(items)]
        if isinstance(item, dict):
            item[field] = value
    else:
        data[key] = value
    _assert_clean(yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_text_leaves_no_escapes(text: str) -> None:
    out = clean_text(text)
    assert "\x1b" not in out
    assert not any(0x80 <= ord(c) <= 0x9F for c in out)
    assert not any(ord(c) < 32 and c not in "\n\t" for c in out)
    assert clean_text(out) == out


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_text_visible_shows_every_control_character(text: str) -> None:
    out = clean_text(text, visible=True)
    assert not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in out)
    assert clean_text(out, visible=True) == out
    # Nothing is dropped: every control character of the input is written out as \uXXXX.
    for c in set(text) - set("\r\n\t"):
        if (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F) and c not in out:
            assert f"\\u{ord(c):04x}" in out
