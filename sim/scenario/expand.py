"""Expanding a scenario with a seed into a storm: every post, in time order.

Determinism: every random choice comes from a ``random.Random`` seeded with a SHA-256 of the
scenario seed and the wave id, never from ``hash()`` or the wall clock, so one seed gives a
byte-identical storm in any process. Faker is seeded the same way and used only to fill small
pools of names and cities per wave (fast), from which posts draw.

Memory and start-up: importing Faker and drawing the pools costs a process about 10 MB and 110 ms. The
pools are kept as JSON, one file a locale and seed, in ``STORMDRILL_NAME_POOLS`` when it names a folder
(a workshop's participants' consoles: serve draws the room's pools once; an empty value keeps none),
else in the user's cache folder; a process that finds its pools there never imports Faker, and the
storm is byte-identical either way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import random
import re
import string
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .model import LIVE_PLACEHOLDERS, Post, Scenario, Storm, Wave
from .text import clean_text

if TYPE_CHECKING:
    from faker import Faker

_POOL = 96
POOLS_ENV = "STORMDRILL_NAME_POOLS"  # a folder of drawn name pools (see the module's docstring)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def derive_seed(*parts: object) -> int:
    """A stable 64-bit seed from any parts (independent of PYTHONHASHSEED)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


@lru_cache(maxsize=8)
def _faker(locale: str) -> Faker:
    from faker import Faker  # here, not at the top: a process whose pools are kept never imports it

    try:
        return Faker(locale)
    except AttributeError:  # unknown locale
        return Faker("en_US")


