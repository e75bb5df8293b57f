"""Serving the trainee console to browsers with textual-serve: one app process per browser tab.

The store's URL goes to the participants' processes in their environment (``STORMDRILL_WORKSHOP_DB``),
not on their command line, so a PostgreSQL password never shows in the process list.
"""

from __future__ import annotations

import shlex
import socket
import sys
from pathlib import Path
from typing import Any

from textual_serve.server import Server

from .store import DB_ENV

__all__ = ["DB_ENV", "LAUNCHER", "WorkshopServer", "participant_command", "port_free"]
TEMPLATES = Path(__file__).parent / "templates"
LAUNCHER = Path(__file__).parent / "launch.py"


def participant_command(workshop_id: str, *, launcher: bool = False) -> str:
    """The command textual-serve runs for each browser tab (through ``/bin/sh -c``: ``exec``, so no
    shell stays). With ``launcher``: the small launcher that has the host's console fork server
    fork the console (``sim.workshop.launch``), which runs the console itself if it cannot."""
    py, wid = shlex.quote(sys.executable), shlex.quote(workshop_id)
    if launcher:
        return f"exec {py} -I -S {shlex.quote(str(LAUNCHER))} --workshop {wid}"
    return f"exec {py} -m sim workshop participant --workshop {wid}"


def port_free(host: str, port: int) -> bool:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False
    for family, kind, proto, _name, addr in infos:
        with socket.socket(family, kind, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(addr)
            except OSError:
                return False
    return True


class WorkshopServer(Server):
    """textual-serve's server with Stormdrill's page (nothing loaded from outside) and quiet start-up."""

    def __init__(self, command: str, host: str, port: int, public_url: str | None = None) -> None:
        import textual_serve

        statics = Path(textual_serve.__file__).parent / "static"
        super().__init__(
            command,
            host=host,
            port=port,
            title="Stormdrill workshop",
            public_url=public_url,
            statics_path=statics,
            templates_path=TEMPLATES,
        )

    async def on_startup(self, app: Any) -> None:
        """The CLI has printed the URL and the code already."""
