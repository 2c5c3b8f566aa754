"""Small hand-written extractions for tests of the graph, its exports and its results (no spaCy needed)."""
from __future__ import annotations

import re

from kg.graph import KnowledgeGraph, build_graph
from kg.records import Claim, Entity, Extraction, Paper, Relation, Span

# The view's payload in its page (kg.export.html).
DATA_BLOCK = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.DOTALL)
HOSTILE_STRINGS = (
    "it's \"quoted\" `ticked` } // MATCH (n) DETACH DELETE n",
    "<script>window.__pwned = 1</script>",
    "<img src=x onerror=\"window.__pwned = 2\">",
    "a, b; c\nnew line</div>",
)


def named_paper(pid: str, *entities: tuple[str, str, list[str]], claims=(), relations=()) -> Extraction:
    """A paper whose abstract is its entities' names, each (name, type, aliases) used once, in order."""
    paper = Paper(id=pid, title=f"Paper {pid}", abstract=" ".join(name for name, *_ in entities))
    out, offset = [], paper.abstract_offset
    for name, etype, aliases in entities:
        out.append(Entity(name, etype, "used", (Span(offset, offset + len(name), name),), tuple(aliases)))
        offset += len(name) + 1
    return Extraction(paper=paper, entities=tuple(out), claims=tuple(claims), relations=tuple(relations))


def _span(text: str, needle: str, after: int = 0) -> Span:
    start = text.index(needle, after)
    return Span(start, start + len(needle), needle)


def medusa_extraction() -> Extraction:
    paper = Paper(
        id="2401.10774",
        title="Medusa: Simple LLM Inference Acceleration with Multiple Decoding Heads",
        abstract=(
            "We present Medusa, a method that adds extra decoding heads to a large language model. "
            "Medusa-1 achieves over 2.2x speedup over speculative decoding on Vicuna-7B. "
            "Medusa is evaluated on MT-Bench."
        ),
        date="2024-01-19",
        authors=("Ada Lovelace", "Alan Turing"),
    )
    text = paper.text
    claim_text = "Medusa-1 achieves over 2.2x speedup over speculative decoding on Vicuna-7B"
    c_start = text.index(claim_text)
    v_start = text.index("2.2", c_start)
    first = text.index("We present")
    third = text.index("Medusa is evaluated")
    return Extraction(
        paper=paper,
        entities=(
            Entity("Medusa", "Method", "proposed", (_span(text, "Medusa"), _span(text, "Medusa-1")), ("Medusa-1",)),
            Entity("decoding heads", "Method", "used", (_span(text, "decoding heads"),)),
            Entity("speculative decoding", "Method", "compared", (_span(text, "speculative decoding"),)),
            Entity("Vicuna-7B", "Model", "used", (_span(text, "Vicuna-7B"),)),
            Entity("MT-Bench", "Dataset", "used", (_span(text, "MT-Bench"),)),
            Entity("speedup", "Metric", "used", (_span(text, "speedup"),)),
            Entity("LLM inference acceleration", "Task", "used", (_span(text, "LLM Inference Acceleration"),)),
        ),
        claims=(
            Claim(
                value="2.2", start=v_start, end=v_start + 3,
                text=claim_text, text_start=c_start, text_end=c_start + len(claim_text),
                value_min=2.2, value_max=2.2, unit="x", metric="speedup", subject="Medusa-1",
                via="decoding heads", baseline="speculative decoding", dataset=None, qualifier="over",
            ),
        ),
        relations=(
            Relation("Medusa", "USES", "decoding heads", text[first:text.index(".", first) + 1], first,
                     text.index(".", first) + 1),
            Relation("Medusa", "OUTPERFORMS", "speculative decoding", claim_text, c_start, c_start + len(claim_text)),
            Relation("Medusa", "EVALUATED_ON", "MT-Bench", text[third:], third, len(text)),
        ),
    )


def hostile_extraction(index: int = 0) -> Extraction:
    """A paper whose title and entity names are built to break unescaped output."""
    name = HOSTILE_STRINGS[index % len(HOSTILE_STRINGS)]
    title = f"{name}: a title {index}"
    paper = Paper(id=f"hostile-{index}", title=title, abstract=f"We propose {name} and it works.")
    text = paper.text
    start = text.index(name, len(title))
    return Extraction(
        paper=paper,
        entities=(Entity(name, "Method", "proposed", (Span(start, start + len(name), name),)),),
    )


