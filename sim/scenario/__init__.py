"""Scenario files: the model, loading with positions, validation and storm expansion."""
