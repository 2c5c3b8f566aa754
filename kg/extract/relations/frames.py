"""The cues one sentence states relations by: a verb ("X uses Y", "X outperforms Y"), a preposition that
attaches an entity to a clause ("... on GSM8K", "... for machine translation"), a compound ("Y-based X"), a
list of parts after a colon, and a dataset, model or task by how its clause takes it."""
from __future__ import annotations

from spacy.tokens import Span, Token

from kg.extract.relations.clauses import (ACTORS, OBJECTS, RESULTS, SUBJECTS, PaperView, agent, agent_is_results,
                                          collect, governor, hyphen_based, implied_agent, mentions_in, negated,
                                          np_entity, objects, prep_objects, subject_of, subject_word)
from kg.extract.relations.kinds import kind_relations


def sentence_relations(view: PaperView, sent: Span, title: bool = False) -> None:
    """The relations one sentence states. A title is a noun phrase more often than a
    clause, so there only clauses with a subject count (``title_relations`` reads the rest)."""
    cues = view.cues
    lemmas = {t.lemma_.lower() for t in sent}
    compares = bool(lemmas & (cues.outperforms_verbs | cues.comparison_words))
    evaluates = bool(lemmas & cues.evaluation_words)
    for token in sent:
        lemma = token.lemma_.lower()
        if token.pos_ in ("VERB", "AUX") and not negated(token, cues):
            if not title and lemma in cues.uses_verbs and not hyphen_based(token):
                _uses_frame(view, sent, token, cues.uses_verbs[lemma])
            elif not title and lemma in cues.self_verbs:
                _self_frame(view, sent, token)
            if lemma in cues.outperforms_verbs:
                for tail in objects(view, token, ()):
                    view.add(agent(view, token), "OUTPERFORMS", tail, sent)
            if token.i in view.mention_at:
                _method_verb(view, sent, token)
        comparative = lemma in cues.comparatives or token.lower_ in cues.comparatives
        if comparative or lemma in cues.gain_nouns:
            preps = cues.comparative_preps if comparative else cues.gain_preps
            for tail in prep_objects(view, token, preps):
                view.add(agent(view, token), "OUTPERFORMS", tail, sent)
        if lemma in cues.uses_nouns and token.pos_ == "NOUN" and not title:
            head = agent(view, token) or implied_agent(view, sent, token)
            for tail in prep_objects(view, token, ("of",)):
                view.add(head, "USES", tail, sent)
        if token.lower_ in cues.uses_preps and token.dep_ == "prep" and not title:
            _via(view, sent, token)
        if token.tag_ == "VBN" and token.dep_ == "acl" and lemma in cues.used_by_verbs and not negated(token, cues):
            _used_by(view, sent, token)
        if lemma == "base" and hyphen_based(token):
            _hyphen_uses(view, sent, token)
    if not title:
        _colon_parts(view, sent)
        kind_relations(view, sent)
    for span in mentions_in(view, sent):
        kind = span.label_
        if kind == "Dataset" and evaluates:
            _dataset_relations(view, sent, span)
        elif kind == "Model" and not compares:
            _model_relations(view, sent, span)
        elif kind == "Task":
            _task_relations(view, sent, span, title)


def _colon_parts(view: PaperView, sent: Span) -> None:
    """"We propose X with two designs: A, which ..., and B" and "we implement a three-stage
    scheme: starting with A, then B": the listed parts are parts of the proposed entity."""
    main = view.proposed
    colon = next((t for t in sent if t.text == ":" and t.i > sent.start + 2), None)
    if main is None or colon is None:
        return
    cues = view.cues
    before = view.doc[sent.start:colon.i]
    about_main = any(
        (t.lemma_.lower() in cues.self_verbs and not negated(t, cues)
         and any(c.dep_ == "nsubj" and c.lower_ == "we" for c in t.children))
        or view.entity(t) == main for t in before)
    if not about_main or not any(t.lemma_.lower() in cues.part_nouns for t in before):
        return
    end = next((t.i for t in view.doc[colon.i + 1:sent.end] if t.text in (":", ";")), sent.end)
    for span in mentions_in(view, view.doc[colon.i + 1:end]):
        name = span._.kg_name or span.text
        if span.label_ not in ACTORS or name == main:
            continue
        inside = [a for a in span.root.ancestors
                  if a.i > colon.i + 1 and a.dep_ in ("relcl", "ccomp", "advcl") and a.pos_ in ("VERB", "AUX")]
        if not inside:
            view.add(main, "USES", name, sent)


