"""The Textual trainee console: screens, widgets and one stylesheet."""
