import json
import os
from pathlib import Path

import pytest

from kg.build import GRAPH_FILE, BuildOptions, build_store
from kg.chunks import chunked
from kg.engine import extract_local
from kg.extractor import PipelineConfig
from kg.records import Paper

distributed = pytest.importorskip("dask.distributed")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"


def _papers(copies: int) -> list[Paper]:
    base = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines()]
    return [Paper(id=f"{r['id']}-{i}", title=f"{r['title']} ({i})", abstract=r["abstract"])
            for i in range(copies) for r in base]


def _write(papers: list[Paper], path: Path) -> Path:
    path.write_text("".join(json.dumps({"id": p.id, "title": p.title, "abstract": p.abstract}) + "\n"
                            for p in papers), encoding="utf-8")
    return path


def test_engine_chunks_keep_input_order():
    papers = _papers(3)
    assert [p.id for chunk in chunked(papers, 5) for p in chunk] == [p.id for p in papers]
    out = [e.paper.id for chunk in extract_local(papers, PipelineConfig(), jobs=2, chunk_size=4) for e in chunk]
    assert out == [p.id for p in papers]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster


def test_engine_dask_build_is_byte_identical_to_the_local_one(cluster, tmp_path):
    source = _write(_papers(4), tmp_path / "papers.jsonl")
    build_store([str(source)], tmp_path / "local", BuildOptions(html=False, use_cache=False))
    build_store([str(source)], tmp_path / "dask", BuildOptions(
        html=False, use_cache=False, engine="dask", scheduler=cluster.scheduler_address))
    for name in (GRAPH_FILE, "extractions.jsonl"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_engine_dask_survives_a_worker_killed_mid_build(cluster, tmp_path):
    source = _write(_papers(20), tmp_path / "papers.jsonl")
    build_store([str(source)], tmp_path / "local", BuildOptions(html=False, use_cache=False))
    killed = tmp_path / "killed"

    class ExitAsAChunkStarts(distributed.WorkerPlugin):
        """The first worker to start extracting a chunk dies there, the chunk unfinished (once: the file
        ``killed`` records it, and the worker the nanny starts in its place, like the other, works on)."""

        def setup(self, worker):
            self.worker = worker

        def transition(self, key, start, finish, **kwargs):
            if finish != "executing" or not str(key).startswith("extract_chunk-"):
                return
            try:
                record = os.open(killed, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return
            os.write(record, f"{self.worker.address} {key}".encode())
            os._exit(1)

    with distributed.Client(cluster.scheduler_address) as client:
        client.register_plugin(ExitAsAChunkStarts(), name="exit-as-a-chunk-starts")
        try:
            build_store([str(source)], tmp_path / "dask", BuildOptions(
                html=False, use_cache=False, engine="dask", scheduler=cluster.scheduler_address))
        finally:
            client.unregister_worker_plugin("exit-as-a-chunk-starts")
    assert killed.exists(), "no worker was killed"
    assert (tmp_path / "dask" / GRAPH_FILE).read_bytes() == (tmp_path / "local" / GRAPH_FILE).read_bytes()