class _Pools:
    """Names, cities and handles for one wave, drawn once from a seeded Faker (or kept from a draw)."""

    def __init__(self, locale: str, seed: int) -> None:
        kept = _pools_file(locale, seed)
        got = _read_pools(kept) if kept else None
        if got is not None:
            self.first, self.last, self.cities = got
            return
        fake = _faker(locale)
        fake.seed_instance(seed)
        self.first = [clean_text(fake.first_name(), single_line=True) for _ in range(_POOL)]
        self.last = [clean_text(fake.last_name(), single_line=True) for _ in range(_POOL)]
        self.cities = [clean_text(fake.city(), single_line=True) for _ in range(_POOL // 2)]
        if kept:
            _write_pools(kept, self)


@lru_cache(maxsize=1)
def _faker_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("faker")
    except PackageNotFoundError:
        return ""


def _pools_folder() -> str:
    """Where drawn pools are kept: ``STORMDRILL_NAME_POOLS`` (a workshop's folder; empty: nowhere), else
    the user's cache folder, so playing a scenario a second time starts without Faker (about 110 ms)."""
    folder = os.environ.get(POOLS_ENV)
    if folder is not None:
        return folder
    home = os.environ.get("STORMDRILL_HOME")
    if home:
        return str(Path(home) / "cache" / "name-pools")
    import platformdirs

    return str(platformdirs.user_cache_path("stormdrill", appauthor=False) / "name-pools")


def _pools_file(locale: str, seed: int) -> Path | None:
    folder = _pools_folder()
    if not folder:
        return None
    safe = re.sub(r"[^A-Za-z0-9_]", "_", locale)[:20]
    return Path(folder) / f"{safe}-{seed}.json"


def _read_pools(path: Path) -> tuple[list[str], list[str], list[str]] | None:
    """The pools kept in ``path``; None when there are none, or they are not a draw of this Faker."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pools = data["first"], data["last"], data["cities"]
        ok = data["faker"] == _faker_version() and [len(p) for p in pools] == [_POOL, _POOL, _POOL // 2]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not ok or not all(isinstance(x, str) for p in pools for x in p):
        return None
    return pools


def _write_pools(path: Path, pools: _Pools) -> None:
    """Keep a draw (atomically: consoles drawing the same wave at once each write a whole file)."""
    data = {"faker": _faker_version(), "first": pools.first, "last": pools.last, "cities": pools.cities}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):  # a folder that cannot be written: the next process draws again
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)


_HANDLE_CHARS = re.compile(r"[^A-Za-z0-9_]")


def _handle(first: str, last: str, rng: random.Random) -> str:
    base = _HANDLE_CHARS.sub("", f"{first}{last[:1]}" if rng.random() < 0.5 else f"{first}_{last}")
    base = base.lower()[:22] or "user"
    suffix = str(rng.randrange(10, 9999)) if rng.random() < 0.7 else ""
    return f"@{base}{suffix}"


class _Fill(dict[str, str]):
    """Placeholder values for one post, computed only when a template asks for them."""

    def __init__(
        self, post_ctx: dict[str, str], variables: dict[str, tuple[str, ...]], rng: random.Random, live: bool = False
    ) -> None:
        super().__init__(post_ctx)
        self.variables = variables
        self.rng = rng
        self.live = live  # format 2: live placeholders stay in the text, filled when the post is delivered
        self.asked_live = False

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if self.live and key in LIVE_PLACEHOLDERS:
            self.asked_live = True
            return "{" + key + "}"
        if key in self.variables:
            value = rng.choice(self.variables[key])
        elif key == "order":
            letters = rng.choice(string.ascii_uppercase) + rng.choice(string.ascii_uppercase)
            value = f"{letters}-{rng.randrange(100000, 999999)}"
        elif key == "number":
            value = str(rng.randrange(2, 100))
        elif key == "time":
            value = f"{rng.randrange(6, 23)}:{rng.choice(('00', '15', '30', '45'))}"
        elif key == "day":
            value = rng.choice(_DAYS)
        else:
            raise KeyError(key)
        self[key] = value
        return value


def _weighted(items: Iterable[tuple[str, float]]) -> tuple[list[str], list[float]]:
    names, cum, total = [], [], 0.0
    for name, w in items:
        total += w
        names.append(name)
        cum.append(total)
    return names, cum


def expand_wave(scenario: Scenario, wave: Wave, seed: int, *, salt: str = "", prefix: str = "") -> list[Post]:
    """Generate the posts of one wave (times absolute, or relative when the wave is held).

    ``salt`` draws another, independent crowd for the same wave (format 2: the extra posts of a
    responsive wave, a held wave sized when it fires), its ids starting ``WAVE-{prefix}``.
    """
    wseed = (
        derive_seed(seed, scenario.id, "wave", wave.id, salt)
        if salt
        else derive_seed(seed, scenario.id, "wave", wave.id)
    )
    rng = random.Random(wseed)
    pools = _Pools(scenario.locale, wseed)
    variables = dict(scenario.variables)
    roles, role_cum = _weighted(wave.roles)
    tpl_cum = _weighted((str(i), t.weight) for i, t in enumerate(wave.templates))[1]
    lo, hi = wave.followers
    log_lo, log_hi = math.log(lo + 1), math.log(hi + 1)
    company = {"company": scenario.company.name, "company_handle": scenario.company.handle}
    live = scenario.format >= 2
    posts: list[Post] = []
    n = 0
    for minute, count in enumerate(wave.per_minute):
        base = wave.start + minute * 60
        limit = min(60, wave.end - base)
        if limit <= 0 or count <= 0:
            continue
        times = sorted(base + int(rng.random() * limit) for _ in range(count))
        for t in times:
            n += 1
            first, last = rng.choice(pools.first), rng.choice(pools.last)
            handle = _handle(first, last, rng)
            tpl = wave.templates[rng.choices(range(len(tpl_cum)), cum_weights=tpl_cum)[0]]
            fill = _Fill(
                {
                    "first_name": first,
                    "last_name": last,
                    "name": f"{first} {last}",
                    "handle": handle,
                    "city": rng.choice(pools.cities),
                    **company,
                },
                variables,
                rng,
                live,
            )
            text = clean_text(tpl.text.format_map(fill))
            role = rng.choices(roles, cum_weights=role_cum)[0]
            followers = int(math.exp(log_lo + (log_hi - log_lo) * rng.random())) - 1
            posts.append(
                Post(
                    id=f"{wave.id}-{prefix}{n:05d}",
                    t=t,
                    author=f"crowd:{handle}",
                    name=f"{first} {last}",
                    handle=handle,
                    role=role,
                    followers=max(lo, min(hi, followers)),
                    text=text,
                    tags=tpl.tags,
                    source="wave",
                    wave=wave.id,
                    media=tpl.media,
                    live=fill.asked_live,
                )
            )
    return posts


def _carry(rates: Iterable[float]) -> tuple[int, ...]:
    """Whole counts per minute for fractional rates, keeping the fractions across minutes."""
    out, carry = [], 0.0
    for rate in rates:
        carry += max(0.0, rate)
        n = int(carry)
        carry -= n
        out.append(n)
    return tuple(out)


def responsive_posts(scenario: Scenario, wave: Wave, seed: int, base: list[Post]) -> list[Post]:
    """Format 2: the levels of a responsive wave's posts, and its extra posts.

    Each scripted post gets a level in [0, 1) and each extra post one in [1, cap), drawn from
    their own generators (the scripted crowd is the one format 1 would draw). The engine delivers
    a post only while the wave's multiplier is above its level: 1 delivers the scripted volume,
    0.5 about half of it, 1.5 half as much again.
    """
    assert wave.responds is not None
    rng = random.Random(derive_seed(seed, scenario.id, "wave", wave.id, "levels"))
    leveled = [replace(p, level=rng.random()) for p in base]
    cap = wave.responds.cap
    if cap > 1:
        more = replace(wave, per_minute=_carry(n * (cap - 1) for n in wave.per_minute))
        extra = expand_wave(scenario, more, seed, salt="extra", prefix="x")
        leveled += [replace(p, level=1 + rng.random() * (cap - 1)) for p in extra]
    return leveled


def sized_wave(scenario: Scenario, wave: Wave, seed: int, rate: float, firing: int) -> list[Post]:
    """Format 2: the posts of a held wave with ``current``, fired when ``rate`` posts a minute were arriving."""
    assert wave.current is not None
    minutes = max(1, math.ceil((wave.end - wave.start) / 60))
    counts = _carry(min(2000.0, rate * wave.current) for _ in range(minutes))
    posts = expand_wave(scenario, replace(wave, per_minute=counts), seed, salt=f"fired-{firing}")
    if wave.responds is not None:
        posts = responsive_posts(scenario, replace(wave, per_minute=counts), seed, posts)
    return posts


def expand(scenario: Scenario, seed: int | None = None) -> Storm:
    """Expand ``scenario`` with ``seed`` (default: the scenario's own) into a storm."""
    seed = scenario.seed if seed is None else seed
    scheduled: list[Post] = []
    held: dict[str, tuple[Post, ...]] = {}
    personas = {p.id: p for p in scenario.personas}
    for sp in scenario.posts:
        persona = personas[sp.author]
        post = Post(
            id=sp.id,
            t=sp.t,
            author=persona.id,
            name=persona.name,
            handle=persona.handle,
            role=persona.role,
            followers=persona.followers,
            text=sp.text,
            tags=sp.tags,
            reply_to=sp.reply_to,
            expect=sp.expect,
            source="inject" if sp.held else "script",
            quote=sp.quote,
            pinned=sp.pinned,
            media=sp.media,
            live=sp.live,
        )
        if sp.held:
            held[sp.id] = (post,)
        else:
            scheduled.append(post)
    for wave in scenario.waves:
        if wave.current is not None:
            held[wave.id] = ()  # sized when it fires (sim.engine.injects)
            continue
        posts = expand_wave(scenario, wave, seed)
        if wave.responds is not None:
            posts = responsive_posts(scenario, wave, seed, posts)
        if wave.held:
            held[wave.id] = tuple(posts)
        else:
            scheduled.extend(posts)
    scheduled.sort(key=lambda p: (p.t, p.source != "script", p.id))
    return Storm(scenario=scenario, seed=seed, posts=tuple(scheduled), held=held)