def _uses_frame(view: PaperView, sent: Span, verb: Token, preps: list[str]) -> None:
    """"X uses Y", "Using Y, X ...", "X, which is built on Y", "integrating Y into X"."""
    if verb.lemma_.lower() in view.cues.uses_prep_only:
        tails = prep_objects(view, verb, preps) + collect(view, [
            c for a in verb.children if a.dep_ == "agent" and "by" in preps for c in a.children if c.dep_ == "pobj"],
            ("of", "with"))
    else:
        tails = objects(view, verb, preps, ("of", "with"))
    into = [c for c in verb.children if c.dep_ == "prep" and c.lower_ == "into"]
    head = agent(view, verb) or implied_agent(view, sent, verb)
    for prep in into:
        targets = collect(view, [c for c in prep.children if c.dep_ == "pobj"])
        if targets:
            head = targets[0]
            tails = [t for t in tails if t not in targets]
    # "Experiments using GPT-J ...", "We achieve ... using a Llama-2-7B model": the set-up of an evaluation.
    setup = agent_is_results(view, verb) or (
        verb.tag_ == "VBG" and verb.dep_ in ("advcl", "acl") and subject_word(verb) == "we")
    for tail in tails:
        rel = "APPLIED_TO" if setup and view.types.get(tail) == "Model" else "USES"
        view.add(head, rel, tail, sent)


def _self_frame(view: PaperView, sent: Span, verb: Token) -> None:
    """"We propose/introduce Y" in a paper about X: Y is a part of X."""
    subject = subject_of(verb)
    if subject is None or subject.lower_ != "we" or view.proposed is None:
        return
    roots = [c for c in verb.children if c.dep_ in OBJECTS and view.entity(c) != view.proposed]
    for tail in collect(view, roots):
        if view.types.get(tail) == "Method":
            view.add(view.proposed, "USES", tail, sent)


def _method_verb(view: PaperView, sent: Span, verb: Token) -> None:
    """A verb that names a method: "we fine-tune ...", "Llama 3 can be finetuned"."""
    method = view.entity(verb)
    if view.types.get(method) != "Method":
        return
    subject = subject_of(verb)
    if subject is None:
        return
    if subject.dep_ == "nsubj" and subject.lower_ == "we":
        view.add(view.proposed, "USES", method, sent)
        for tail in objects(view, verb, ("with", "via", "using")):
            if view.types.get(tail) == "Method":
                view.add(method, "USES", tail, sent)
    elif subject.dep_ == "nsubjpass":
        named = collect(view, [subject]) or [np_entity(view, subject)]
        models = [n for n in named if view.types.get(n) == "Model"]
        for model in models:
            view.add(method, "APPLIED_TO", model, sent)
        if not models:
            view.add(named[0], "USES", method, sent)


def _via(view: PaperView, sent: Span, prep: Token) -> None:
    """"preference distillation via DPO", "trained through RLHF"."""
    tails = collect(view, [c for c in prep.children if c.dep_ == "pobj"])
    anchor = prep.head
    named_object = next((c for c in anchor.children if c.dep_ == "dobj" and c.i in view.mention_at), None)
    if anchor.i in view.mention_at:
        head = view.entity(anchor)
    elif named_object is not None:  # "we introduce X via Y"
        head = view.entity(named_object)
    else:
        head = agent(view, anchor) or implied_agent(view, sent, anchor)
    for tail in tails:
        view.add(head, "USES", tail, sent)


def _used_by(view: PaperView, sent: Span, participle: Token) -> None:
    """"Multi-Head Latent Attention, deployed in DeepSeek-V2 and GLM-5": the models use it."""
    method = view.entity(participle.head)
    if method is None or view.types.get(method) != "Method":
        return
    roots = [c for p in participle.children if p.dep_ in ("prep", "agent") and p.lower_ in ("in", "by")
             for c in p.children if c.dep_ == "pobj"]
    for user in collect(view, roots):
        view.add(user, "USES", method, sent)


