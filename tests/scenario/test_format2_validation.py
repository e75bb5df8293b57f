"""Format 2 validates like format 1: every problem at its line, in plain words, with what to do next;
format 1 files keep validating as before; the documented example is the fixture and it validates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sim.scenario.load import check_text, load_scenario, load_text
from sim.scenario.schema import SCHEMA

from ..f2 import text

HERE = Path(__file__).parent
EXAMPLE = HERE / "format2.yaml"
DOCS = HERE.parent.parent / "docs" / "scenario-format.md"


def problems(yaml_text: str, severity: str = "error") -> list[str]:
    return [str(p) for p in check_text(yaml_text, "s.yaml")[1] if p.severity == severity]


def line_of(yaml_text: str, needle: str, start: int = 0) -> int:
    return yaml_text[: yaml_text.index(needle, start)].count("\n") + 1


def test_the_documented_example_is_the_fixture_and_is_valid() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", docs, re.S)
    example = EXAMPLE.read_text(encoding="utf-8")
    body = example.split("\n", 1)[1]  # the first line points editors at the schema, relative to the file
    assert any(b.split("\n", 1)[1] == body for b in blocks if b.startswith("# yaml-language-server")), (
        "docs/scenario-format.md must show tests/scenario/format2.yaml"
    )
    assert [str(p) for p in check_text(example, "format2.yaml")[1]] == []
    jsonschema.validate(yaml.safe_load(example), SCHEMA)  # what an editor checks
    sc = load_scenario(EXAMPLE)
    assert sc.format == 2 and sc.crisis_type_at(25 * 60) == "preventable"


def test_no_format_key_is_format_1() -> None:
    f1 = text(format=None).replace("known_at:", "at:").replace("@acme.rail", "@acmerail")
    f1 = f1.replace("@cam-lee", "@camlee").replace("@jo.reed", "@joreed")
    assert problems(f1) == []
    assert load_text(f1).format == 1


def test_format_3_is_refused_with_the_versions_that_exist() -> None:
    bad = text(format=3)
    assert any(
        e.startswith(f"s.yaml:{line_of(bad, 'format: 3')}:") and "`format` should be 1 or 2" in e for e in problems(bad)
    )


def test_format_2_keys_in_a_format_1_file_say_to_migrate() -> None:
    f1 = text(format=1).replace("known_at:", "at:").replace("@acme.rail", "@acmerail")
    f1 = f1.replace("@cam-lee", "@camlee").replace("@jo.reed", "@joreed")
    bad = f1.replace("  public_line: A train broke.\n", "  public_line: A train broke.\n  public_from: 3\n")
    errs = problems(bad)
    assert any(
        "unknown key `public_from`" in e and "new in format 2" in e and "stormdrill migrate" in e for e in errs
    ), errs
    dotted = f1.replace("@camlee", "@cam.lee")
    assert any("dots and hyphens in handles are new in format 2" in e for e in problems(dotted))


def test_a_format_2_briefing_says_known_at() -> None:
    bad = text().replace("known_at:", "at:")
    assert any("unknown key `at`" in e and "`known_at`" in e for e in problems(bad))
    assert any("missing key `known_at`" in e for e in problems(bad))


def test_handles_with_dots_and_hyphens_are_valid_in_format_2_only_inside() -> None:
    assert problems(text()) == []
    for bad_handle in ("@.cam", "@cam-", "@cam lee", "@" + "a" * 61):
        bad = text().replace("@cam-lee", bad_handle)
        assert any("`handle` should be a handle like @name" in e for e in problems(bad)), bad_handle


EMBARGO = {
    "id": "b_theft",
    "known_at": 5,
    "public_from": 10,
    "reveals": "stolen",
    "title": "Theft",
    "text": "The cable was stolen.",
}


@pytest.mark.parametrize(
    ("changes", "marker", "message"),
    [
        (
            {"briefings": [{**EMBARGO, "public_from": 3}]},
            "public_from: 3",
            "`public_from` (3m) is before the fact is known (`known_at` 5m)",
        ),
        (
            {"briefings": [{k: v for k, v in EMBARGO.items() if k != "reveals"}]},
            "- id: b_theft",
            "an embargo needs `reveals`",
        ),
        ({"briefings": [{**EMBARGO, "public_from": 40}]}, "public_from: 40", "time 40m is after the scenario's end"),
        (
            {"injects": [{"id": "i", "when": {"embargo_broken": "b0"}, "pressure": 5}]},
            "embargo_broken: b0",
            "briefing `b0` has no embargo",
        ),
        (
            {"injects": [{"id": "i", "when": {"embargo_broken": "b_thef"}, "pressure": 5}]},
            "embargo_broken: b_thef",
            "unknown briefing `b_thef`",
        ),
        ({"injects": [{"id": "i", "when": {"no_plan_by": 5}}]}, "- id: i", "this inject does nothing"),
        (
            {"waves": [{"id": "w", "from": 0, "to": 30, "volume": {"current": 2}, "templates": [{"text": "x"}]}]},
            "current: 2",
            "`current` is for held waves",
        ),
        (
            {
                "waves": [
                    {
                        "id": "w",
                        "from": 0,
                        "to": 5,
                        "held": True,
                        "volume": {"current": 2, "peak": 3},
                        "templates": [{"text": "x"}],
                    }
                ],
                "injects": [{"id": "i", "when": {"no_plan_by": 5}, "fires": ["w"]}],
            },
            "current: 2",
            "give either `current` or a volume",
        ),
        (
            {"waves": [{"id": "w", "from": 0, "to": 30, "volume": {"peak": 3, "responds": {"half_life": 0}}}]},
            "half_life: 0",
            "`half_life` must be more than 0",
        ),
        (
            {"waves": [{"id": "w", "from": 0, "to": 30, "volume": {"peak": 3, "responds": {"flaged_reply": 1}}}]},
            "flaged_reply",
            "unknown key `flaged_reply` (did you mean `flagged_reply`?)",
        ),
        (
            {"posts": [{"id": "p1", "at": 1, "author": "cust", "text": "x", "quote": "p9"}]},
            "quote: p9",
            "`quote` names unknown post `p9`",
        ),
        (
            {
                "posts": [
                    {"id": "p1", "at": 1, "author": "cust", "text": "x", "quote": "p2"},
                    {"id": "p2", "at": 2, "author": "cust", "text": "y"},
                ]
            },
            "quote: p2",
            "`quote` names post `p2`, which arrives later",
        ),
        (
            {"posts": [{"id": "p1", "at": 1, "author": "cust", "text": "x", "media": {"kind": "gif", "caption": "c"}}]},
            "kind: gif",
            "text `gif` is not a valid `kind` (one of: video, image, audio, link)",
        ),
        (
            {
                "posts": [
                    {
                        "id": "p1",
                        "at": 1,
                        "author": "cust",
                        "text": "x",
                        "expect": {"must_not_say": [{"say": "<number> people", "from": 10, "until": 5}]},
                    }
                ]
            },
            "until: 5",
            "`until` (5m) is not after `from` (10m)",
        ),
        (
            {
                "posts": [
                    {
                        "id": "p1",
                        "at": 1,
                        "author": "cust",
                        "text": "x",
                        "expect": {"must_mention": [{"sey": "sorry"}]},
                    }
                ]
            },
            "sey: sorry",
            "`must_mention` should be a pattern, or {say: PATTERN, from: TIME, until: TIME}",
        ),
        (
            {"scoring": {"plan": {"not_before": 20, "deadline": 15}}},
            "not_before: 20",
            "`not_before` (20m) is not before the deadline (15m)",
        ),
        (
            {"crisis_type_changes": [{"at": 20, "to": "preventable"}, {"at": 10, "to": "accidental"}]},
            "at: 10\n  to: accidental",
            "crisis type changes must be in time order",
        ),
        (
            {"crisis_type_changes": [{"at": 20, "to": "avoidable"}]},
            "to: avoidable",
            "text `avoidable` is not a valid `to`",
        ),
    ],
)
def test_format_2_problems_at_their_line(changes: dict[str, Any], marker: str, message: str) -> None:
    if "briefings" in changes:
        changes = {**changes, "briefings": [*_base_briefings(), *changes["briefings"]]}
    bad = text(**changes)
    line = line_of(bad, marker)
    errs = problems(bad)
    hits = [e for e in errs if message in e]
    assert hits, f"no {message!r} in {errs}"
    assert any(h.startswith(f"s.yaml:{line}:") for h in hits), (line, hits)


def _base_briefings() -> list[dict[str, object]]:
    return [{"id": "b0", "known_at": 0, "title": "Start", "text": "A train broke down."}]


def test_unknown_placeholders_in_posts_are_warned_about_and_shown_as_written() -> None:
    ok = text(posts=[{"id": "p1", "at": 1, "author": "cust", "text": "{trainee_name}, {promised_time}? {{x}}"}])
    assert problems(ok, "warning") == []
    typo = text(posts=[{"id": "p1", "at": 1, "author": "cust", "text": "Update at {promised_tme}?"}])
    warned = problems(typo, "warning")
    assert any("unknown placeholder `{promised_tme}`" in w and "did you mean `promised_time`" in w for w in warned)
    assert problems(typo) == []  # a warning: the scenario still loads


def test_live_placeholders_in_wave_templates_are_format_2_only() -> None:
    wave = {
        "id": "w",
        "from": 0,
        "to": 30,
        "volume": {"peak": 2},
        "templates": [{"text": "Silent for {minutes_silent} minutes"}],
    }
    assert problems(text(waves=[wave])) == []
    f1 = text(format=1, waves=[wave]).replace("known_at:", "at:").replace("@acme.rail", "@acmerail")
    f1 = f1.replace("@cam-lee", "@camlee").replace("@jo.reed", "@joreed")
    assert any("unknown placeholder `{minutes_silent}`" in e for e in problems(f1))


def test_the_number_token_is_not_mistaken_for_a_regular_expression() -> None:
    post = {"id": "p1", "at": 1, "author": "cust", "text": "x", "expect": {"must_not_say": ["<number> accounts"]}}
    assert problems(text(posts=[post]), "warning") == []
