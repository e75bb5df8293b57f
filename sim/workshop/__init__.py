"""Workshops: a facilitator runs one storm for a room (docs/workshops.md).

``store`` keeps workshops, participants, sessions, actions and score cards in a database
(SQLAlchemy, Alembic migrations; SQLite by default, PostgreSQL for several hosts). ``room`` is the
participant's side (the shared clock, the store writes), ``serve`` puts the trainee console on the
web with textual-serve, ``console`` is the facilitator's live roster and ``report`` the cohort debrief.
"""
