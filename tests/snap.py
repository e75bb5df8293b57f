"""The type of pytest-textual-snapshot's ``snap_compare`` fixture, as it is called (the plugin
declares the fixture as returning ``Callable[[str | PurePath], bool]``, narrower than its function)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import PurePath
from typing import Any, Protocol

from textual.app import App
from textual.pilot import Pilot

Before = Callable[[Pilot[Any]], Awaitable[None] | None]


class SnapCompare(Protocol):
    def __call__(
        self,
        app: str | PurePath | App[Any],
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Before | None = None,
    ) -> bool: ...
