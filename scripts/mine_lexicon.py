"""Mine entity lexicons from a corpus of abstracts into kg/extract/tables/.

    python scripts/mine_lexicon.py [--corpus PATH.jsonl.gz]

Reads gzip JSON Lines with ``title`` and ``abstract`` and writes four tables,
each a short name per line with its type and the number of papers naming it:

- ``mined_acronyms.tsv``: ``ABBR <tab> type <tab> long form <tab> papers`` from
  definitions "Long Form (ABBR)" whose letters are found in the long form
  (Schwartz & Hearst 2003) and whose long form's head word gives a type;
- ``mined_names.tsv``: ``Name <tab> type <tab> papers`` for name-shaped tokens
  (digits, inner capitals, acronyms: GPT-4, MMLU, LoRA) recurring across papers,
  typed by the cues around them ("the X benchmark", "X-7B", "X model");
- ``common_words.tsv``: lower-case words in at least 20 papers, so that a
  capitalised word that is not one of them reads as a name ("Medusa");
- ``mined_terms.tsv``: ``term <tab> type <tab> papers`` for lower-case terms of
  one to four words that end in a typed head word ("speculative decoding",
  "machine translation", "success rate") and recur across papers;
- ``gradable_adjectives.tsv``: ``word <tab> occurrences <tab> graded`` for
  words that the corpus grades ("more complex", "very thorough") or uses as a
  predicate ("is time-consuming.") in at least 3% of their occurrences: they
  describe how good a thing is ("complex reasoning", "minimal overhead"), not
  which thing it is ("spatial reasoning", "word error rate" are never graded).

Deterministic: the same corpus gives byte-identical tables (ties sort by name).
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from shared_data import corpus_option

from kg.abbreviations import long_form_start
from kg.extract.entities.names import MODIFIER_SUFFIX, NAME_SHAPE, PARAM_SIZE, QUANTITY
from kg.tables import TABLES_DIR, load_table

# Words and tokens of plain text: the miner reads 23k abstracts without spaCy.
TEXT_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-\.\+/']*[A-Za-z0-9+]|[A-Za-z0-9]")
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-\.\+/']*[A-Za-z0-9+]|[A-Za-z0-9]|[^\sA-Za-z0-9]")
PAREN = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-\.&/+]{0,14}?)s?\s*\)")
DATASET_NEXT = {"benchmark", "benchmarks", "dataset", "datasets", "corpus", "corpora", "suite", "testbed", "leaderboard", "treebank"}
MODEL_NEXT = {"model", "models", "checkpoint", "checkpoints", "family", "series", "variants", "backbone"}
METRIC_NEXT = {"score", "scores", "metric", "metrics"}
METHOD_NEXT = {"method", "algorithm", "framework", "approach", "technique", "architecture", "layer", "loss", "module", "strategy", "mechanism"}
STOP_FIRST = {
    "the", "a", "an", "this", "that", "these", "those", "our", "their", "its", "his", "her", "we", "it",
    "of", "in", "on", "for", "to", "with", "by", "and", "or", "from", "as", "at", "via", "into", "than",
    "is", "are", "was", "were", "be", "been", "which", "while", "such", "other", "both", "each", "all",
    "any", "some", "more", "most", "less", "many", "much", "few", "several", "various", "different",
    "novel", "new", "proposed", "existing", "previous", "prior", "current", "traditional", "conventional",
    "standard", "simple", "efficient", "effective", "better", "best", "improved", "high", "higher", "low",
    "lower", "large", "small", "strong", "robust", "general", "specific", "same", "similar", "first",
    "second", "recent", "state-of-the-art", "good", "significant", "substantial", "overall", "final",
    "extensive", "comprehensive", "additional", "further", "key", "main", "typical", "common", "popular",
    "widely", "well", "also", "not", "no", "only", "then", "thus", "however", "e.g", "i.e", "can", "may",
    "using", "use", "based", "via", "without", "within", "across", "over", "under", "between", "among",
    "through", "toward", "towards", "about", "after", "before", "during", "per", "every", "one", "two",
    "three", "four", "five", "multiple", "single", "whole", "entire", "full", "remarkable", "impressive",
    "competitive", "superior", "stronger", "faster", "better", "lightweight", "scalable", "unified",
}
STOP_INNER = {"the", "a", "an", "and", "or", "is", "are", "was", "were", "be", "we", "our", "their", "its",
              "this", "that", "these", "those", "which", "for", "to", "in", "on", "with", "by", "as", "at", "from"}
BAD_NAMES = {"AI", "LLM", "LLMs", "NLP", "GPU", "GPUs", "CPU", "CPUs", "API", "APIs", "US", "UK", "EU", "II", "III",
             "IV", "ML", "DL", "CV", "RL", "TB", "GB", "MB", "KB", "PhD", "OK", "IoT", "USA", "COVID-19", "FLOPs",
             "FLOPS", "IEEE", "ACL", "arXiv", "GitHub", "URL", "PDF", "HTML", "JSON", "SQL", "3D", "2D", "1D", "4D"}
MIN_TERM_PAPERS = 3
MIN_NAME_PAPERS = 3
MIN_ACRONYM_PAPERS = 2
MIN_COMMON_PAPERS = 20
MIN_GRADABLE_OCCURRENCES = 50
MIN_GRADED_SHARE = 0.03
INTENSIFIERS = {"more", "most", "less", "least", "very", "highly", "too", "so", "extremely", "increasingly",
                "relatively", "fairly", "quite", "rather", "overly", "sufficiently", "inherently", "particularly",
                "especially"}
COPULAS = {"is", "are", "was", "were", "be", "been", "being", "remains", "remain", "becomes", "become"}
PREDICATE_END = {".", ",", ";", ":", "and", "or", "than", "to", "for", "in", "when", "because", "but", "while", "as"}


def load_heads() -> tuple[dict[str, str], dict[str, str]]:
    """Head word -> type for names with a modifier, and for single words."""
    table = load_table("entity_heads.json")
    with_modifier: dict[str, str] = {}
    standalone: dict[str, str] = {}
    # Later types win a head word claimed by two; Method is weakest, so it goes first.
    for entity_type in ("Method", "Dataset", "Task", "Metric"):
        for word in table[entity_type]["with_modifier"]:
            with_modifier[word] = entity_type
        for word in table[entity_type]["standalone"]:
            standalone[word] = entity_type
    for word in table["generic_heads"]:
        with_modifier.pop(word, None)
    return with_modifier, standalone


def long_form_first_word(short: str, words: list[str]) -> int | None:
    """Index of the first word of the long form whose letters spell ``short``, or None."""
    letters = "".join(c.lower() for c in short if c.isalnum())
    if not letters or not letters[0].isalpha():
        return None
    text = " ".join(words).lower()
    start = long_form_start(letters, text)
    return None if start is None else len(text[:start].split())


def acronym_definitions(text: str):
    for match in PAREN.finditer(text):
        short = match.group(1).rstrip(".-/")
        if sum(c.isupper() for c in short) < 2 or len(short) < 2 or short.isdigit():
            continue
        before = text[max(0, match.start() - 200):match.start()]
        before = re.split(r"[.;:!?()\[\]]\s", before)[-1]
        words = TEXT_WORD.findall(before)
        window = words[-min(len(short) + 5, len(short) * 2):]
        first = long_form_first_word(short, window)
        if first is None:
            continue
        long_words = window[first:]
        if not 1 < len(long_words) <= 8 and not (len(long_words) == 1 and "-" in long_words[0]):
            continue
        if long_words[0].lower() in STOP_FIRST:
            continue
        yield " ".join(long_words), short


def term_type(words: list[str], with_modifier: dict[str, str], standalone: dict[str, str]) -> str | None:
    last = words[-1].lower()
    if len(words) == 1:
        return standalone.get(last)
    return with_modifier.get(last)


def mine(corpus: Path):
    with_modifier, standalone = load_heads()
    BAD_NAMES.update(load_table("stop_names.txt"))
    acronyms: dict[str, Counter] = defaultdict(Counter)
    acronym_papers: Counter = Counter()
    name_papers: Counter = Counter()
    lower_papers: Counter = Counter()
    name_votes: dict[str, Counter] = defaultdict(Counter)
    term_papers: Counter = Counter()
    word_count: Counter = Counter()
    graded_count: Counter = Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = (record.get("title") or "") + ".\n" + (record.get("abstract") or "")
            seen_acronyms = set()
            for long_form, short in acronym_definitions(text):
                acronyms[short][long_form.lower()] += 1
                seen_acronyms.add(short)
            acronym_papers.update(seen_acronyms)

            tokens = TOKEN.findall(text)
            seen_names = set()
            for i, token in enumerate(tokens):
                if token in BAD_NAMES or not NAME_SHAPE.match(token) or QUANTITY.match(token):  # as the extractor
                    continue
                seen_names.add(token)
                nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
                prev = tokens[i - 1].lower() if i else ""
                votes = name_votes[token]
                if nxt in DATASET_NEXT:
                    votes["Dataset"] += 1
                elif nxt in MODEL_NEXT:
                    votes["Model"] += 1
                elif nxt in METRIC_NEXT:
                    votes["Metric"] += 1
                elif nxt in METHOD_NEXT:
                    votes["Method"] += 1
                if PARAM_SIZE.search(token):
                    votes["Model"] += 2
                if prev in {"on", "using"} and nxt in {",", ".", "and"}:
                    votes["Dataset?"] += 1
            name_papers.update(seen_names)
            # Sentence-initial words count too: "Moreover" is as common as "moreover".
            lower_papers.update({t.lower() for i, t in enumerate(tokens)
                                 if t.islower() or (t.istitle() and (i == 0 or tokens[i - 1] in ".!?"))})

            seen_terms = set()
            for sentence in re.split(r"[.;:!?()\[\]\"]|, ", text):
                words = TEXT_WORD.findall(sentence)
                lowered = [w.lower() for w in words]
                for end in range(len(words)):
                    last = lowered[end]
                    if last not in with_modifier and last not in standalone:
                        continue
                    for n in range(1, 5):
                        start = end - n + 1
                        if start < 0:
                            break
                        span = words[start:end + 1]
                        if any(w != w.lower() for w in span):
                            break
                        if lowered[start] in STOP_FIRST or any(w in STOP_INNER for w in lowered[start:end]):
                            break
                        if any(c.isdigit() or c in "'/+" for c in "".join(span)):
                            break
                        if term_type(span, with_modifier, standalone):
                            seen_terms.add(" ".join(span))
            term_papers.update(seen_terms)
            count_graded(tokens, word_count, graded_count)
    gradable = (word_count, graded_count)
    return (with_modifier, standalone, acronyms, acronym_papers, name_papers, lower_papers, name_votes, term_papers,
            gradable)


def count_graded(tokens: list[str], word_count: Counter, graded_count: Counter) -> None:
    """Count each lower-case word, and its graded uses: "more X", "very X", "is (very) X." """
    lowered = [t.lower() for t in tokens]
    for i, word in enumerate(lowered):
        if not tokens[i].islower():
            continue
        word_count[word] += 1
        j = i - 1
        while j >= 0 and lowered[j] in INTENSIFIERS:
            j -= 1
        if j < i - 1:
            graded_count[word] += 1
        elif j >= 0 and lowered[j] in COPULAS and i + 1 < len(lowered) and lowered[i + 1] in PREDICATE_END:
            graded_count[word] += 1


def family_of(name: str, families: list[str]) -> bool:
    lowered = name.lower()
    return any(lowered.startswith(f) and (len(lowered) == len(f) or not lowered[len(f)].isalpha()) for f in families)


def name_type(votes: Counter) -> str | None:
    strong = Counter({t: n for t, n in votes.items() if not t.endswith("?")})
    if strong:
        (best, top), *rest = sorted(strong.items(), key=lambda item: (-item[1], item[0]))
        if top >= 2 and all(n * 2 <= top for _, n in rest):
            return best
    if votes["Dataset?"] >= 3 and not strong:
        return "Dataset"
    return None


def write_tables(mined, out: Path) -> dict[str, int]:
    (with_modifier, standalone, acronyms, acronym_papers, name_papers, lower_papers, name_votes, term_papers,
     (word_count, graded_count)) = mined
    families = sorted((line.lower() for line in load_table("model_families.txt")), key=len, reverse=True)
    acronym_rows = []
    acronym_types = {}
    for short, forms in acronyms.items():
        if acronym_papers[short] < MIN_ACRONYM_PAPERS or short in BAD_NAMES:
            continue
        long_form, _ = sorted(forms.items(), key=lambda item: (-item[1], item[0]))[0]
        votes = Counter()
        for form, n in forms.items():
            entity_type = term_type(form.split(), with_modifier, standalone)
            if entity_type:
                votes[entity_type] += n
        if not votes:
            continue
        entity_type = sorted(votes.items(), key=lambda item: (-item[1], item[0]))[0][0]
        acronym_types[short] = entity_type
        acronym_rows.append((short, entity_type, long_form, acronym_papers[short]))
    name_rows = []
    for name, papers in name_papers.items():
        if papers < MIN_NAME_PAPERS or MODIFIER_SUFFIX.search(name) or lower_papers[name.lower()] * 2 >= papers:
            continue
        if family_of(name, families):
            entity_type = "Model"
        else:
            entity_type = acronym_types.get(name) or name_type(name_votes[name])
        if entity_type:
            name_rows.append((name, entity_type, papers))
    term_rows = []
    for term, papers in term_papers.items():
        words = term.split()
        if papers < (MIN_TERM_PAPERS if len(words) > 1 else 10):
            continue
        term_rows.append((term, term_type(words, with_modifier, standalone), papers))

    common_rows = [(word, papers) for word, papers in lower_papers.items()
                   if papers >= MIN_COMMON_PAPERS and word.isalpha()]
    # Adverbs ("-ly") and participles ("-ed": "masked", "constrained") are left out: a
    # participle before a noun usually says how the thing is made, which names it.
    gradable_rows = [(word, n, graded_count[word]) for word, n in word_count.items()
                     if n >= MIN_GRADABLE_OCCURRENCES and graded_count[word] >= MIN_GRADED_SHARE * n
                     and re.fullmatch(r"[a-z]+(?:-[a-z]+)*", word) and not word.endswith(("ly", "ed"))]
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for file_name, header, rows in (
        ("mined_acronyms.tsv", "# abbreviation\ttype\tlong form\tpapers", acronym_rows),
        ("mined_names.tsv", "# name\ttype\tpapers", name_rows),
        ("mined_terms.tsv", "# term\ttype\tpapers", term_rows),
        ("common_words.tsv", "# lower-case word\tpapers (words of everyday and field prose)", common_rows),
        ("gradable_adjectives.tsv", "# word\toccurrences\tgraded (after more/very/..., or a predicate)",
         gradable_rows),
    ):
        rows = sorted(rows, key=lambda row: (-row[1 if file_name.startswith("gradable") else -1], row[0]))
        lines = [header] + ["\t".join(str(v) for v in row) for row in rows]
        (out / file_name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[file_name] = len(rows)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus_option(parser)
    parser.add_argument("--out", type=Path, default=TABLES_DIR)
    args = parser.parse_args()
    counts = write_tables(mine(args.corpus), args.out)
    for file_name, n in counts.items():
        print(f"{file_name}: {n} rows")


if __name__ == "__main__":
    main()
