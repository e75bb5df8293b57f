"""Keys: every command declared once (sim/tui/commands.py), the trainee's keymap and `stormdrill keys`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import cli
from sim.tui import commands
from sim.tui.keymap import KeymapError, parse_keymap


def test_the_default_keys_make_a_valid_keymap() -> None:
    # Every command written out with its default keys is a keymap without problems (no clash, all keys known).
    text = "\n".join(f'"{c.id}" = "{c.keys}"' for c in commands.COMMANDS)
    assert parse_keymap(text, "defaults.toml") == {c.id: c.keys for c in commands.COMMANDS}


def test_the_briefing_key_list_follows_the_keymap() -> None:
    rows = dict((what, keys) for keys, what in commands.briefing_keys({"console.reply": "R", "feed.down": "ctrl+n"}))
    assert rows["Reply in public to the selected post"] == "R"
    assert rows["Next post, down the feed (the first press: the top one)"] == "ctrl+n"
    assert rows["Send what you wrote"] == "ctrl+s"
    assert rows[commands.BY_ID["console.search"].description] == "/"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('"console.reply" = "R"\n[console\n', 2, "not valid TOML"),
        ('"console.reply" = "R"\n"console.replyy" = "x"\n', 2, "did you mean `console.reply`?"),
        ('[console]\nupdate = "U"\nreply = 5\n', 3, "the keys must be a string"),
        ("[feed]\ndown = []\n", 2, "the keys must be a string"),
        ('console.update = "ctrl+banana"\n', 1, "'ctrl+banana' is not a key"),
        ('console.update = "hyper2+x"\n', 1, "unknown modifier"),
        ('\n\n"console.send" = "s"\n', 3, "works while you type"),
        ('console.reply = "u"\n', 1, "also the key of console.update"),
        ('"feed.down" = "ctrl+s"\n', 1, "also the key of console.send"),
    ],
)
def test_a_bad_keymap_names_the_file_line_and_problem(text: str, line: int, message: str) -> None:
    with pytest.raises(KeymapError) as caught:
        parse_keymap(text, "keymap.toml")
    assert any(p.line == line and message in str(p) for p in caught.value.problems), caught.value
    assert all(str(p).startswith(f"keymap.toml:{p.line}:") for p in caught.value.problems)


def test_keymap_forms_and_key_names() -> None:
    text = '"console.reply" = "R"\n[feed]\ndown = ["j", "ctrl+N"]\n[console]\nsearch = "?"\nfaster = "+"\n'
    assert parse_keymap(text, "k.toml") == {
        "console.reply": "R",
        "feed.down": "j,ctrl+n",
        "console.search": "question_mark",
        "console.faster": "plus",
    }


def test_keys_lists_every_command_with_its_key_after_the_keymap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORMDRILL_CONFIG_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["keys"])
    assert result.exit_code == 0, result.output
    assert f"Your keymap: {tmp_path / 'keymap.toml'} (not there yet)" in result.output
    lines = result.output.splitlines()
    for c in commands.COMMANDS:
        [line] = [x for x in lines if f" {c.id} " in x]
        assert line.split()[0].rstrip(",") == commands.keys_of(c.id)[0] and c.description in line
    (tmp_path / "keymap.toml").write_text('[console]\nreply = "R,ctrl+r"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["keys"])
    assert result.exit_code == 0 and "(1 command remapped)" in result.output
    [line] = [x for x in result.output.splitlines() if " console.reply " in x]
    assert line.split()[:3] == ["R,", "ctrl+r", "console.reply"] and "the default is r, enter" in line
    usage = CliRunner().invoke(cli, ["keys", "--help"], prog_name="stormdrill")
    assert usage.exit_code == 0 and "Usage: stormdrill keys" in usage.output and "STORMDRILL_CONFIG_DIR" in usage.output


def test_keys_with_a_bad_keymap_exits_2_with_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORMDRILL_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "keymap.toml"
    path.write_text('"console.reply" = "R"\n"console.update" = \n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["keys"])
    assert result.exit_code == 2
    assert f"{path}:2:" in result.stderr and "not valid TOML" in result.stderr
    assert "the keymap is not used" in result.stderr and "Traceback" not in result.output
    path.write_text("[console]\nreply = true\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["keys"])
    assert result.exit_code == 2 and f"{path}:2:1: console.reply: the keys must be a string" in result.stderr
