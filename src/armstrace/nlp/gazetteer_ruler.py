"""The gazetteer's entity ruler: spaCy's `EntityRuler`, with two costs of its taken away.

* Adding phrase patterns: `EntityRuler.add_patterns` tokenises every pattern text into a
  `Doc` and keeps the `Doc`. `add_tokenised` takes the patterns with their tokens made
  already (`pattern_cache.pattern_tokens`: cached on disk) and hands the phrase matcher the
  token keys (the ORTH hashes a `Doc` of those tokens would give it), in the same order and
  under the same match ids, labels and entity ids as `add_patterns` would (one call for a run
  of patterns of one label): the matcher, and so every match, is the same. Only each
  pattern's text is kept (`patterns` still answers).
* Matching: `EntityRuler.match` first counts all its patterns (to warn when there are none),
  a sum over one list per label and entity id, thousands here, at every document: a large
  share of the prefilter's time. Here the check stops at the first pattern.
"""

from __future__ import annotations

import warnings
from collections import defaultdict

from spacy.errors import Warnings
from spacy.language import Language
from spacy.pipeline import EntityRuler


class _PatternText(str):
    """A phrase pattern kept as its text (``EntityRuler.patterns`` reads ``.text``)."""

    @property
    def text(self) -> str:
        return str(self)


class GazetteerRuler(EntityRuler):
    def _require_patterns(self) -> None:
        """Warn when there is no pattern at all (as `EntityRuler` does), without counting them."""
        if not any(self.phrase_patterns.values()) and not any(self.token_patterns.values()):
            warnings.warn(Warnings.W036.format(name=self.name))

    def add_tokenised(self, patterns: list[dict], tokens: list[list[str]]) -> None:
        """Add phrase patterns ({"label", "pattern": text, "id"}) whose texts `tokens` holds
        tokenised (as the pipeline's tokenizer splits them), as `add_patterns` would."""
        if len(patterns) != len(tokens):
            raise ValueError("one token list is needed for each pattern")
        strings = self.nlp.vocab.strings
        kept: defaultdict[str, list] = defaultdict(list, self.phrase_patterns)
        run_label, run = None, []  # consecutive patterns of one label go to the matcher at once
        for entry, words in zip(patterns, tokens):
            text = entry["pattern"]
            if not isinstance(text, str):
                raise ValueError(f"not a phrase pattern: {entry!r}")
            label = entry["label"]
            ent_id = entry.get("id")
            if ent_id:  # as add_patterns: an id only when it is set
                ent_label = label
                label = self._create_label(label, ent_id)
                self._ent_ids[self.matcher._normalize_key(label)] = (ent_label, ent_id)
            kept[label].append(_PatternText(text))
            if label != run_label and run:
                self.phrase_matcher.add(run_label, run)
                run = []
            run_label = label
            run.append([strings.add(word) for word in words])
        if run:
            self.phrase_matcher.add(run_label, run)
        self.phrase_patterns = kept


@Language.factory(
    "armstrace_gazetteer_ruler",
    default_config={"phrase_matcher_attr": None, "validate": False, "overwrite_ents": False, "ent_id_sep": "||"},
)
def make_gazetteer_ruler(nlp: Language, name: str, phrase_matcher_attr, validate: bool, overwrite_ents: bool,
                         ent_id_sep: str) -> GazetteerRuler:
    return GazetteerRuler(nlp, name, phrase_matcher_attr=phrase_matcher_attr, validate=validate,
                          overwrite_ents=overwrite_ents, ent_id_sep=ent_id_sep)
