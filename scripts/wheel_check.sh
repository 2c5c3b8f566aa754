#!/usr/bin/env bash
# The wheel works away from the checkout, as the editable install does: build it from what a commit of the
# checkout holds, install it into a fresh venv in a temporary folder, run every command there on the example
# papers, and compare what each writes with the same commands run by the checkout's .venv (make install).
#
#   bash scripts/wheel_check.sh        (.ci/run runs it after the tests)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kg-wheel-check.XXXXXX")
bolt_pid=
cleanup() {
  if [ -n "$bolt_pid" ]; then kill "$bolt_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
unset NEO4J_URI NEO4J_USERNAME NEO4J_USER NEO4J_PASSWORD NEO4J_DATABASE  # kg query: the embedded engine
started=$SECONDS
fail() { echo "wheel check: FAILED: $*" >&2; exit 1; }

# The sources a commit would hold (tracked and unignored files), so no leftover of an earlier build in the
# checkout can reach the wheel.
mkdir "$work/src" "$work/dist" "$work/run"
git -C "$root" ls-files -z --cached --others --exclude-standard |
  tar -C "$root" --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$work/src" -xf -
"$root/.venv/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$work/src"
wheel=$(ls "$work/dist"/*.whl)
echo "wheel check: built $(basename "$wheel")"
"$root/.venv/bin/python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$wheel"

cd "$work/run"  # nothing of the checkout on sys.path from here on

# Every file of kg/, schema/ and viz/ is in the installed package.
site=$("$work/venv/bin/python" -c 'import kg, pathlib; print(pathlib.Path(kg.__file__).parent.parent)')
case "$site" in "$work/venv/"*) ;; *) fail "kg was imported from $site, not from the wheel's venv" ;; esac
(cd "$work/src" && find kg schema viz -type f ! -path '*/__pycache__/*' |
  sed -e 's#^schema/#kg/schema_data/#' -e 's#^viz/#kg/viz_data/#' | sort) > "$work/expected-files"
(cd "$site" && find kg -type f ! -path '*/__pycache__/*' | sort) > "$work/installed-files"
missing=$(comm -23 "$work/expected-files" "$work/installed-files")
[ -z "$missing" ] || fail "the wheel lacks: $(echo $missing) (pyproject.toml: packages, package-data)"

cp "$root/examples/papers.jsonl" "$work/papers.jsonl"
count_nodes="MATCH (n) WITH [l IN labels(n) WHERE l <> 'Entity'][0] AS label
  RETURN label, count(*) AS nodes ORDER BY nodes DESC, label"

cat > "$work/api.py" <<'EOF'
import kg

graph = kg.load("out/graph.json")
nx_graph = graph.to_networkx()
print(kg.__version__, nx_graph.number_of_nodes(), nx_graph.number_of_edges())
EOF

# `writes FILE COMMAND...`: COMMAND's output into FILE, its messages into messages.log; a failure or a
# traceback ends the check. The *.log files are not compared: they hold timings.
writes() {
  local file=$1
  shift
  "$@" > "$file" 2>> messages.log || { cat messages.log >&2; fail "\`$*\` failed (above)"; }
  if grep -q Traceback messages.log; then cat messages.log >&2; fail "a traceback from \`$*\` (above)"; fi
}

# Every command, with the kg of bin folder $1, in the current folder.
run_commands() {
  local bin=$1
  writes build.log "$bin/kg" build "$work/papers.jsonl" -o out
  writes stats.json "$bin/kg" stats --graph out/graph.json --json
  writes entities.txt "$bin/kg" entities --graph out/graph.json
  writes show.txt "$bin/kg" show Medusa --graph out/graph.json
  writes export-cypher.txt "$bin/kg" export cypher --graph out/graph.json -o export/graph.cypher
  writes export-csv.txt "$bin/kg" export csv --graph out/graph.json -o export/csv
  writes export-graphml.txt "$bin/kg" export graphml --graph out/graph.json -o export/graph.graphml
  writes export-html.txt "$bin/kg" export html --graph out/graph.json -o export/graph.html
  writes view.txt "$bin/kg" view --graph out/graph.json --no-open -o view.html
  writes query.json "$bin/kg" query --graph out/graph.json --format json "$count_nodes"
  writes api.txt "$bin/python" "$work/api.py"
  grep -q '"Paper"' query.json || fail "kg query found no paper: $(cat query.json)"
}

# Both installs run in the same folder, one after the other, with their own extraction caches, so that
# paths written into the outputs are the same.
KG_CACHE_DIR="$work/cache-wheel" run_commands "$work/venv/bin"
mkdir "$work/wheel" && mv "$work/run"/* "$work/wheel"/
KG_CACHE_DIR="$work/cache-editable" run_commands "$root/.venv/bin"
mkdir "$work/editable" && mv "$work/run"/* "$work/editable"/
# Caches beside a graph (kg query's database, the results index) are stamped with the graph file's time, and
# a store's update state with the times its version's files were written (kg.row_files).
diff -r -x .kg-query -x '*.results.json' -x 'state.sqlite*' -x '*.log' "$work/editable" "$work/wheel" \
  > "$work/differences" ||
  { head -50 "$work/differences" >&2; fail "the wheel's outputs differ from the editable install's (above)"; }

# kg export neo4j, into a real Bolt server (FalkorDB's, as the live tests use): it then holds the same graph.
"$work/venv/bin/python" "$root/scripts/falkordb_server.py" --data-dir "$work/bolt" > "$work/bolt-uri" 2> "$work/bolt.log" &
bolt_pid=$!
for _ in $(seq 600); do [ -s "$work/bolt-uri" ] && break; sleep 0.1; done
uri=$(head -1 "$work/bolt-uri")
[ -n "$uri" ] || fail "the FalkorDB Bolt server did not start: $(cat "$work/bolt.log")"
cd "$work/wheel"
"$work/venv/bin/kg" export neo4j --graph out/graph.json --uri "$uri" > export-neo4j.log 2>&1 ||
  { cat export-neo4j.log >&2; fail "kg export neo4j failed (above)"; }
"$work/venv/bin/kg" query --uri "$uri" --format json "$count_nodes" > bolt-query.json
diff query.json bolt-query.json || fail "the graph exported over Bolt differs from the store (above)"

compared=$(find "$work/wheel" -path '*/.kg-query' -prune -o -type f ! -name '*.log' -print | wc -l)
echo "wheel check: passed in $((SECONDS - started)) s: the wheel holds all $(wc -l < "$work/expected-files") files of" \
  "kg; build, stats, entities, show, export cypher/csv/graphml/html, view, query and the Python API wrote" \
  "$compared files identical to the editable install's; export neo4j loaded the same graph"
