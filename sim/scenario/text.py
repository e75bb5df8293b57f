"""The one cleaning step for untrusted text: escape sequences and control characters never reach a
terminal, a report or an input box.

Scenario text is cleaned where it enters (loading, expansion, trainee actions); everything the CLI
prints is cleaned at its output boundary (``sim.cli``), reports clean every value before escaping it
(``scoring.report``), and the console's text inputs clean what is pasted into them.
"""

from __future__ import annotations

import re
import unicodedata

_ANSI_SEQ = re.compile(
    r"\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC (title, OSC 52 clipboard, OSC 8 links)
    r"|\x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS / PM / APC / SOS
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI
    r"|\x1b[ -/]*[0-~]?"  # other ESC sequences (2-byte, charset designations)
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x9c]*[\x07\x9c]?"  # 8-bit string controls
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
)
# C0 except \t and \n, DEL, C1, bidi overrides and isolates, zero-width joiners used for spoofing.
_CTRL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)


def _shown(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def clean_text(text: str, *, single_line: bool = False, visible: bool = False) -> str:
    """Return ``text`` with terminal escape sequences and control characters removed.

    Newlines and tabs are kept unless ``single_line`` is set, in which case every run of
    whitespace becomes one space. CR LF and lone CR become LF. Unicode is normalised to NFC.

    With ``visible`` the control characters are written out instead (ESC becomes the six
    characters ``\\u001b``), so a message can show the author what is wrong with a value; the
    rest of a sequence is then harmless text. This works on any piece of a text (each character
    is handled on its own), and inside a JSON string it reads back as the original character.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if visible:
        text = _CTRL.sub(_shown, text)
    else:
        text = _ANSI_SEQ.sub("", text)
        text = _CTRL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    # Surrogates cannot be encoded for the terminal or the journal.
    text = text.encode("utf-8", "replace").decode("utf-8")
    if single_line:
        text = " ".join(text.split())
    return text
