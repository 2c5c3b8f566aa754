"""Behaviour unchanged: the checkout's code writes the same bytes as another commit's.

    python scripts/check_same_output.py [--against main] [--papers 2000] [--jobs 2] [--work DIR]

Runs the same commands twice, with the code of git revision REV (taken with ``git archive``, so the
checkout is left as it is) and with the checkout's code as it is on disk: ``kg build`` of the seeds and
of the first N corpus papers, ``kg extract`` of the seeds, and on each store the exports (cypher, csv,
graphml, html, neo4j --dry-run), stats, entities, show, results, trends, explain and ``kg query`` on
the embedded engine in its three formats. Every file written and every command's stdout and exit status
are compared byte for byte; the files that differ are listed. Extractions come from the cache
($KG_CACHE_DIR), so a run costs about a minute while the extractor is unchanged.

Two values are stamps of the code rather than output: the manifest's ``fingerprint`` (kg/builder.py,
BUILD_CODE) and the results index's ``stamp`` (its graph file's mtime and the code's hash). They
differ whenever the build's code does. Those files are compared without them, and a changed stamp is
reported. A view page (.html) whose payload holds the same data with its objects' keys in
another order, and is the same byte for byte otherwise, is reported apart too: the page reads its
records by key. REV's outputs are kept in WORK and reused while REV names the same commit.
Exit status 1 when anything else differs.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from shared_data import ROOT, SEEDS, corpus_option, first_papers, papers_option

KG = Path(sys.executable).parent / "kg"  # the console script of this venv; PYTHONPATH picks the code
QUERY = ("MATCH (p:Paper)-[r]->(e:Entity) WHERE e.paper_count >= $least "
         "RETURN e.name AS name, type(r) AS role, count(p) AS papers, collect(p.id)[0..2] AS some "
         "ORDER BY papers DESC, name, role LIMIT 25")
STAMPS = {"manifest.json": "fingerprint", "graph.results.json": "stamp"}
PAYLOAD = re.compile(rb'(<script type="application/json" id="kg-data">)(.*?)(</script>)', re.DOTALL)
SKIPPED_DIRS = {".kg-query"}  # kg query's cache of the loaded database: a server's dump, not kg's output


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


def export_source(rev: str, target: Path) -> None:
    """The tree of ``rev`` in ``target``, through ``git archive``."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)


def run(code: Path, root: Path, out: Path, name: str, *args: str) -> None:
    """``kg ARGS`` with ``code`` first on the path; its stdout and exit status go to ``out/name.out``, with
    ``root`` written as OUT and the build's time left out."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run([str(KG), *args], cwd=out, env=env, capture_output=True, text=True)
    if done.returncode and name.startswith("build"):
        sys.exit(f"kg {' '.join(args)} failed:\n{done.stderr}")
    lines = [line.replace(str(root), "OUT") for line in done.stdout.splitlines() if not line.startswith("seconds ")]
    (out / f"{name}.out").write_text("\n".join([*lines, f"exit {done.returncode}", ""]), encoding="utf-8")


def first_paper(store: Path) -> tuple[str, str]:
    """The id of the store's first paper and the name of its first entity."""
    with open(store / "extractions.jsonl", encoding="utf-8") as f:
        record = json.loads(f.readline())
    return record["id"], record["entities"][0]["name"]


