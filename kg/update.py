"""A graph kept up to date by the papers added and removed, at the cost of what they change.

``build_graph`` of a set of extractions is a pure function of the set; ``LiveGraph`` holds that graph
together with what an update needs to redo only its part of it: the corpus's resolution state
(``kg.resolve.ResolutionState``) and, for each key, the papers whose claims or relations find it by
name alone. After ``update`` the graph is the one ``build_graph`` makes of the papers now held, node
for node and relationship for relationship; the change says which nodes and relationships moved.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable

from kg.graph import GraphChange, build_graph, names_looked_up, patch_graph
from kg.records import Extraction
from kg.resolve import ResolutionState, tally


class LiveGraph:
    """The graph of a set of papers, and what updating it needs.

    ``extraction_of`` gives the extraction of a paper held (the store's record): an update reads the ones
    whose names now resolve differently.
    """

    def __init__(self, extractions: Iterable[Extraction], extraction_of: Callable[[str], Extraction],
                 user_aliases: dict[str, str] | None = None):
        ordered = sorted(extractions, key=lambda e: e.paper.id)
        self.state = ResolutionState(tally(ordered), user_aliases)
        self.graph = build_graph(ordered, self.state.resolution)
        self.extraction_of = extraction_of
        self.lookups: dict[str, set[str]] = defaultdict(set)  # key -> papers finding it by name alone
        for extraction in ordered:
            self._look_up(extraction, add=True)

    def _look_up(self, extraction: Extraction, add: bool) -> None:
        pid = extraction.paper.id
        for key in names_looked_up(extraction, self.state.resolution):
            if add:
                self.lookups[key].add(pid)
            else:
                self.lookups[key].discard(pid)

    def update(self, added: list[Extraction], removed: list[Extraction]) -> GraphChange:
        """Adds the papers of ``added`` (none held yet) and removes those of ``removed`` (held, as they were
        added)."""
        for extraction in removed:
            self._look_up(extraction, add=False)
        change = self.state.update(tally(added), tally(removed))
        appeared_or_went = {key for key in change.entities
                            if (key in change.before.entities) != (key in change.after.entities)}
        gone = {extraction.paper.id for extraction in removed}
        new = {extraction.paper.id for extraction in added}
        restated = change.moved.union(*(self.lookups.get(key, ()) for key in appeared_or_went)) - gone - new
        for extraction in added:
            self._look_up(extraction, add=True)
        return patch_graph(self.graph, change, added, removed,
                           [self.extraction_of(pid) for pid in sorted(restated)])
