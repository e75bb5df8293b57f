"""Pure scoring of Stormdrill sessions: speed, tone and the action plan."""
