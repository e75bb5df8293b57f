"""The shipped scenarios' schema manifest: current, honest, and only ever a shortcut for those bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.scenario import checked
from sim.scenario.library import library_files
from sim.scenario.load import check_file, load_scenario
from sim.scenario.problems import ScenarioError


def test_the_manifest_lists_every_shipped_scenario_as_it_is_now() -> None:
    """Fails after a shipped scenario or the schema changed: run `python -m sim.scenario.checked`."""
    on_disk = json.loads(checked.MANIFEST.read_text(encoding="utf-8"))
    assert on_disk == checked.build_manifest(), "stale: run `python -m sim.scenario.checked`"
    assert set(on_disk["files"]) == {f.name for f in library_files()}
    # Every file it lists passes the full check, schema included (check_file never uses the manifest).
    for f in library_files():
        assert not [p for p in check_file(f) if p.severity == "error"], f.name


def test_shipped_bytes_skip_the_schema_pass_and_other_bytes_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.scenario import validate

    real = validate._validator
    calls: list[int] = []

    def counting() -> object:
        calls.append(1)
        return real()

    monkeypatch.setattr(validate, "_validator", counting)
    shipped = next(f for f in library_files() if f.stem == "empty-ovens")
    same = tmp_path / "copy.yaml"
    same.write_bytes(shipped.read_bytes())
    assert load_scenario(same).id == "empty-ovens"  # the very bytes, wherever they are: no schema pass
    assert calls == []
    assert not [p for p in check_file(same) if p.severity == "error"] and calls == [1]  # validate: always
    edited = tmp_path / "edited.yaml"
    text = shipped.read_text(encoding="utf-8")
    assert "\ntitle: " in text
    # A key the schema alone refuses (no other check looks at unknown keys).
    edited.write_text(text.replace("\ntitle: ", "\ntitel: nope\ntitle: ", 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(edited)
    assert any("titel" in p.message for p in exc.value.problems) and len(calls) == 2


def test_a_manifest_for_another_schema_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    checked.shipped_checked.cache_clear()
    monkeypatch.setattr(checked, "schema_digest", lambda: "0" * 64)
    try:
        assert checked.shipped_checked() == frozenset()
    finally:
        checked.shipped_checked.cache_clear()
