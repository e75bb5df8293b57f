"""Stormdrill: a crisis-communication training game for the terminal."""

__version__ = "0.1.0"
