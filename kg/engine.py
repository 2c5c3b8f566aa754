"""Running extraction on every core, or on a Dask cluster, with the same stage function.

Papers are cut into chunks; each chunk is extracted by ``extract_chunk`` in a
worker that loaded the spaCy pipeline once. Results come back in input order,
and only a few chunks are in flight at a time, so input is read lazily and
memory stays flat however long the input is.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from typing import Iterable, Iterator

from kg.chunks import chunked
from kg.extractor import PipelineConfig
from kg.records import Extraction, Paper
from kg.resolve import MentionTally, tally

CHUNK_SIZE = 64
IN_FLIGHT_PER_WORKER = 3


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def extract_chunk(config: PipelineConfig, papers: list[Paper]) -> list[Extraction]:
    """The stage function every engine runs: one chunk of papers, extracted."""
    from kg.extract import extract

    return list(extract(papers, config))


def _ordered(submit, chunks: Iterable[list[Paper]], window: int) -> Iterator[list[Extraction]]:
    """Results of ``submit(chunk)`` in input order, with at most ``window`` pending."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def extract_local(papers: Iterable[Paper], config: PipelineConfig, jobs: int,
                  chunk_size: int = CHUNK_SIZE) -> Iterator[list[Extraction]]:
    """Chunks of extractions, from ``jobs`` worker processes (or this one for 1).

    A worker loads the pipeline with its first chunk, not in a pool initializer:
    an initializer's error (an unknown model) only breaks the pool, while a
    chunk's error comes back to this process as itself.
    """
    chunks = chunked(papers, chunk_size)
    if jobs <= 1:
        for chunk in chunks:
            yield extract_chunk(config, chunk)
        return
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        yield from _ordered(lambda chunk: pool.submit(extract_chunk, config, chunk),
                            chunks, jobs * IN_FLIGHT_PER_WORKER)


class DaskRun:
    """Extraction and resolution's map-reduce on a dask.distributed cluster.

    Tasks are pure functions of their chunk, so a worker that dies loses
    nothing: the scheduler runs its tasks again elsewhere. Each chunk is also
    tallied on the worker that extracted it; the tallies are merged pairwise
    there, and only the merged tally comes back.
    """

    def __init__(self, client, config: PipelineConfig, chunk_size: int = 256):
        self.client = client
        self.config = config
        self.chunk_size = chunk_size
        self.tallies: list = []

    def extract(self, papers: Iterable[Paper]) -> Iterator[list[Extraction]]:
        window = max(2, IN_FLIGHT_PER_WORKER * sum(self.client.nthreads().values()))

        def submit(chunk):
            future = self.client.submit(extract_chunk, self.config, chunk, pure=True)
            self.tallies.append(self.client.submit(tally, future, pure=True))
            return future

        yield from _ordered(submit, chunked(papers, self.chunk_size), window)

    def tally(self) -> MentionTally:
        futures = list(self.tallies)
        while len(futures) > 1:
            merged = [self.client.submit(merge_tallies, a, b, pure=True)
                      for a, b in zip(futures[::2], futures[1::2])]
            futures = merged + ([futures[-1]] if len(futures) % 2 else [])
        return futures[0].result() if futures else MentionTally()


def merge_tallies(a: MentionTally, b: MentionTally) -> MentionTally:
    return MentionTally().merge(a).merge(b)
