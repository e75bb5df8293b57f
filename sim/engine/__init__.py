"""The simulation engine: clocks, sessions, actions, injects, commitments, pressure and the journal.

It never imports Textual or scoring; a judge of reply tone is passed in by whoever starts a session.
"""
