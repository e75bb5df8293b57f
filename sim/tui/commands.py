"""Every command of the console, declared once: its id, keys, footer label, description and where it applies.

Everything else is derived from this list: the Textual ``BINDINGS`` of every screen and widget
(each ``Binding`` carries the command's id, so a keymap can remap it), the footer, the command
palette, the briefing's key list, ``stormdrill keys`` and the key table in docs/console.md
(``python -m sim.tui.commands`` rewrites that table; a test fails when it is out of step).

Keys are Textual key names: ``r``, ``T``, ``ctrl+s``, ``enter``, ``escape``, ``space``, ``slash``,
``plus``, ``f1``; several keys for one command are separated by commas (``down,j``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.binding import Binding, BindingType
from textual.keys import REPLACED_KEYS, format_key, key_to_character

from sim.tui.options import SPEEDS


@dataclass(frozen=True)
class Scope:
    """Where a group of commands applies."""

    where: str  # for people: "the console"
    together: tuple[str, ...] = ()  # other scopes whose keys are active at the same time (besides "app")


SCOPES: dict[str, Scope] = {
    "app": Scope("everywhere"),
    "help": Scope("while the Keys panel is open"),
    "picker": Scope("the scenario picker"),
    "history": Scope("the history screen"),
    "replay": Scope("a replay (stormdrill replay)"),
    "open": Scope("the open-file dialog"),
    "briefing": Scope("the briefing"),
    "console": Scope("the console", ("feed",)),
    "feed": Scope("the console's feed (when it has focus)", ("console",)),
    "plan": Scope("the action-plan editor"),
    "confirm": Scope("a yes / no question"),
    "end": Scope("the end-the-session question"),
    "debrief": Scope("the debrief"),
}


@dataclass(frozen=True)
class Command:
    id: str  # "<scope>.<name>": the name a keymap uses
    keys: str  # the default keys, comma-separated Textual key names
    action: str  # the Textual action it runs
    label: str  # short: the footer and the Keys panel
    description: str  # what it does: the palette, the briefing, `stormdrill keys`, the docs
    footer: bool = False  # shown in the footer (the set is chosen to fit 80 columns)
    priority: bool = False  # handled the moment the key arrives, before the focused widget
    typing: bool = False  # works while a text field has focus, so its keys must be ones that are not typed
    brief: bool = False  # in the briefing's list of keys
    palette: bool = True  # listed in the command palette (False: a palette provider offers it)

    @property
    def scope(self) -> str:
        return self.id.partition(".")[0]

    @property
    def where(self) -> str:
        return SCOPES[self.scope].where

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.label,
            show=self.footer,
            priority=self.priority,
            tooltip=self.description if self.description != self.label else "",
            id=self.id,
        )


C = Command
COMMANDS: tuple[Command, ...] = (
    # Everywhere. Priority: focus moves the moment tab arrives, so text typed right after it (a fast
    # typist, keys arriving together) lands in the next field, not in the one being left.
    C(
        "app.quit",
        "ctrl+q",
        "quit",
        "Quit",
        "Quit Stormdrill (during a session it asks first)",
        footer=True,
        priority=True,
        typing=True,
    ),
    C(
        "app.palette",
        "ctrl+p",
        "command_palette",
        "palette",
        "Command palette: every command, posts, briefings and themes",
        priority=True,
        typing=True,
    ),
    C("app.help", "f1", "toggle_help", "Keys", "Show or hide the keys of this screen", typing=True),
    C("app.focus_next", "tab", "focus_next", "Next field", "Next field", priority=True, typing=True),
    C(
        "app.focus_previous",
        "shift+tab",
        "focus_previous",
        "Previous field",
        "Previous field",
        priority=True,
        typing=True,
    ),
    C("help.close", "escape", "hide_help", "Close keys", "Close the Keys panel", priority=True, typing=True),
    # The scenario picker.
    C("picker.play", "enter", "choose", "Play", "Play the selected scenario", footer=True, priority=True),
    C("picker.open", "o", "open_file", "Open file", "Open a scenario file by its path", footer=True),
    C(
        "picker.history",
        "h",
        "history",
        "History",
        "Your past sessions: trends, best and latest, what changed",
        footer=True,
    ),
    C("picker.quit", "q", "app.quit", "Quit", "Quit Stormdrill"),  # the footer shows ctrl+q
    C("history.back", "escape,h,q", "back", "Back", "Back to the scenario picker", footer=True),
    # A replay: read-only, its own clock.
    C("replay.quit", "q", "quit", "Quit", "Leave the replay", footer=True),
    C("replay.pause", "space", "pause", "Play/pause", "Play or pause the replay", footer=True),
    C("replay.back", "left", "seek(-60)", "-1 min", "Back a minute", footer=True),
    C("replay.forward", "right", "seek(60)", "+1 min", "On a minute", footer=True),
    C("replay.prev_action", "left_square_bracket", "step(-1)", "Prev action", "To the previous action", footer=True),
    C("replay.next_action", "right_square_bracket", "step(1)", "Next action", "To the next action", footer=True),
    C("replay.goto", "g", "goto", "Go to", "Go to a minute (type 12 or 12:30)", footer=True),
    C("replay.faster", "plus,equals_sign", "faster", "Faster", "Play back faster"),
    C("replay.slower", "minus", "slower", "Slower", "Play back slower"),
    C("replay.start", "home", "seek_to(0)", "Start", "To the start"),
    C("replay.end", "end", "seek_to(-1)", "End", "To the end"),
    C("open.cancel", "escape", "cancel", "Cancel", "Close the dialog without opening a file", footer=True, typing=True),
    # The briefing.
    C("briefing.start", "enter", "start", "Start", "Start the clock (or continue a resumed session)", footer=True),
    C("briefing.back", "escape", "back", "Back", "Back to the scenario picker", footer=True),
    # The console. The one-key commands are priority bindings: the app runs them the moment the key
    # arrives, so the keys typed right after "u" (a fast typist, or keys queued while a busy storm
    # redraws) go to the text box, not to the feed where "e" would end the session. While a text
    # field has focus they are disabled and the key is typed instead (all but the `typing` ones).
    C(
        "console.reply",
        "r,enter",
        "reply",
        "Reply",
        "Reply in public to the selected post",
        footer=True,
        priority=True,
        brief=True,
    ),
    C(
        "console.update",
        "u",
        "update",
        "Update",
        "Post a public update to everyone",
        footer=True,
        priority=True,
        brief=True,
    ),
    C("console.plan", "a", "plan", "Plan", "Write and publish the action plan", footer=True, priority=True, brief=True),
    C(
        "console.private",
        "m",
        "private",
        "Private",
        "Move the selected post to private messages",
        footer=True,
        priority=True,
        brief=True,
    ),
    C(
        "console.send",
        "ctrl+s",
        "send",
        "Send",
        "Send what you wrote",
        footer=True,
        priority=True,
        typing=True,
        brief=True,
    ),
    C(
        "console.check",
        "ctrl+t",
        "check_draft",
        "Check",
        "Coaching: judge your draft before sending",
        priority=True,
        typing=True,
    ),
    C(
        "console.to_feed",
        "escape",
        "to_feed",
        "Feed",
        "Back to the feed (and close the search box)",
        footer=True,  # only while typing (ConsoleScreen.check_action)
        typing=True,
    ),
    C(
        "console.filter",
        "f",
        "cycle_filter",
        "Filter",
        "Filter the feed: all, unanswered, must-handle",
        priority=True,
        brief=True,
    ),
    C("console.tag", "t", "cycle_tag(1)", "Tag", "Next tag filter (the tags of the posts so far)", priority=True),
    C("console.tag_back", "T", "cycle_tag(-1)", "Previous tag", "Previous tag filter", priority=True),
    C(
        "console.search",
        "slash",
        "search",
        "Search",
        "Search the feed by author, handle or words",
        priority=True,
        brief=True,
    ),
    C(
        "console.next_must",
        "n",
        "next_must",
        "Next must-handle",
        "Next unanswered must-handle post",
        priority=True,
        brief=True,
        palette=False,
    ),
    C("console.pause", "space", "pause", "Pause", "Pause or resume the clock", footer=True, priority=True, brief=True),
    C(
        "console.faster",
        "plus,equals_sign",
        "faster",
        "Faster",
        f"Faster clock ({', '.join(f'{s:g}x' for s in SPEEDS)})",
        priority=True,
        brief=True,
    ),
    C("console.slower", "minus", "slower", "Slower", "Slower clock", priority=True, brief=True),
    C(
        "console.briefings",
        "b",
        "briefings",
        "Briefings",
        "Switch between your channel and the briefings",
        priority=True,
        brief=True,
    ),
    C(
        "console.end",
        "e",
        "end",
        "End",
        "End the session and see your debrief (asks first)",
        footer=True,
        priority=True,
        brief=True,
    ),
    # The feed, while it has focus. Priority, like the console's one-key commands: handled the moment
    # the key arrives and in order, so "j r" typed fast replies to the post "j" moved to.
    C(
        "feed.down",
        "j,down",
        "cursor(1)",
        "Down",
        "Next post, down the feed (the first press: the top one)",
        priority=True,
        brief=True,
    ),
    C("feed.up", "k,up", "cursor(-1)", "Up", "Previous post, up the feed", priority=True, brief=True),
    C("feed.page_down", "pagedown", "page(1)", "Page down", "A page down the feed", priority=True),
    C("feed.page_up", "pageup", "page(-1)", "Page up", "A page up the feed", priority=True),
    C("feed.first", "home,g", "first", "First", "The oldest post, at the top", priority=True),
    C("feed.last", "end,G", "last", "Newest", "The newest post, at the bottom", priority=True),
    # The action-plan editor.
    C(
        "plan.publish",
        "ctrl+s",
        "publish",
        "Publish plan",
        "Publish the action plan",
        footer=True,
        priority=True,
        typing=True,
    ),
    C(
        "plan.add_step",
        "ctrl+n",
        "add_step",
        "Add step",
        "Add a step to the plan",
        footer=True,
        priority=True,
        typing=True,
    ),
    C("plan.cancel", "escape", "cancel", "Cancel", "Close the editor and keep the draft", footer=True, typing=True),
    # Questions.
    C("confirm.yes", "y", "yes", "Yes", "Yes", footer=True),
    C("confirm.no", "n,escape", "no", "No", "No", footer=True),
    # Ending is final, so it is not confirmed with a letter: text typed while the feed had focus
    # ("...we're sorry about your...") would otherwise answer e(nd) and y(es) by itself.
    C("end.yes", "ctrl+e", "yes", "End now", "End the session now", footer=True, typing=True),
    C("end.no", "n,escape", "no", "Keep playing", "Keep playing", footer=True),
    # The debrief.
    C(
        "debrief.again",
        "r",
        "again",
        "Play again",
        "Play the same scenario again (a new session, the same storm)",
        footer=True,
    ),
    C("debrief.scenarios", "p", "scenarios", "Scenarios", "Back to the scenario picker", footer=True),
    C("debrief.html", "h", "export_html", "Export HTML", "Export the debrief as an HTML report", footer=True),
    C("debrief.json", "j", "export_json", "Export JSON", "Export the score card as JSON", footer=True),
    C("debrief.overview", "1", "tab('tab-overview')", "Overview", "Show the overview tab"),
    C("debrief.evidence", "2", "tab('tab-evidence')", "Evidence", "Show the evidence tab"),
    C("debrief.replies", "3", "tab('tab-replies')", "Replies", "Show your best and worst replies"),
    C("debrief.must", "4", "tab('tab-must')", "Must-handle", "Show the must-handle posts and model answers"),
    C("debrief.quit", "q", "app.quit", "Quit", "Quit Stormdrill"),  # the footer shows ctrl+q
)
del C

BY_ID: dict[str, Command] = {c.id: c for c in COMMANDS}
Keymap = Mapping[str, str]


def bindings(*scopes: str) -> list[BindingType]:
    """The Textual BINDINGS of the commands of ``scopes``."""
    return [c.binding() for c in COMMANDS if c.scope in scopes]


def keys_of(command_id: str, keymap: Keymap | None = None) -> list[str]:
    """The keys of a command, after ``keymap`` (a mapping of command ids to comma-separated keys)."""
    keys = (keymap or {}).get(command_id) or BY_ID[command_id].keys
    return [k.strip() for k in keys.split(",") if k.strip()]


def display(key: str) -> str:
    """A key as people read it: ``ctrl+s``, ``/``, ``esc``, ``↑``, ``+``."""
    *modifiers, base = key.split("+")
    shown = {"enter": "enter", "escape": "esc", "space": "space"}.get(base) or format_key(base)
    return "+".join([*modifiers, shown])


def shown(command_id: str, keymap: Keymap | None = None, *, first: bool = False) -> str:
    """The keys of a command as people read them, ``j / ↓`` (or only the first with ``first``)."""
    keys = [display(k) for k in keys_of(command_id, keymap)]
    return keys[0] if first else " / ".join(dict.fromkeys(keys))


def hint(node: Any, command_id: str) -> str:
    """The first key of a command after the running app's keymap, for hints on screen ("ctrl+s send")."""
    try:
        keymap = getattr(node.app, "keymap", None)
    except RuntimeError:  # Textual's NoActiveAppError: no app is running (a widget built on its own)
        keymap = None
    return shown(command_id, keymap, first=True)


