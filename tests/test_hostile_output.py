"""Hostile text never reaches the terminal through the CLI: every command's output goes through one
cleaning step (``sim.cli.CleanStream``), and bad scenarios still get a clear message, file:line, exit 2.

Each test runs the real entry point (``sim.cli.main``) in-process and reads what it printed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

from sim.cli import main

HERE = Path(__file__).resolve().parent
TITLE = "\x1b]0;pwned\x07"  # OSC 0: sets the terminal's title
CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"  # OSC 52: writes the clipboard
COLOUR = "\x1b[31m"  # CSI colour
C1_CSI = "\x9b2J"  # 8-bit CSI: clears the screen
HOSTILE = TITLE + CLIPBOARD + COLOUR + C1_CSI
# Positions of the hostile values in the file hostile_scenario writes.
WHERE = {"id": ":3:5: `id`", "handle": ":12:45: `handle`", "tags": ":19:71: text `tag", "at": ":22:18: `at`"}


def assert_clean(text: str) -> None:
    """No escape sequence, bell, C1 control or other control character (but newline and tab)."""
    bad = sorted({f"U+{ord(c):04X}" for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F})
    assert not bad, f"control characters reached the output: {bad}"


def hostile_scenario(path: Path) -> Path:
    """The engine's test scenario with escape sequences in an id, a handle, a tag and a time."""

    def q(s: str) -> str:
        return json.dumps(s)  # a JSON string is a YAML double-quoted scalar with \u escapes

    text = (HERE / "engine" / "scenario.yaml").read_text(encoding="utf-8")
    for old, new in (
        ("id: engine-test", f"id: {q('engine' + CLIPBOARD)}"),
        ('handle: "@jo"', f"handle: {q('@jo' + TITLE)}"),
        ("tags: [complaint]}\n  - {id: p2", f"tags: [{q('tag' + COLOUR + C1_CSI + TITLE)}]}}\n  - {{id: p2"),
        ("{id: p3, at: 2,", f"{{id: p3, at: {q('2' + TITLE)},"),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[Any, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def assert_validation_messages(path: Path, err: str) -> None:
    for key, where in WHERE.items():
        assert f"{path}{where}" in err, f"no file:line message for `{key}`:\n{err}"
    # The author sees what is wrong with the value: the control characters, written out.
    assert "got text `@jo\\u001b]0;pwned\\u0007`" in err
    assert "Traceback" not in err


@pytest.fixture
def scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STORMDRILL_HOME", str(tmp_path / "home"))
    return hostile_scenario(tmp_path / "hostile.yaml")


def test_validate(capsys: pytest.CaptureFixture[str], scenario: Path) -> None:
    code, out, err = run(capsys, "validate", str(scenario))
    assert code == 2
    assert_validation_messages(scenario, err)
    assert_clean(out + err)


def test_validate_a_raw_control_character_in_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "raw.yaml"
    path.write_text((HERE / "engine" / "scenario.yaml").read_text().replace("Engine test", f"Engine {TITLE}test"))
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert f"{path}:4:15: the file contains the control character U+001B, which YAML does not allow" in err
    assert_clean(err)


def test_file_names_and_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / f"x{TITLE}.yaml"))
    assert code == 2 and "x\\u001b]0;pwned\\u0007.yaml: no such file" in err
    assert_clean(err)
    code, _, err = run(capsys, "play", "--speed", HOSTILE)  # click's own message quotes the value
    assert code == 2 and "Invalid value for '--speed'" in err
    assert_clean(err)


