"""Every shipped scenario validates and meets the library's requirements."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.expand import expand
from sim.scenario.library import DEFAULT_SCENARIO, library_files, resolve
from sim.scenario.load import check_file, load_scenario

FILES = library_files()
PLAYABLE = [f for f in FILES if f.stem != "stress"]


def test_library_has_enough_scenarios() -> None:
    assert len(PLAYABLE) >= 12  # issue 15: at least twelve playable scenarios
    assert any(f.stem == "stress" for f in FILES)
    assert resolve(DEFAULT_SCENARIO).exists()


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_shipped_scenario_is_valid(path: Path) -> None:
    assert [str(p) for p in check_file(path)] == []
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./scenario.schema.json"


def test_library_covers_types_and_difficulties() -> None:
    scenarios = [load_scenario(f) for f in PLAYABLE]
    assert {s.crisis_type for s in scenarios} == {"victim", "accidental", "preventable"}
    assert {s.difficulty for s in scenarios} == {"intro", "standard", "hard"}
    assert len({s.id for s in scenarios}) == len(scenarios)


@pytest.mark.parametrize("path", PLAYABLE, ids=[f.stem for f in PLAYABLE])
def test_playable_scenario_shape(path: Path) -> None:
    sc = load_scenario(path)
    assert path.stem == sc.id
    assert 20 * 60 <= sc.duration <= 90 * 60
    storm = expand(sc)
    total = len(storm.posts) + sum(len(v) for v in storm.held.values())
    assert 150 <= total <= 3000
    must = [p for p in sc.posts if p.expect is not None]
    tags = {t for p in must for t in p.tags}
    personas = [sc.persona(p.author) for p in must]
    assert None not in personas  # every must-handle author has a persona
    roles = {p.role for p in personas if p is not None}
    assert "safety" in tags
    assert "journalist" in roles
    assert "influencer" in roles
    assert tags & {"misinformation", "scam"} or roles & {"scammer"}
    assert any(p.expect and p.expect.private for p in must)
    assert all(p.expect and p.expect.model_answer for p in must)
    assert sc.injects


def test_stress_is_big_enough() -> None:
    storm = expand(load_scenario(resolve("stress")))
    assert len(storm.posts) >= 10_000
    assert storm.scenario.duration <= 60 * 60


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_fast_and_pure_python_parsers_agree(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml speeds loading up; every value and key keeps the position the Python parser gives it."""
    from sim.scenario import yamlpos

    text = path.read_text(encoding="utf-8")
    fast = yamlpos.parse_yaml(text, path.name)
    monkeypatch.setattr(yamlpos, "_FAST_LOADER", None)
    pure = yamlpos.parse_yaml(text, path.name)
    assert fast.data == pure.data
    assert fast.values == pure.values
    assert fast.keys == pure.keys
    assert fast.problems == pure.problems == []


def test_readme_lists_every_scenario_with_its_real_cases() -> None:
    """scenarios/README.md's library table has a row for every shipped file, naming the industry and
    the real crises it draws on, with the file's own difficulty and crisis type."""
    readme = (FILES[0].parent / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 9 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells
    for path in PLAYABLE:
        sc = load_scenario(path)
        assert sc.id in rows, f"{sc.id} is missing from scenarios/README.md"
        _, title, industry, difficulty, crisis_type, minutes, _, cases, _ = rows[sc.id]
        assert (title, difficulty, crisis_type, int(minutes)) == (
            sc.title,
            sc.difficulty,
            sc.crisis_type,
            sc.duration // 60,
        )
        assert industry and len(cases) > 10
    assert set(rows) == {f.stem for f in FILES}