def character(base: str) -> str | None:
    """The printable character a key name types (``slash`` is "/", ``space`` " "), or None (``f5``, ``escape``)."""
    if len(base) == 1:
        return base
    ch = key_to_character(REPLACED_KEYS.get(base, base))
    return ch if ch and ch.isprintable() else None


# Keys a text field takes for editing (tab is not one: it moves focus, in every field of the console).
EDITING = frozenset(
    {"enter", "backspace", "delete", "left", "right", "up", "down", "home", "end", "pageup", "pagedown"}
)


def is_typed(key: str) -> bool:
    """True for keys that type or edit text in a text field (``r``, ``space``, ``enter``, ``left``)."""
    *modifiers, base = key.split("+")
    if set(modifiers) & {"ctrl", "alt", "meta", "super", "hyper"}:
        return False
    return base in EDITING or character(base) is not None


def typed_actions(scope: str) -> frozenset[str]:
    """The actions (without arguments) of ``scope`` that stand down while a text field has focus."""
    return frozenset(c.action.partition("(")[0] for c in COMMANDS if c.scope == scope and not c.typing)


def briefing_keys(keymap: Keymap | None = None) -> list[tuple[str, str]]:
    """(keys, what they do) for the briefing, after ``keymap``."""
    return [(shown(c.id, keymap), c.description) for c in COMMANDS if c.brief] + [
        (shown("app.palette", keymap), BY_ID["app.palette"].description),
        (shown("app.help", keymap), BY_ID["app.help"].description),
    ]


# ---------------------------------------------------------------------------- the docs' key table
TABLE_START = "<!-- keys: generated from sim/tui/commands.py by `python -m sim.tui.commands`; do not edit -->"
TABLE_END = "<!-- keys: end -->"


def markdown_table() -> str:
    """The key table of docs/console.md, with the default keys."""
    rows = ["| where | keys | command id | what it does |", "|---|---|---|---|"]
    for c in COMMANDS:
        keys = " ".join(f"`{k}`" for k in keys_of(c.id))
        rows.append(f"| {c.where} | {keys} | `{c.id}` | {c.description} |")
    return "\n".join(rows)


def with_table(text: str) -> str:
    """``text`` (docs/console.md) with its key table regenerated."""
    head, start, rest = text.partition(TABLE_START)
    _, end, tail = rest.partition(TABLE_END)
    if not start or not end:
        raise ValueError(f"the key table's markers are missing: {TABLE_START} ... {TABLE_END}")
    return f"{head}{start}\n{markdown_table()}\n{end}{tail}"


def main(argv: list[str]) -> int:
    """Rewrite the key table of the given markdown file (docs/console.md by default)."""
    path = Path(argv[0] if argv else Path(__file__).parents[2] / "docs" / "console.md")
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote the key table of {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