def run_all(code: Path, out: Path, sample: Path, jobs: int) -> None:
    out.mkdir(parents=True)
    run(code, out, out, "extract-seeds", "extract", str(SEEDS), "--jobs", str(jobs))
    for name, source in (("seeds", SEEDS), ("corpus", sample)):
        store = out / name
        run(code, out, out, f"build-{name}", "build", str(source), "-o", str(store), "--jobs", str(jobs))
        graph = str(store / "graph.json")
        paper, entity = first_paper(store)
        exports = out / f"{name}-exports"
        exports.mkdir()
        for command, *args in (
                ("export-cypher", "export", "cypher", "-o", str(exports / "graph.cypher")),
                ("export-csv", "export", "csv", "-o", str(exports / "csv")),
                ("export-graphml", "export", "graphml", "-o", str(exports / "graph.graphml")),
                ("export-html", "export", "html", "--top", "300", "-o", str(exports / "top.html")),
                ("export-neo4j-dry-run", "export", "neo4j", "--dry-run"),
                ("stats", "stats", "--json"),
                ("entities", "entities", "--json"),
                ("show", "show", entity, "--json"),
                ("results", "results", "--json"),
                ("results-csv", "results", "--csv", "--plot", str(exports / "results.svg")),
                ("trends", "trends", "--json", "--plot", str(exports / "trends.svg")),
                ("explain", "explain", paper, "--no-open", "-o", str(exports / "explain.html")),
                *((f"query-{fmt}", "query", QUERY, "--param", "least=2", "--format", fmt)
                  for fmt in ("table", "json", "csv"))):
            run(code, out, exports, command, *args, "--graph", graph)


def same_payload(old: bytes, new: bytes) -> bool:
    """Whether two view pages differ only in the key order of their payload's objects."""
    old_data, new_data = PAYLOAD.search(old), PAYLOAD.search(new)
    return (old_data is not None and new_data is not None
            and PAYLOAD.sub(rb"\1\3", old) == PAYLOAD.sub(rb"\1\3", new)
            and json.loads(old_data.group(2)) == json.loads(new_data.group(2)))


def compare(before: Path, after: Path) -> tuple[list[str], list[str]]:
    """(files that differ or exist on one side only, differences set apart: stamps, payload key order)."""
    def files(root: Path) -> set[Path]:
        return {p.relative_to(root) for p in root.rglob("*")
                if p.is_file() and not SKIPPED_DIRS.intersection(p.relative_to(root).parts)}

    ours, theirs = files(before), files(after)
    differ = sorted(f"only in {side}: {p}" for side, only in (("before", ours - theirs), ("after", theirs - ours))
                    for p in only)
    stamps = []
    for path in sorted(ours & theirs):
        old, new = (before / path).read_bytes(), (after / path).read_bytes()
        if old == new:
            continue
        if path.suffix == ".html" and same_payload(old, new):
            stamps.append(f"{path}: the same payload, its keys in another order")
            continue
        field = STAMPS.get(path.name)
        if field is not None:
            old_data, new_data = json.loads(old), json.loads(new)
            if old_data.pop(field) != new_data.pop(field):
                stamps.append(f"{path}: {field} (a stamp of the code)")
            if old_data == new_data:
                continue
        differ.append(f"differs: {path}")
    return differ, stamps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default="main", metavar="REV", help="The commit to compare with (main).")
    corpus_option(parser)
    papers_option(parser, 2000)
    parser.add_argument("--jobs", type=int, default=2, help="kg build --jobs (2).")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-same-output",
                        help="Where REV's code and outputs are kept between runs, and the checkout's are written.")
    args = parser.parse_args()
    commit = git("rev-parse", args.against)
    args.work.mkdir(parents=True, exist_ok=True)
    sample = args.work / f"corpus-{args.papers}.jsonl"
    if not sample.exists():
        first_papers(args.corpus, args.papers, sample)
    before = args.work / f"before-{commit[:12]}-{args.papers}"
    if not before.exists():
        source = args.work / f"src-{commit[:12]}"
        if not source.exists():
            export_source(commit, source)
        print(f"running {args.against} ({commit[:12]}) into {before}", file=sys.stderr)
        partial = before.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        run_all(source, partial, sample, args.jobs)
        partial.rename(before)
    after = args.work / "after"
    shutil.rmtree(after, ignore_errors=True)
    print(f"running the checkout into {after}", file=sys.stderr)
    run_all(ROOT, after, sample, args.jobs)
    differ, stamps = compare(before, after)
    compared = sum(1 for p in after.rglob("*") if p.is_file())
    for line in stamps:
        print(f"set apart: {line}")
    for line in differ:
        print(line)
    print(f"{compared} files compared with {args.against} ({commit[:12]}): "
          + (f"{len(differ)} differ" if differ else "all the same"))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
