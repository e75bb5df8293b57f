"""Storm expansion: volumes, placeholders, held items, determinism across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

from sim.scenario.expand import expand
from sim.scenario.load import load_text

STARTER = files("sim.scenario").joinpath("starter.yaml").read_text(encoding="utf-8")
GOOD = STARTER.replace("__ID__", "bakery").replace("__TITLE__", "Bakery")


def test_shape_counts_follow_ramp_plateau_decay() -> None:
    sc = load_text(GOOD)
    wave = sc.waves[0]
    counts = wave.per_minute
    assert len(counts) == 24  # minutes 1..25
    peak_window = counts[7:11]  # minutes 8..12 are the plateau at 6 per minute
    assert all(c == 6 for c in peak_window)
    assert counts[0] <= 2 and counts[-1] <= 2
    assert max(counts) == 6


def test_explicit_per_minute_counts_are_exact() -> None:
    shape = GOOD[GOOD.index("    volume:") : GOOD.index("    authors:")]
    text = GOOD.replace(shape, "    volume: {per_minute: [" + ", ".join(["3"] * 24) + "]}\n")
    storm = expand(load_text(text), 5)
    wave_posts = [p for p in storm.posts if p.wave == "w_worried"]
    assert len(wave_posts) == 72
    for minute in range(1, 25):
        assert sum(1 for p in wave_posts if p.t // 60 == minute) == 3


def test_posts_in_time_order_inside_the_scenario() -> None:
    storm = expand(load_text(GOOD), 3)
    times = [p.t for p in storm.posts]
    assert times == sorted(times)
    assert all(0 <= t < storm.scenario.duration for t in times)
    assert len({p.id for p in storm.posts}) == len(storm.posts)


def test_placeholders_are_filled() -> None:
    storm = expand(load_text(GOOD), 11)
    texts = [p.text for p in storm.posts if p.wave]
    assert texts and not any("{" in t for t in texts)
    assert any("@examplebakes" in t for t in texts)
    assert any(v in t for t in texts for v in ("sourdough", "rye loaf", "seeded batch"))


def test_held_posts_are_not_scheduled() -> None:
    storm = expand(load_text(GOOD))
    assert "p_silent" not in {p.id for p in storm.posts}
    assert storm.held["p_silent"][0].text.startswith("Still nothing")


def test_a_wave_does_not_shift_another() -> None:
    """Adding a wave leaves the other waves' posts unchanged (each wave has its own seed)."""
    extra = GOOD.replace(
        "\ninjects:",
        "  - id: w_extra\n    from: 2\n    to: 10\n    volume: {peak: 3}\n"
        "    templates:\n      - text: extra {name}\ninjects:",
    )
    a = [p for p in expand(load_text(GOOD), 4).posts if p.wave == "w_worried"]
    b = [p for p in expand(load_text(extra), 4).posts if p.wave == "w_worried"]
    assert a == b


def _preview(path: Path, seed: int, hashseed: str) -> bytes:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    return subprocess.run(
        [sys.executable, "-m", "sim", "preview", str(path), "--json", "--seed", str(seed)],
        check=True,
        capture_output=True,
        env=env,
    ).stdout


def test_deterministic_across_processes(tmp_path: Path) -> None:
    f = tmp_path / "bakery.yaml"
    f.write_text(GOOD, encoding="utf-8")
    one = _preview(f, 42, "1")
    two = _preview(f, 42, "987")
    other = _preview(f, 43, "1")
    assert one == two
    assert one != other
    assert one.count(b"\n") > 50


STORM_PROBE = """
import hashlib, json, os, sys
from sim.scenario.expand import expand
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
storm = expand(load_scenario(resolve(os.environ.get("PROBE_SCENARIO", "empty-ovens"))), 7)
print(json.dumps({"storm": hashlib.sha256(repr(storm).encode()).hexdigest(),
                  "faker": "faker" in sys.modules, "jsonschema": "jsonschema" in sys.modules}))
"""


def _probe(env: dict[str, str]) -> dict[str, object]:
    import json

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", STORM_PROBE], env=os.environ | env, cwd=root, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_kept_name_pools_give_the_same_storm_without_importing_faker(tmp_path: Path) -> None:
    """A workshop's consoles: serve draws the pools once, a console reads them (and never imports Faker)."""
    plain = _probe({"STORMDRILL_NAME_POOLS": ""})  # empty: no pools kept anywhere
    assert plain["faker"] is True
    pools = tmp_path / "pools"
    drawn = _probe({"STORMDRILL_NAME_POOLS": str(pools)})  # the first process draws and keeps them
    assert drawn["storm"] == plain["storm"] and drawn["faker"] is True
    kept = sorted(pools.glob("*.json"))
    assert kept, "no pools were kept"
    again = _probe({"STORMDRILL_NAME_POOLS": str(pools)})
    assert again == plain | {"faker": False}
    # A damaged or foreign file is not used: the pools are drawn again, the storm is the same.
    kept[0].write_text('{"faker": "0.0", "first": ["x"], "last": [], "cities": []}', encoding="utf-8")
    kept[1].write_text("not json", encoding="utf-8")
    redrawn = _probe({"STORMDRILL_NAME_POOLS": str(pools)})
    assert redrawn["storm"] == plain["storm"] and redrawn["faker"] is True


def test_solo_play_keeps_its_pools_in_the_cache_folder_so_a_second_start_skips_faker(tmp_path: Path) -> None:
    env = {"STORMDRILL_HOME": str(tmp_path / "home")}
    first, second = _probe(env), _probe(env)
    assert first["faker"] is True and second == first | {"faker": False}
    assert list((tmp_path / "home" / "cache" / "name-pools").glob("*.json"))


def test_a_scenario_file_serve_checked_skips_only_the_schema_in_its_consoles(tmp_path: Path) -> None:
    import hashlib

    root = Path(__file__).resolve().parents[2]
    # A file of one's own (the shipped bytes plus a comment: not in the shipped manifest).
    own = tmp_path / "empty-ovens.yaml"
    own.write_bytes((root / "scenarios" / "empty-ovens.yaml").read_bytes() + b"\n# my copy\n")
    digest = hashlib.sha256(own.read_bytes()).hexdigest()
    plain = _probe({"PROBE_SCENARIO": str(own)})
    assert plain["jsonschema"] is True
    checked = _probe({"PROBE_SCENARIO": str(own), "STORMDRILL_SCHEMA_CHECKED": digest})
    assert checked == plain | {"jsonschema": False}
    # Another file (its hash is not the one serve checked) is checked against the schema as ever.
    other = _probe({"PROBE_SCENARIO": str(own), "STORMDRILL_SCHEMA_CHECKED": "0" * 64})
    assert other["jsonschema"] is True
    # The shipped file, as shipped, passed the schema when it was listed (sim.scenario.checked).
    assert _probe({})["jsonschema"] is False
