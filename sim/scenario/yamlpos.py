"""Safe YAML parsing that keeps the line and column of every key and value.

Only plain data is built (mappings, sequences, strings, numbers, booleans, null). Tags that
build objects are refused, duplicate keys are reported, and the document may hold at most
``max_nodes`` nodes with aliases counted as expanded, so a "billion laughs" file stops early.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import Problem

Path = tuple[str | int, ...]

MAX_FILE_BYTES = 1024 * 1024
MAX_NODES = 50_000

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:merge",
}


class _TooBig(Exception):
    pass


@dataclass
class Parsed:
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)  # path -> (line, col), 1-based
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)  # path of a key -> its position
    problems: list[Problem] = field(default_factory=list)

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Position of ``path`` (its key if ``key``), falling back to the nearest parent."""
        p = tuple(path)
        if key and p in self.keys:
            return self.keys[p]
        while p:
            if p in self.values:
                return self.values[p]
            if p in self.keys:
                return self.keys[p]
            p = p[:-1]
        return self.values.get((), (1, 1))


class _Builder:
    def __init__(self, filename: str, max_nodes: int) -> None:
        self.filename = filename
        self.max_nodes = max_nodes
        self.count = 0
        self.out = Parsed(None)
        self.constructor = yaml.constructor.SafeConstructor()

    def problem(self, node: yaml.Node, message: str, hint: str = "") -> None:
        m = node.start_mark
        self.out.problems.append(Problem(self.filename, m.line + 1, m.column + 1, message, hint))

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > self.max_nodes:
            raise _TooBig
        m = node.start_mark
        self.out.values.setdefault(path, (m.line + 1, m.column + 1))
        if node.tag not in _PLAIN_TAGS:
            self.problem(node, f"YAML tag `{node.tag}` is not allowed", "scenarios hold plain data only")
            return None
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:timestamp":
                return node.value
            try:
                return self.constructor.construct_object(node, deep=True)
            except yaml.YAMLError as exc:
                self.problem(node, f"cannot read value `{node.value}`: {exc}")
                return None
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        self.problem(node, "unsupported YAML node")  # pragma: no cover - yaml has only three kinds
        return None

    def build_mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        merged: list[dict[str, Any]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                value = self.build(value_node, path)
                sources = value if isinstance(value, list) else [value]
                for src in sources:
                    if isinstance(src, dict):
                        merged.append(src)
                    else:
                        self.problem(value_node, "a `<<` merge needs a mapping or a list of mappings")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, "a key must be a plain word, not a list or mapping")
                self.count += 1
                continue
            key = str(key_node.value)
            km = key_node.start_mark
            if key in first_seen:
                self.problem(key_node, f"duplicate key `{key}`", f"first given at line {first_seen[key]}")
                continue
            first_seen[key] = km.line + 1
            self.out.keys[(*path, key)] = (km.line + 1, km.column + 1)
            result[key] = self.build(value_node, (*path, key))
        for src in merged:
            for k, v in src.items():
                result.setdefault(k, v)
        return result


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml: same nodes and positions, ten times faster


def _compose_with(loader_class: Any, text: str) -> yaml.Node | None:
    loader = loader_class(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def _compose(text: str) -> yaml.Node | None:
    """Compose the node tree with libyaml when it is safe to, else with the pure-Python parser.

    Any error (libyaml also stops at 1,000 levels of nesting) is re-read by the Python parser,
    whose messages are more precise (it names the offending character) and which stops deep
    nesting with a RecursionError that the caller reports.
    """
    if _FAST_LOADER is not None:
        try:
            return _compose_with(_FAST_LOADER, text)
        except yaml.YAMLError:
            pass
    return _compose_with(yaml.SafeLoader, text)


def parse_yaml(text: str, filename: str, *, max_nodes: int = MAX_NODES) -> Parsed:
    """Parse one YAML document into plain data with positions; problems are collected, not raised."""
    builder = _Builder(filename, max_nodes)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "not valid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        hint = "check the indentation and quoting around here"
        if "found character '\\t'" in what:
            hint = "YAML indents with spaces, not tabs"
        builder.out.problems.append(Problem(filename, line, col, f"invalid YAML: {what}", hint))
        return builder.out
    except yaml.reader.ReaderError as exc:  # a control character YAML does not allow (ESC, C1, ...)
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        builder.out.problems.append(
            Problem(
                filename,
                line,
                col,
                f"the file contains the control character U+{char:04X}, which YAML does not allow",
                "remove it: a scenario holds plain text, not terminal escape sequences",
            )
        )
        return builder.out
    except yaml.YAMLError as exc:
        builder.out.problems.append(Problem(filename, 1, 1, f"invalid YAML: {exc}"))
        return builder.out
    except RecursionError:
        builder.out.problems.append(Problem(filename, 1, 1, "the document is nested too deeply"))
        return builder.out
    if node is None:
        builder.out.problems.append(Problem(filename, 1, 1, "the file is empty", "start from `stormdrill new`"))
        return builder.out
    try:
        builder.out.data = builder.build(node, ())
    except _TooBig:
        builder.out.data = None
        builder.out.problems.append(
            Problem(
                filename,
                1,
                1,
                f"the document has more than {max_nodes:,} YAML nodes (aliases counted as expanded)",
                "split it up or use waves instead of listing every post",
            )
        )
    except RecursionError:
        builder.out.data = None
        builder.out.problems.append(Problem(filename, 1, 1, "the document is nested too deeply"))
    return builder.out
