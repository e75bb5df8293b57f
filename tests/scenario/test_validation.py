"""Each kind of bad input gives its message at the right line, and all problems are reported."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from sim.scenario.load import check_file, check_text, load_text
from sim.scenario.problems import ScenarioError

STARTER = files("sim.scenario").joinpath("starter.yaml").read_text(encoding="utf-8")
GOOD = STARTER.replace("__ID__", "bakery").replace("__TITLE__", "Bakery")


def line_of(text: str, needle: str) -> int:
    """1-based line number of the first line containing ``needle``."""
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in text")


def problems_of(text: str) -> list[str]:
    return [str(p) for p in check_text(text, "s.yaml")[1]]


def only_errors(text: str) -> list[str]:
    return [str(p) for p in check_text(text, "s.yaml")[1] if p.severity == "error"]


def test_starter_is_valid() -> None:
    assert problems_of(GOOD) == []
    sc = load_text(GOOD)
    assert sc.id == "bakery"
    assert sc.duration == 30 * 60
    assert [b.id for b in sc.briefings] == ["b_start", "b_cause"]
    assert sc.scoring.plan_deadline == 25 * 60
    assert sc.scoring.avoid[0].until_briefing == "b_cause"


@pytest.mark.parametrize(
    ("old", "new", "marker", "message"),
    [
        ("    text: My son", "    tex: My son", "tex: My son", "unknown key `tex` (did you mean `text`?)"),
        (
            "followers: 410",
            "followers: lots",
            "followers: lots",
            "`followers` should be a whole number, got text `lots`",
        ),
        ("    at: 8\n", "    at: 45\n", "at: 45", "time 45m is after the scenario's end (30m)"),
        (
            "    author: reporter\n    text: Can",
            "    author: reportr\n    text: Can",
            "author: reportr",
            "unknown persona `reportr` (did you mean `reporter`?)",
        ),
        (
            "{company} hiding",
            "{compnay} hiding",
            "{compnay} hiding",
            "unknown placeholder `{compnay}` (did you mean `company`?)",
        ),
        (
            "fires: [p_silent]",
            "fires: [p_silnt]",
            "fires: [p_silnt]",
            "inject fires unknown post or wave `p_silnt` (did you mean `p_silent`?)",
        ),
        (
            "  - id: p_press",
            "  - id: p_allergy",
            "  - id: p_allergy\n    at: 6",
            "duplicate post or wave id `p_allergy`",
        ),
        (
            "difficulty: intro",
            "difficulty: easy",
            "difficulty: easy",
            "text `easy` is not a valid `difficulty` (one of: intro, standard, hard)",
        ),
        ("duration: 30 ", "duration: half an hour ", "duration: half", "`duration` should be a time"),
        (
            '  handle: "@examplebakes"',
            "  handle: examplebakes",
            "handle: examplebakes",
            "`handle` should be a handle like @name",
        ),
        ("    role: customer ", "    role: custmer ", "role: custmer", "(did you mean `customer`?)"),
        (
            "when: {no_statement_by: 10}",
            "when: {no_statment_by: 10}",
            "no_statment_by",
            "unknown key `no_statment_by` (did you mean `no_statement_by`?)",
        ),
        ("      peak_at: 8 ", "      peak_at: 28 ", "peak_at: 28", "`peak_at` (28m) is outside the wave"),
        ("  - id: b_cause\n", "  - id: b_cause\n    colour: red\n", "colour: red", "unknown key `colour`"),
    ],
)
def test_bad_input_message_at_line(old: str, new: str, marker: str, message: str) -> None:
    assert old in GOOD, old
    text = GOOD.replace(old, new, 1)
    line = line_of(text, marker.split("\n")[0]) if "\n" not in marker else _line_of_block(text, marker)
    errors = only_errors(text)
    hits = [e for e in errors if message in e]
    assert hits, f"no {message!r} in {errors}"
    assert any(h.startswith(f"s.yaml:{line}:") for h in hits), (line, hits)


def _line_of_block(text: str, block: str) -> int:
    idx = text.index(block)
    return text[:idx].count("\n") + 1


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = (
        GOOD.replace("followers: 410", "followers: lots")
        .replace("    text: My son", "    tex: My son", 1)
        .replace("fires: [p_silent]", "fires: [nothing_here]")
    )
    errors = only_errors(text)
    assert len(errors) >= 4  # wrong type, unknown key, missing text, unknown fired id
    assert all(re.match(r"^s\.yaml:\d+:\d+: ", e) for e in errors)


def test_missing_required_keys() -> None:
    errors = only_errors("format: 1\nid: x\n")
    for key in ("title", "summary", "difficulty", "crisis_type", "duration", "company"):
        assert any(f"missing key `{key}`" in e for e in errors), key


def test_inject_cannot_fire_a_scheduled_post() -> None:
    text = GOOD.replace("fires: [p_silent]", "fires: [p_press]")
    assert any("`p_press` is already scheduled" in e for e in only_errors(text))


def test_reply_to_must_exist_and_come_earlier() -> None:
    text = GOOD.replace("    tags: [media, question]\n", "    tags: [media, question]\n    reply_to: p_nope\n", 1)
    assert any("`reply_to` names unknown post `p_nope`" in e for e in only_errors(text))
    text = GOOD.replace("    tags: [safety, question]\n", "    tags: [safety, question]\n    reply_to: p_press\n", 1)
    assert any("arrives later" in e for e in only_errors(text))


def test_two_conditions_in_one_inject() -> None:
    text = GOOD.replace("when: {no_statement_by: 10}", "when: {no_statement_by: 10, no_plan_by: 20}")
    assert any("more than one condition" in e for e in only_errors(text))


def test_per_minute_length_must_match_window() -> None:
    shape = GOOD[GOOD.index("    volume:") : GOOD.index("    authors:")]
    text = GOOD.replace(shape, "    volume: {per_minute: [1, 2, 3]}\n")
    assert any("`per_minute` has 3 counts but the wave lasts 24 minute(s)" in e for e in only_errors(text))


def test_avoid_until_unknown_briefing() -> None:
    text = GOOD.replace("until: b_cause ", "until: b_caus ")
    assert any("unknown briefing `b_caus`" in e for e in only_errors(text))


def test_duplicate_yaml_key_reported_with_first_line() -> None:
    text = GOOD.replace("seed: 1 ", "seed: 1\nseed: 2 ")
    errors = only_errors(text)
    assert any("duplicate key `seed`" in e and f"first given at line {line_of(GOOD, 'seed: 1')}" in e for e in errors)


def test_hostile_text_is_cleaned_on_load() -> None:
    text = GOOD.replace(
        "text: My son has a sesame allergy and ate your seeded loaf this morning. Is it safe??",
        'text: "My son has a sesame allergy. Is it safe?? \\e]52;c;ZXZpbA==\\a\\e[2J\\u202eok"',
    )
    sc = load_text(text)
    post = next(p for p in sc.posts if p.id == "p_allergy")
    assert post.text == "My son has a sesame allergy. Is it safe?? ok"


def test_load_raises_with_all_problems() -> None:
    with pytest.raises(ScenarioError) as info:
        load_text(GOOD.replace("followers: 410", "followers: -4").replace("difficulty: intro", "difficulty: x"))
    assert len(info.value.errors) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a: [1\n", "invalid YAML"),
        (b"!!python/object/apply:os.system ['echo pwned']\n", "is not allowed"),
        (b"- just\n- a list\n", "a scenario is a mapping of keys"),
        (b"", "the file is empty"),
        (b"\xff\xfe\x00bad", "not valid UTF-8"),
        (b"title: x\x00\n", "NUL byte"),
        (b"a:\n\tb: 1\n", "tabs"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_bytes(content)
    problems = [str(p) for p in check_file(f)]
    assert any(message in p for p in problems), problems
    assert all(p.startswith(str(f)) for p in problems)


def test_huge_file_refused_without_reading_it(tmp_path: Path) -> None:
    f = tmp_path / "huge.yaml"
    f.write_bytes(b"# " + b"x" * (2 * 1024 * 1024) + b"\n")
    problems = [str(p) for p in check_file(f)]
    assert len(problems) == 1 and "more than the limit" in problems[0]


def test_alias_bomb_stops_early(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    f = tmp_path / "bomb.yaml"
    f.write_text("\n".join(lines) + "\n")
    problems = [str(p) for p in check_file(f)]
    assert any("more than 50,000 YAML nodes" in p for p in problems)


def test_deep_nesting_is_a_clean_error() -> None:
    problems = problems_of("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert problems and all(p.startswith("s.yaml:") for p in problems)


def test_regex_looking_patterns_get_a_warning_at_their_line() -> None:
    text = GOOD.replace(
        'contradicts: ["sabotage", "contaminated flour"]', 'contradicts: ["sabotage", "contaminated (flour|dough)?"]'
    )
    line = line_of(text, "contaminated (flour|dough)?")
    found = [p for p in check_text(text, "s.yaml")[1] if "looks like a regular expression" in p.message]
    assert len(found) == 1
    assert found[0].severity == "warning" and found[0].line == line
    assert "`(` `)` `?`" in found[0].message and "cyber attack|cyberattack" in found[0].hint
    load_text(text)  # a warning, not an error: the scenario still loads
