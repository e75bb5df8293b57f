"""Fixtures for the workshop tests: an isolated data folder, and results stores on SQLite and on
the real PostgreSQL server (``STORMDRILL_TEST_PG``, default 127.0.0.1:5432 database ``test``), each
test in a schema of its own that is dropped afterwards. Without a server the PostgreSQL cases skip
and say why."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.workshop.store import Store, WorkshopInfo

PG = os.environ.get("STORMDRILL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORMDRILL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema (dropped at the end)."""
    import psycopg

    try:
        admin = psycopg.connect(PG, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server answers at {PG} ({str(exc).strip()}); set STORMDRILL_TEST_PG to one")
    schema = f"sd_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG}?options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_url"))


def workshop_of(store: Store, workshop_id: str | None = None) -> WorkshopInfo:
    """The workshop ``workshop_id`` (without one, the newest) as the store has it; there must be one."""
    workshop = store.workshop(workshop_id) if workshop_id else store.find_workshop()
    assert workshop is not None, f"no workshop {workshop_id or ''} in the store"
    return workshop
