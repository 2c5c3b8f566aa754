"""The kg_claims component: the quantitative results a paper reports.

Every number ``kg.numbers.find_numbers`` sees is a candidate. A
candidate is kept when its unit and context mark it as a result ("2.2x
speedup", "by 16%", "accuracy of 92.3") rather than the setup ("7B
parameters", "253,070 data points", "50% of the full dataset"). The
dependency parse then attaches what the number is about: the subject whose
clause reports it (an entity found by kg_entities where one is there, else the
paper's proposed entity for "we", "our method", "it", or, in a paper that
proposes nothing, the model or method its title leads with), the metric (what
is measured: "PSNR" in "a 1 dB gain in PSNR"), the mechanism credited ("via"),
the baseline, the dataset and the qualifier.

One module per question: ``context`` (the number and the doc around it),
``results`` (is it a result?), ``subjects`` (whose is it?), ``attachments``
(metric, via, baseline, dataset, clause) and ``datasets`` (numbers listed with
their datasets); this module runs them in order.

The cue words are data: ``tables/claim_cues.json``, ``claim_metrics.txt``,
``claim_units.json`` and ``claim_spelled_numbers.json``.
"""
from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.claim_cues import ClaimCues
from kg.extract.claims.attachments import attachments_of, clause_bounds, metric_of
from kg.extract.claims.context import ClaimContext, DocFacts, entity_spans
from kg.extract.claims.datasets import paired_datasets
from kg.extract.claims.results import (SPAN_TO, URL, detector_features, hardware_before, is_result, qualifier,
                                       with_ranges, with_shared_units)
from kg.extract.claims.subjects import PROPOSED, contrasted_owner, labelled_owner, proposed_name, subject_of
from kg.learn import numbers
from kg.learn.linear import LinearModel
from kg.numbers import NumberMention, find_numbers
from kg.records import Claim


@Language.factory("kg_claims", default_config={"detector": None})
class ClaimFinder:
    """Finds result numbers and writes them to ``doc._.kg_claims`` as ``Claim`` records.

    ``detector``: the learned claim detector's weights (``kg.learn.numbers``), which decides
    which numbers are results with the rules' verdict as one of its features; None: the rules decide.
    """

    def __init__(self, nlp: Language, name: str, detector: str | None = None):
        self.name = name
        self.cues = ClaimCues.load()
        self.detector = LinearModel.load(Path(detector), numbers.OUTCOMES) if detector else None

    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_claims = self.find(doc)
        return doc

    def decisions(self, doc: Doc) -> list[tuple[NumberMention, ClaimContext, bool]]:
        """Every number of the doc outside URLs, with the rules' verdict: is it a result?"""
        return self._decided(doc, DocFacts.of(doc))

    def _decided(self, doc: Doc, facts: DocFacts) -> list[tuple[NumberMention, ClaimContext, bool]]:
        text = facts.text
        urls = [(u.start(), u.end()) for u in URL.finditer(text)]
        mentions = [m for m in find_numbers(text) if not any(a <= m.start < b for a, b in urls)
                    and not (m.unit is None and hardware_before(text, m.start))]
        mentions = with_ranges(with_shared_units(mentions, text), text)
        decided: list[tuple[NumberMention, ClaimContext, bool]] = []
        for m in mentions:
            ctx = ClaimContext(doc, facts, m, self.cues)
            if ctx.number is not None:
                decided.append((m, ctx, is_result(ctx)))
        for i in range(len(decided) - 1):
            (a, _, keep_a), (b, _, keep_b) = decided[i], decided[i + 1]
            if keep_a != keep_b and SPAN_TO.match(text[a.unit_end:b.start]):
                # "from 23.5 to 26.2" is two results or none: a bare end follows the other,
                # and a setup share ("from 50% to 75% of the full dataset") sinks both.
                both = (keep_a or keep_b) if a.unit is None or b.unit is None else False
                decided[i] = (a, decided[i][1], both)
                decided[i + 1] = (b, decided[i + 1][1], both)
        return decided

    def find(self, doc: Doc) -> list[Claim]:
        facts = DocFacts.of(doc)
        text = facts.text
        spans = entity_spans(doc)
        proposed = None
        claims: list[Claim] = []
        decided = self._decided(doc, facts)
        if self.detector is not None:
            decided = [(m, ctx, self.detector.best(detector_features(ctx, keep), (numbers.CLAIM,)) is not None)
                       for m, ctx, keep in decided]
        abstract_start = facts.title_end
        abstract_values = {(m.value, m.unit) for m, _, keep in decided if keep and m.start > abstract_start}
        kept = [(m, ctx) for m, ctx, keep in decided if keep and not (
            # A title repeating a result the abstract states ("at 1000x Speed") is not a second claim.
            m.start < abstract_start and (m.value, m.unit) in abstract_values)]
        last_subject: tuple[int, str | None] | None = None
        paired = paired_datasets(kept, text, spans)
        for i, (m, ctx) in enumerate(kept):
            subject = contrasted_owner(ctx, spans) or labelled_owner(ctx, spans) or subject_of(ctx, spans)
            if subject is None and last_subject is not None and last_subject[0] == ctx.sent.start:
                subject = last_subject[1]
            if subject is None or subject is PROPOSED:
                if proposed is None:
                    proposed = proposed_name(doc, text, spans) or ""
                subject = proposed or None
            last_subject = (ctx.sent.start, subject)
            via, baseline, dataset = attachments_of(ctx, spans)
            if baseline == subject:
                baseline = None  # "X beats Y by 68.2% versus 49.0%": Y's own number is not compared with Y
            dataset = paired.get(i, dataset)
            text_start, text_end = clause_bounds(ctx)
            # a bare scale ("2.7B") is the detector's unit but part of the value as written (GUIDELINES' "380K")
            claims.append(Claim(
                value=m.value, start=m.start, end=m.end,
                text=text[text_start:text_end], text_start=text_start, text_end=text_end,
                value_min=m.low, value_max=m.high, unit=None if m.unit_class == "count" else m.unit,
                metric=metric_of(ctx, spans), subject=subject, via=via, baseline=baseline,
                dataset=dataset, qualifier=qualifier(ctx),
            ))
        return claims
