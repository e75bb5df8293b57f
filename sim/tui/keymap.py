"""The trainee's keymap: a TOML file in the user's config folder that gives any command other keys.

    # keymap.toml: command id = "keys" (Textual key names; several keys separated by commas)
    "console.reply" = "R"
    [feed]
    down = "j,down,ctrl+n"

Command ids are listed by ``stormdrill keys`` (and in docs/console.md). The folder is
``platformdirs.user_config_dir("stormdrill")``; ``STORMDRILL_CONFIG_DIR`` overrides it (tests,
workshops sharing one set of keys). A keymap with any problem is not used at all: every problem is
reported with its file and line, and the default keys apply.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

import platformdirs
from textual.keys import Keys, _character_to_key

from sim.scenario.problems import Problem, did_you_mean
from sim.tui.commands import BY_ID, COMMANDS, SCOPES, is_typed, keys_of

ENV = "STORMDRILL_CONFIG_DIR"
FILE = "keymap.toml"
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
# Named keys: escape, f5, pageup ... and the names of the printable keys of a keyboard (slash, plus).
NAMED = frozenset(k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")) | frozenset(
    _character_to_key(chr(c)) for c in range(33, 127)
)
EXAMPLE = 'write one line per command, like "console.reply" = "R"; `stormdrill keys` lists the ids'


class KeymapError(Exception):
    """The keymap cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def config_dir() -> Path:
    folder = os.environ.get(ENV)
    return Path(folder) if folder else platformdirs.user_config_path("stormdrill", appauthor=False)


def keymap_path() -> Path:
    return config_dir() / FILE


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """The keymap at ``path`` (the user's by default) as {command id: keys}; {} when there is none.

    Raises KeymapError with every problem (file:line) when the file cannot be used.
    """
    path = keymap_path() if path is None else path
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(str(path), 0, 0, f"cannot read the keymap: {exc}", "it must be a UTF-8 text file")
        raise KeymapError([problem]) from None
    return parse_keymap(text, str(path))


def parse_keymap(text: str, file: str) -> dict[str, str]:
    """Check a keymap's text and return it as {command id: normalised keys}."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, col = _toml_position(str(exc), text)
        raise KeymapError([Problem(file, line, col, f"not valid TOML: {message}", EXAMPLE)]) from None
    problems: list[Problem] = []
    keymap: dict[str, str] = {}
    for command_id, value in _leaves(data):
        line, col = _locate(text, command_id)
        if command_id not in BY_ID:
            hint = did_you_mean(command_id, BY_ID) or "run `stormdrill keys` for every command id"
            problems.append(Problem(file, line, col, f"unknown command id {command_id!r}", hint))
            continue
        keys = value if isinstance(value, list) else [value]
        if not keys or not all(isinstance(k, str) and k.strip() for k in keys):
            problems.append(
                Problem(
                    file,
                    line,
                    col,
                    f'{command_id}: the keys must be a string like "R" or "ctrl+r,f5" (or a list of such '
                    f"strings), not {value!r}",
                    EXAMPLE,
                )
            )
            continue
        normalised: list[str] = []
        for key in (k.strip() for item in keys for k in str(item).split(",")):
            name, problem = normalise_key(key)
            if problem:
                problems.append(Problem(file, line, col, f"{command_id}: {problem}", _KEY_HINT))
            elif BY_ID[command_id].typing and is_typed(name):
                problems.append(
                    Problem(
                        file,
                        line,
                        col,
                        f"{command_id} also works while you type, so {key!r} would be typed instead: give it a key "
                        "that is not typed",
                        "ctrl+..., alt+..., escape or a function key such as f5",
                    )
                )
            else:
                normalised.append(name)
        keymap[command_id] = ",".join(dict.fromkeys(normalised))
    if not problems:
        problems = _clashes(keymap, text, file)
    if problems:
        raise KeymapError(problems)
    return keymap


_KEY_HINT = "keys are named like r, R, ctrl+s, alt+x, f5, enter, escape, space, tab, up, pagedown, slash, plus"


def normalise_key(key: str) -> tuple[str, str]:
    """(Textual's name for ``key``, "") or ("", what is wrong with it). "?" is "question_mark", "Ctrl+S" "ctrl+s"."""
    *modifiers, base = key.split("+") if key != "+" else ["+"]
    if not base:  # "ctrl++"
        modifiers, base = modifiers[:-1], "+"
    modifiers = [m.strip().lower() for m in modifiers]
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown:
        return "", f"{key!r} has an unknown modifier {unknown[0]!r} (use ctrl, shift, alt, meta or super)"
    base = base.strip()
    if len(base) == 1:
        if not base.isprintable() or base.isspace():
            return "", f"{key!r} is not a key"
        base = _character_to_key(base)
        if modifiers and len(base) == 1:
            base = base.lower()  # terminals send ctrl+s for ctrl+S
    else:
        base = base.lower()
        if base not in NAMED:
            return "", f"{key!r} is not a key Textual knows"
    return "+".join([*modifiers, base]), ""


def _clashes(keymap: Mapping[str, str], text: str, file: str) -> list[Problem]:
    """Two commands that are active at the same time on the same key (only keymaps can make these)."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for scope, info in SCOPES.items():
        active = {scope, "app", *info.together}
        owners: dict[str, list[str]] = {}
        for c in COMMANDS:
            if c.scope in active:
                for key in keys_of(c.id, keymap):
                    owners.setdefault(key, []).append(c.id)
        for key, ids in owners.items():
            if len(ids) < 2 or (key, ids[0]) in seen:
                continue
            seen.add((key, ids[0]))
            mine = [i for i in ids if i in keymap] or ids
            line, col = _locate(text, mine[0])
            others = " and ".join(i for i in ids if i != mine[0])
            problems.append(
                Problem(
                    file,
                    line,
                    col,
                    f"{mine[0]}: {key!r} is also the key of {others} ({info.where})",
                    "give one of them another key",
                )
            )
    return problems


def _leaves(data: Mapping[str, object], prefix: str = "") -> Iterator[tuple[str, object]]:
    """(dotted id, value) for every value; nested tables ([console] reply = ...) give "console.reply"."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in BY_ID:
            yield from _leaves(value, f"{name}.")
        else:
            yield name, value


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_ASSIGN = re.compile(
    r"^\s*((?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-]+))*)\s*="
)
_PART = re.compile(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_\-]+)")


def _dotted(key: str) -> str:
    return ".".join(next(g for g in m.groups() if g is not None) for m in _PART.finditer(key))


def _locate(text: str, command_id: str) -> tuple[int, int]:
    """(line, column) where ``command_id`` is given a value in ``text``; (0, 0) when it cannot be found."""
    table = ""
    for n, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = _dotted(header.group(1))
            continue
        assign = _ASSIGN.match(line)
        if assign and ".".join(filter(None, (table, _dotted(assign.group(1))))) == command_id:
            return n, assign.start(1) + 1
    return 0, 0


def _toml_position(message: str, text: str) -> tuple[str, int, int]:
    """tomllib's message without its "(at line 3, column 8)", and that line and column."""
    at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if at:
        return message[: at.start()], int(at.group(1)), int(at.group(2))
    end = re.search(r"\s*\(at end of document\)$", message)
    if end:
        return message[: end.start()], max(1, len(text.splitlines())), 1
    return message, 0, 0