def sample_graph() -> KnowledgeGraph:
    return build_graph([medusa_extraction(), *(hostile_extraction(i) for i in range(len(HOSTILE_STRINGS)))])


def claim_in(sentence: str, number: str, *, unit: str | None = None, metric: str | None = None,
             value_min: float | None = None, value_max: float | None = None, **fields) -> Claim:
    """A claim on the first ``number`` of ``sentence``, as the extractor records it."""
    start = sentence.index(number)
    low = value_min if value_min is not None else float(re.findall(r"[\d.]+", number)[0])
    return Claim(value=number, start=start, end=start + len(number), text=sentence, text_start=0,
                 text_end=len(sentence), value_min=low, value_max=value_max if value_max is not None else low,
                 unit=unit, metric=metric, **fields)


def dated_paper(pid: str, date: str, text: str) -> Paper:
    """A paper of ``date`` whose abstract is ``text``."""
    return Paper(id=pid, title=f"Paper {pid}", abstract=text, date=date)


def result_extraction(pid: str, date: str, subject: str, sentence: str, number: str, *, unit=None, metric=None,
                      dataset=None, task=None) -> Extraction:
    """A paper whose abstract is ``sentence``, reporting one result of ``subject`` on ``number``."""
    paper = dated_paper(pid, date, sentence)
    offset = paper.abstract_offset
    claim = claim_in(sentence, number, unit=unit, metric=metric, subject=subject, dataset=dataset)
    claim = Claim(**{**claim.to_dict(), "start": claim.start + offset, "end": claim.end + offset,
                     "text_start": offset, "text_end": offset + len(sentence)})
    entities = [Entity(subject, "Model", "proposed", (Span(offset, offset + len(subject), subject),))]
    for name, kind in ((dataset, "Dataset"), (task, "Task")):
        if name:
            at = sentence.index(name) + offset
            entities.append(Entity(name, kind, "used", (Span(at, at + len(name), name),)))
    return Extraction(paper, tuple(entities), (claim,))


def doubtful_board() -> KnowledgeGraph:
    """Two accuracy scores on Fenbench: Quillon's under attack (a doubt), Marlo's plain."""
    return build_graph([
        result_extraction("a", "2025-01-01", "Quillon", "Under attack, Quillon keeps 62.3% accuracy on Fenbench.",
                          "62.3", unit="%", metric="accuracy", dataset="Fenbench"),
        result_extraction("b", "2025-01-01", "Marlo", "Marlo reaches 55.0% accuracy on Fenbench.", "55.0", unit="%",
                          metric="accuracy", dataset="Fenbench")])


def board_graph() -> KnowledgeGraph:
    """Seven results: accuracy and WER boards on two datasets, and two speedups."""
    rows = [
        ("p1", "2025-01-10", "Quillon", "Quillon reaches 81.5% accuracy on Fenbench for tabular parsing.", "81.5",
         "%", "accuracy", "Fenbench", "tabular parsing"),
        ("p2", "2025-03-02", "Marlo", "Marlo reaches 88.0% accuracy on Fenbench.", "88.0", "%", "accuracy",
         "Fenbench", None),
        ("p3", "2025-06-20", "Tessar", "Tessar reaches 0.91 accuracy on Fenbench.", "0.91", None, "accuracy",
         "Fenbench", None),
        ("p4", "2025-02-11", "Quillon", "Quillon reaches 3.1% WER on Vosk-clean.", "3.1", "%", "WER",
         "Vosk-clean", None),
        ("p5", "2025-05-05", "Marlo", "Marlo reaches 2.4% WER on Vosk-clean.", "2.4", "%", "WER", "Vosk-clean",
         None),
        ("p6", "2025-04-01", "Zemmet", "Zemmet gives a 2.2x speedup over greedy decoding.", "2.2", "x", "speedup",
         None, None),
        ("p7", "2025-04-09", "Orrin", "Orrin gives a 3.5x speedup over greedy decoding.", "3.5", "x", "speedup",
         None, None),
    ]
    return build_graph([result_extraction(pid, date, subject, sentence, number, unit=unit, metric=metric,
                                          dataset=dataset, task=task)
                        for pid, date, subject, sentence, number, unit, metric, dataset, task in rows])
