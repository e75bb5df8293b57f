"""Play a validity-suite session file through the engine and list what was refused (no scoring).

.venv/bin/python tests/validity/play.py tests/validity/empty-ovens/expert.yaml
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from sim.engine.scripted import ScriptError, load_script, play_script
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario


def main() -> int:
    status = 0
    for arg in sys.argv[1:]:
        try:
            script = load_script(Path(arg))
        except ScriptError as exc:
            print(exc)
            status = 2
            continue
        scenario = load_scenario(resolve(script.scenario))
        with tempfile.TemporaryDirectory() as tmp:
            session = play_script(scenario, script, Path(tmp) / "j.jsonl")
        sent = sum(1 for a in session.actions if a.kind != "end")
        print(f"{arg}: {sent} actions sent, ended at {session.now:.0f}s")
        for r in script.refused:
            print(f"  refused: {r}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
