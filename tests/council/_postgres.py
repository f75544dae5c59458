"""A throwaway PostgreSQL cluster for the test session: initdb, pg_ctl, one database per test.

The server listens only on a Unix socket in a temporary folder, trusts local
connections and does not fsync (nothing in it outlives the session). initdb
refuses to run as root, so as root the cluster belongs to the ``postgres``
system user that Debian's package creates.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

SUPERUSER = "postgres"
SETTINGS = (
    "-c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200"
)


def _version(folder: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", folder.parent.name))


def server_bin() -> Path | None:
    """The folder of initdb and pg_ctl: the newest Debian cluster version, else pg_config's."""
    found = sorted(
        (p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")), key=_version
    )
    if found:
        return found[-1]
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        folder = Path(done.stdout.strip())
        if done.returncode == 0 and (folder / "initdb").exists():
            return folder
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


class Cluster:
    """A cluster in a temporary folder; ``database()`` makes an empty database and its URL."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="planlab-pg-"))
        self.data = self.root / "data"
        self.socket = self.root / "socket"
        self.log = self.root / "server.log"
        self.names = itertools.count(1)
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            self.as_owner = ["runuser", "-u", SUPERUSER, "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.as_owner, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}{log}")

    def start(self) -> Cluster:
        self.socket.mkdir()
        if self.as_owner:
            for path in (self.root, self.socket):
                shutil.chown(path, SUPERUSER, SUPERUSER)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            f"-k {self.socket} {SETTINGS}",
            "-w",
            "start",
        )
        return self

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of a database in the cluster (psycopg 3 over the socket)."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket}"

    def database(self) -> str:
        """A new empty database; its URL."""
        name = f"council_{next(self.names)}"
        with psycopg.connect(
            host=str(self.socket), user=SUPERUSER, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and remove every file of the cluster."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