def test_play_error_path(capsys: pytest.CaptureFixture[str], scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The console validates the file behind its first frame, leaves, and the CLI prints the problems."""
    from sim.tui.app import StormdrillApp

    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setattr(StormdrillApp, "run", lambda self, **kw: App.run(self, headless=True, size=(100, 30)))
    code, out, err = run(capsys, "play", str(scenario), "--trainee", HOSTILE)
    assert code == 2
    assert_validation_messages(scenario, err)
    assert f"{scenario}: 4 problems found" in err
    assert_clean(out + err)


def test_preview(capsys: pytest.CaptureFixture[str], scenario: Path) -> None:
    code, out, err = run(capsys, "preview", str(scenario))
    assert code == 2
    assert_validation_messages(scenario, err)
    assert_clean(out + err)


def test_autoplay(capsys: pytest.CaptureFixture[str], scenario: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, "autoplay", str(scenario), "--bot", "silent", "--out", str(tmp_path / "j.jsonl"))
    assert code == 2
    assert_validation_messages(scenario, err)
    assert_clean(out + err)


def test_calibrate(capsys: pytest.CaptureFixture[str], scenario: Path) -> None:
    code, out, err = run(capsys, "calibrate", "--quiet", "--humans", "skip", str(scenario.parent))
    assert code == 2
    assert_validation_messages(scenario, err)
    assert_clean(out + err)


# --------------------------------------------------------------------------- a hostile trainee name

NAME = f"Mallory {HOSTILE} **[prize](http://evil.example)** <b>x</b>"


@pytest.fixture
def journal(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real session journal whose header names a hostile trainee (a journal handed in at a workshop)."""
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "new", "bakery")[0] == 0
    out = tmp_path / "j.jsonl"
    code, _, err = run(capsys, "autoplay", "bakery.yaml", "--bot", "canned", "--out", str(out))
    assert code == 0, err
    lines = out.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["trainee"] = NAME
    lines[0] = json.dumps(header, ensure_ascii=False)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def test_score(capsys: pytest.CaptureFixture[str], journal: Path) -> None:
    code, out, err = run(capsys, "score", str(journal))
    assert code == 0, err
    assert out.splitlines()[0].startswith("Bakery: Mallory \\u001b]0;pwned\\u0007")
    assert_clean(out + err)
    code, out, err = run(capsys, "score", str(journal), "--json")
    assert code == 0, err
    assert_clean(out)
    assert json.loads(out)["trainee"] == NAME  # the JSON stays valid, and reads back what the journal holds


def report(capsys: pytest.CaptureFixture[str], journal: Path, flag: str) -> str:
    path = journal.with_suffix("." + flag)
    code, out, err = run(capsys, "report", str(journal), f"--{flag}", str(path))
    assert code == 0, err
    assert out.strip() == f"wrote {path}"
    assert_clean(out + err)
    return path.read_text(encoding="utf-8")


def test_report_markdown(capsys: pytest.CaptureFixture[str], journal: Path) -> None:
    from markdown_it import MarkdownIt

    md = report(capsys, journal, "md")
    assert_clean(md)
    [heading] = re.findall(r"<h2>(.*)</h2>", MarkdownIt("gfm-like").render(md))
    # Rendered (GFM, bare addresses linked), the name is plain text: no link, no bold, no HTML.
    assert re.fullmatch(r"Mallory \*\*\[prize\]\(http://evil\.example\)\*\* &lt;b&gt;x&lt;/b&gt;: \d+/100", heading)


def test_report_html(capsys: pytest.CaptureFixture[str], journal: Path) -> None:
    page = report(capsys, journal, "html")
    assert_clean(page)
    assert re.search(r"<h2>Mallory +\*\*\[prize\]\(http://evil\.example\)\*\* &lt;b&gt;x&lt;/b&gt;: ", page)


def test_picker_and_open_failure_show_problems_as_text(scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The console draws validation problems too: the picker's summary and the "cannot open" notice.
    import sim.scenario.library as library
    import sim.tui.screens.picker as picker

    monkeypatch.setattr(library, "library_files", lambda: [scenario])  # the picker reads the library through it
    (entry,) = picker.load_library()
    assert entry.scenario is None and entry.problem
    assert_clean(entry.problem)
    assert "\\u001b" in entry.problem  # written out, so the author sees what is wrong
