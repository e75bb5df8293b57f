"""Scripted sessions: a human-written play of a scenario, as a file, played through the engine.

The validity suite (tests/validity/) keeps sessions written by people in natural language: an
expert, a slow player, a quitter... Each file is YAML::

    scenario: empty-ovens
    persona: expert
    actions:
      - at: "0:50"                  # scenario time, m:ss or seconds
        update: "Some of our stores ..."
      - at: "1:40"
        reply: p_dan                # a post id (stormdrill preview SCENARIO --json lists them)
        text: "Dan, ..."
      - at: "2:30"
        private: p_dan
        text: "..."
      - at: "24:00"
        plan: "What happens next"
        steps: [{what: "...", who: "...", when: "..."}]
        next_update: "10:30"
      - at: "30:00"
        end: true

Each action is sent at its time (or as soon after as the post has arrived); a refused action (a
post not yet arrived, an unknown id) is reported, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.model import PlanStep, Scenario

from .actions import Action, EndAction, PlanAction, PrivateAction, Refusal, ReplyAction, UpdateAction
from .autoplay import run_autoplay
from .reading import Judge
from .session import Session

KINDS = ("update", "reply", "private", "plan", "end")


class ScriptError(ValueError):
    """A script file that cannot be played: the message names the file and the action."""


@dataclass(frozen=True)
class Scripted:
    at: float
    action: Action
    where: str  # "file: action N" for messages


@dataclass
class Script:
    path: Path
    scenario: str
    persona: str
    actions: list[Scripted]
    description: str = ""
    seed: int | None = None
    refused: list[str] = field(default_factory=list)


def parse_time(value: Any, where: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        parts = value.strip().split(":")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            nums = []
        if nums and len(nums) <= 3:
            total = 0.0
            for n in nums:
                total = total * 60 + n
            return total
    raise ScriptError(f"{where}: `at` must be seconds or m:ss, not {value!r}")


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key, "")
    if not isinstance(value, str):
        raise ScriptError(f"{where}: `{key}` must be text")
    return value


def load_script(path: Path) -> Script:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScriptError(f"{path}: cannot read the script ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("actions"), list):
        raise ScriptError(f"{path}: expected a mapping with `scenario`, `persona` and a list of `actions`")
    out: list[Scripted] = []
    for n, item in enumerate(data["actions"], 1):
        where = f"{path}: action {n}"
        if not isinstance(item, dict):
            raise ScriptError(f"{where}: expected a mapping")
        kinds = [k for k in KINDS if k in item]
        if len(kinds) != 1:
            raise ScriptError(f"{where}: say exactly one of {', '.join(KINDS)}")
        kind = kinds[0]
        at = parse_time(item.get("at", 0), where)
        action: Action
        if kind == "update":
            action = UpdateAction(_text(item, "update", where))
        elif kind == "reply":
            action = ReplyAction(str(item["reply"]), _text(item, "text", where))
        elif kind == "private":
            action = PrivateAction(str(item["private"]), _text(item, "text", where))
        elif kind == "plan":
            steps = item.get("steps") or []
            if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
                raise ScriptError(f"{where}: `steps` must be a list of {{what, who, when}}")
            action = PlanAction(
                _text(item, "plan", where),
                tuple(PlanStep(str(s.get("what", "")), str(s.get("who", "")), str(s.get("when", ""))) for s in steps),
                _text(item, "next_update", where),
            )
        else:
            action = EndAction()
        out.append(Scripted(at, action, where))
    out.sort(key=lambda s: s.at)
    seed = data.get("seed")
    return Script(
        path,
        str(data.get("scenario", "")),
        str(data.get("persona", path.stem)),
        out,
        str(data.get("description", "")),
        seed if isinstance(seed, int) else None,
    )


def play_script(scenario: Scenario, script: Script, out: Path, judge: Judge | None = None) -> Session:
    """Play ``script`` through the engine in virtual time; refused actions are listed in ``script.refused``."""
    pending = list(script.actions)
    coming: set[str] = set()

    def bot(session: Session) -> Action | None:
        if not coming:
            coming.update(p.id for p in session.storm.posts)
        while pending and pending[0].at <= session.now:
            item = pending[0]
            action = item.action
            if (
                isinstance(action, ReplyAction | PrivateAction)
                and session.post(action.post_id) is None
                and action.post_id in coming
                and session.now < scenario.duration - 1
            ):
                return None  # not arrived yet: wait for it while the storm runs
            pending.pop(0)
            return item.action
        return None

    def note(action: Action, refusal: Refusal) -> None:
        script.refused.append(f"{type(action).__name__}: {refusal.reason}")

    return run_autoplay(
        scenario,
        bot,
        script.seed if script.seed is not None else scenario.seed,
        out,
        bot_name=f"script:{script.persona}",
        judge=judge,
        step=5.0,
        trainee=f"human:{script.persona}",
        on_refusal=note,
    )
