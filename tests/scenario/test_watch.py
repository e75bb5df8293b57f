"""`stormdrill watch`: a file rewritten under it, half-written, broken, deleted and fixed again, is
re-validated and re-previewed each time, and never stops the watch with a traceback."""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from sim.cli import cli
from sim.watch import Watch

EXAMPLE = (Path(__file__).parent / "format2.yaml").read_text(encoding="utf-8").split("\n", 1)[1]


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # a new mtime even within one clock tick


def test_each_save_is_reported_and_a_half_written_file_shows_its_problems(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    out = io.StringIO()
    w = Watch(f, out, bots=(), sleep=lambda s: None)
    write(f, EXAMPLE)
    assert w.step() and w.last == "valid"
    first = out.getvalue()
    assert "Valid." in first and "by role" in first and "█ customer" in first
    assert "Must-handle posts (3 scheduled)" in first and "p_press" in first and "until 12m" in first
    assert not w.step()  # nothing changed: nothing reported
    half = EXAMPLE[: EXAMPLE.index('caption: "A crowded') + 15]  # cut in the middle of a line
    write(f, half)
    assert w.step() and w.last == "invalid"
    report = out.getvalue()[len(first) :]
    assert f"{f}:" in report and "fix them and save again" in report and "Traceback" not in report
    for broken in ("", "\x00\x01 binary", "format: 2\nid: [unclosed\n", "- a\n- list\n"):
        write(f, broken)
        assert w.step() and w.last == "invalid"
    f.unlink()
    assert w.step() and w.last == "missing" and "no such file" in out.getvalue()
    write(f, EXAMPLE)
    assert w.step() and w.last == "valid"
    assert "Traceback" not in out.getvalue()


def test_a_file_rewritten_bit_by_bit_while_the_watch_runs(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    write(f, "format: 2\n")
    out = io.StringIO()
    stop = threading.Event()
    w = Watch(f, out, bots=("silent",), interval=0.02)
    thread = threading.Thread(target=w.run, kwargs={"stop": stop.is_set})
    thread.start()
    try:
        lines = EXAMPLE.splitlines(keepends=True)
        for n in range(0, len(lines), 15):  # an editor saving a file as it is typed
            write(f, "".join(lines[:n]))
            time.sleep(0.03)
        write(f, EXAMPLE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (w.last == "valid" and "silent" in out.getvalue().split("──")[-1]):
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not thread.is_alive()
    text = out.getvalue()
    assert w.reports >= 2 and "error" in text and "Traceback" not in text and "internal error" not in text
    last = text.split("──")[-1]
    assert "Valid." in last and "silent       0.0" in last


def test_watch_once_runs_the_bots_and_gives_the_verdict(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    write(f, EXAMPLE)
    result = CliRunner().invoke(cli, ["watch", "--once", str(f)])
    assert result.exit_code == 0, result.output
    assert "ideal" in result.output and "Calibrated" in result.output
    write(f, EXAMPLE.replace("duration: 30", "duration: soon"))
    bad = CliRunner().invoke(cli, ["watch", "--once", "--no-bots", str(f)])
    assert bad.exit_code == 2 and "`duration` should be a time" in bad.output and "Traceback" not in bad.output
    folder = CliRunner().invoke(cli, ["watch", str(tmp_path)])
    assert folder.exit_code == 2 and "is a folder" in folder.output


def test_escape_sequences_in_the_file_never_reach_the_terminal(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    write(f, EXAMPLE.replace("id: tunnel-stop", 'id: "tunnel\\e]0;pwned\\astop"'))
    out = io.StringIO()
    w = Watch(f, out, bots=(), sleep=lambda s: None)
    assert w.step() and w.last == "invalid"
    shown = out.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\u001b]0;pwned\\u0007" in shown  # written out, so the author sees what is wrong