def _hyphen_uses(view: PaperView, sent: Span, based: Token) -> None:
    """"Y-based X" and "Y-based models like X1 and X2": X uses Y."""
    base_name = view.entity(based.nbor(-2))
    if base_name is None or based.i in view.mention_at:
        return
    noun = based.head
    while noun.dep_ == "compound" and noun.head is not noun and noun.i not in view.mention_at:
        noun = noun.head
    such_as = view.cues.such_as
    heads = []
    for child in noun.children:
        if child.dep_ in ("prep", "acl") and child.lower_ in such_as:
            heads.extend(collect(view, [c for c in child.children if c.dep_ in ("pobj", "dobj", "prep")]))
    if not heads:
        named = view.entity(noun) if noun.i in view.mention_at else np_entity(view, noun)
        if named and named != RESULTS:
            heads.append(named)
    for head in heads:
        view.add(head, "USES", base_name, sent)


def _dataset_relations(view: PaperView, sent: Span, span: Span) -> None:
    """"X achieves ... on GSM8K", "experiments on GSM8K show that X", "evaluated on GSM8K"."""
    found = governor(view, span)
    if found is None:
        return
    how, anchor = found
    cues = view.cues
    if anchor.lemma_.lower() in cues.training_verbs:
        return  # "trained on The Pile" is where it learnt, not where it was evaluated
    if how in cues.evaluation_preps or (how == "dobj" and anchor.lemma_.lower() in cues.evaluation_words):
        head = agent(view, anchor) or implied_agent(view, sent, anchor)
        view.add(head, "EVALUATED_ON", span._.kg_name or span.text, sent)


def _model_relations(view: PaperView, sent: Span, span: Span) -> None:
    """A method applied to a model ("for Llama-3 models", "using GPT-J"), or a model benchmarked on a proposed
    dataset."""
    found = governor(view, span)
    if found is None:
        return
    how, anchor = found
    cues = view.cues
    lemma = anchor.lemma_.lower()
    if not (how in cues.application_preps or (how == "dobj" and lemma in cues.application_verbs)):
        return
    if lemma in cues.uses_verbs and lemma != "apply":
        return
    head = agent(view, anchor)
    model = span._.kg_name or span.text
    if lemma in ("evaluate", "benchmark", "test", "assess") and subject_word(anchor) == "we" and view.benchmark:
        view.add(model, "EVALUATED_ON", view.benchmark, sent)  # a paper introducing a benchmark tests models on it
    elif view.types.get(head) == "Dataset" and lemma in ("evaluate", "benchmark", "test", "assess"):
        view.add(model, "EVALUATED_ON", head, sent)
    else:
        view.add(head, "APPLIED_TO", model, sent)


def _task_relations(view: PaperView, sent: Span, span: Span, title: bool = False) -> None:
    """"X for machine translation", "X tackles Y", "a benchmark designed to evaluate the spatial reasoning of ...",
    and a task named in a sentence whose main clause is about the proposed entity ("We apply X to ... tasks
    (T1, T2)")."""
    cues = view.cues
    found = governor(view, span)
    head = None
    if found is not None:
        how, anchor = found
        lemma = anchor.lemma_.lower()
        if lemma in cues.negative_verbs or negated(anchor, cues):
            return
        if title and not any(c.dep_ in SUBJECTS for c in anchor.children):
            return
        if how in cues.task_preps and anchor.i in view.mention_at:
            head = view.entity(anchor)
        elif how in cues.task_preps or how in ("dobj", "nsubjpass", "attr", "oprd"):
            head = agent(view, anchor)
            if how == "dobj" and lemma not in cues.task_verbs and head != view.proposed:
                head = None
    if head is None and not title and span.root.dep_ not in SUBJECTS:
        root = sent.root
        if root.lemma_.lower() in cues.task_list_verbs and not negated(root, cues):
            who = agent(view, root)
            head = who if who == view.proposed else None
    view.add(head, "ADDRESSES", span._.kg_name or span.text, sent)
