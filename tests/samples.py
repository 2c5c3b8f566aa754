"""Small hand-written extractions for tests of the graph and its exports (no spaCy needed)."""
from __future__ import annotations

from kg.graph import KnowledgeGraph, build_graph
from kg.records import Claim, Entity, Extraction, Paper, Relation, Span

HOSTILE_STRINGS = (
    "it's \"quoted\" `ticked` } // MATCH (n) DETACH DELETE n",
    "<script>window.__pwned = 1</script>",
    "<img src=x onerror=\"window.__pwned = 2\">",
    "a, b; c\nnew line</div>",
)


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
