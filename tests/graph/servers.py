"""Real SPARQL servers for the backend tests: Oxigraph server and Virtuoso on 127.0.0.1.

Each server runs on free local ports with a throwaway database folder and is stopped at the
end of the test session. Virtuoso keeps its default row cap (ResultSetMaxRows = 10000) so that
the paging test proves no row is lost; a fresh Virtuoso database needs SPARQL_UPDATE granted to
the anonymous SPARQL user before it accepts updates (done with the isql client of the package).
"""

from __future__ import annotations

import configparser
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

VIRTUOSO_INI_CANDIDATES = (
    Path("/usr/share/virtuoso-opensource-7/virtuoso.ini"),
    Path("/etc/virtuoso-opensource-7/virtuoso.ini"),
)


class ServerMissing(RuntimeError):
    """The server's program is not installed here (the tests say so and skip)."""


@dataclass
class Server:
    """A running server: its endpoints, its process and where it writes its log."""

    name: str
    query: str
    update: str
    gsp: str
    process: subprocess.Popen[bytes]
    log: Path
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop(self) -> None:
        for proc in [self.process, *self.extra]:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    data = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Accept", "application/sparql-results+json")
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _wait(server: Server, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with {server.process.returncode}:\n"
                + server.log.read_text(errors="replace")[-3000:]
            )
        if _answers(server.query):
            return
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(
        f"{server.name} did not answer within {seconds:.0f} s:\n"
        + server.log.read_text(errors="replace")[-3000:]
    )


def oxigraph_program() -> str:
    """The `oxigraph` command of the PyPI package oxigraph (beside this Python, else on PATH)."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServerMissing("the oxigraph command (PyPI package oxigraph) is not installed")
    return found


def start_oxigraph(folder: Path) -> Server:
    """`oxigraph serve` on a free port with its database in `folder`."""
    program = oxigraph_program()
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [program, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    server = Server("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store", process, log)
    _wait(server, 30)
    return server


def virtuoso_ini() -> Path:
    for path in VIRTUOSO_INI_CANDIDATES:
        if path.exists():
            return path
    raise ServerMissing("no virtuoso.ini found in /usr/share or /etc (virtuoso-opensource)")


def write_virtuoso_ini(source: Path, folder: Path, sql_port: int, http_port: int) -> Path:
    """A copy of the package's ini with a private database folder and ports on 127.0.0.1."""
    ini = configparser.ConfigParser(
        strict=False, interpolation=None, inline_comment_prefixes=(";",)
    )
    ini.optionxform = str  # type: ignore[assignment,method-assign]
    ini.read(source)
    db = folder / "db"
    db.mkdir(parents=True, exist_ok=True)
    ini["Database"].update(
        {
            "DatabaseFile": str(db / "virtuoso.db"),
            "ErrorLogFile": str(db / "virtuoso.log"),
            "LockFile": str(db / "virtuoso.lck"),
            "TransactionFile": str(db / "virtuoso.trx"),
            "xa_persistent_file": str(db / "virtuoso.pxa"),
        }
    )
    ini["TempDatabase"].update(
        {
            "DatabaseFile": str(db / "virtuoso-temp.db"),
            "TransactionFile": str(db / "virtuoso-temp.trx"),
        }
    )
    ini["Parameters"]["ServerPort"] = f"127.0.0.1:{sql_port}"
    ini["HTTPServer"]["ServerPort"] = f"127.0.0.1:{http_port}"
    ini["URIQA"]["DefaultHost"] = f"127.0.0.1:{http_port}"
    # keep the default row cap: the paging test must meet it
    ini["SPARQL"]["ResultSetMaxRows"] = "10000"
    target = folder / "virtuoso.ini"
    with target.open("w") as fh:
        ini.write(fh)
    return target


def start_virtuoso(folder: Path) -> Server:
    """`virtuoso-t +foreground` on a copied ini, then SPARQL_UPDATE granted to SPARQL."""
    program = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql-v")
    if program is None or isql is None:
        raise ServerMissing(
            "virtuoso-t not installed: apt-get install virtuoso-opensource (.ci/run does this)"
        )
    sql_port, http_port = free_port(), free_port()
    ini = write_virtuoso_ini(virtuoso_ini(), folder, sql_port, http_port)
    log = folder / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [program, "+foreground", "+configfile", str(ini)],
            cwd=folder / "db",
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "HOME": str(folder)},
        )
    base = f"http://127.0.0.1:{http_port}"
    server = Server(
        "virtuoso", f"{base}/sparql", f"{base}/sparql", f"{base}/sparql-graph-crud", process, log
    )
    _wait(server, 120)
    granted = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if granted.returncode != 0:
        server.stop()
        raise RuntimeError(
            f"isql could not grant SPARQL_UPDATE: {granted.stdout!r} {granted.stderr!r}"
        )
    return server
