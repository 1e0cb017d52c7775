"""The learned layer over the rules: which candidate claims are right, and their status.

The rules (triggers, items, actors) propose candidate claims; a model trained on labelled
documents (`armstrace train`) decides. For each candidate it gives a calibrated probability
that the claim is right (kept as `confidence`; candidates under the model's threshold are
dropped) and, where it is sure enough, the status. The model is a set of linear weights over
named features of the claim and its sentence, kept as JSON: small, readable, and scored with
plain Python at run time (no training library needed to extract).

    model = ClaimModel.load()              # the shipped model (armstrace/data/model/claims.json)
    model = ClaimModel.load("my.json")     # one `armstrace train --out my.json` wrote
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span

from armstrace.nlp.ents import ents_of

from .claim import Claim

MODEL_FORMAT = 1
_MODALS = {"will", "would", "could", "may", "might", "can", "should", "shall", "must"}
_NEGATIONS = {"not", "n't", "never", "no"}


def _bucket(value: float, edges: tuple[float, ...]) -> str:
    return str(bisect_right(edges, value))


def _kind(code: str | None) -> str:
    if code is None:
        return "none"
    if code == "other-group":
        return "other-group"
    return "state" if code.isupper() else "group"


ARMS_LABELS = ("WEAPON", "ARMS")


@dataclass
class SentenceParts:
    """What a sentence names: parties (code, head token), items (category, entity), transfer cues."""

    mentions: list[tuple[str, Any]]
    items: list[tuple[str, Span]]
    cues: list[Any]


def sentence_parts(sent: Span, gaz, lex, resolver) -> SentenceParts:
    mentions: list[tuple[str, Any]] = []
    seen: set[int] = set()
    for ent in ents_of(sent):
        if ent.label_ == "ACTOR" and ent.ent_id_:
            root = ent.root
            if root.head.lemma_.lower() in lex.group_nouns and root.dep_ in ("amod", "compound", "nmod"):
                continue  # "Salvadoran guerrillas": the group, not the state
            mentions.append((ent.ent_id_, root))
            seen.update(range(ent.start, ent.end))
    for tok in sent:
        if tok.i in seen or not tok.is_alpha:
            continue
        if tok.lemma_.lower() in lex.group_nouns or tok.lower_ in lex.group_nouns:
            codes = resolver.resolve_all(tok, None, ()) if resolver is not None else []
            code = next((c for c in codes if resolver.is_group(c)), "other-group")
            mentions.append((code, tok))
    items: list[tuple[str, Span]] = []
    for ent in ents_of(sent):
        if ent.label_ == "WEAPON":
            weapon = gaz.weapon(ent.ent_id_)
            if weapon is not None:
                items.append((weapon.category, ent))
        elif ent.label_ == "ARMS" and ent.ent_id_:
            items.append((ent.ent_id_, ent))
    cues = [t for t in sent if t.pos_ in ("VERB", "NOUN") and (lex.is_trigger_verb(t.lemma_.lower())
                                                            or lex.is_trigger_noun(t.lemma_.lower()))]
    return SentenceParts(mentions, items, cues)


def _path_up(tok, stop, limit: int = 4) -> str:
    deps = []
    while tok.i != stop.i and tok.head.i != tok.i and len(deps) < limit:
        deps.append(tok.dep_ if tok.dep_ != "pobj" else f"pobj_{tok.head.lower_}")
        tok = tok.head
    return ">".join(deps) if tok.i == stop.i else "none"


def _role_features(f: dict[str, float], role: str, code: str | None, parts: SentenceParts | None) -> None:
    if code is None or parts is None:
        return
    toks = [t for c, t in parts.mentions if c == code]
    if not toks:
        f[f"{role}:absent"] = 1.0
        return
    tok = toks[0]
    f[f"{role}:dep:{tok.dep_}"] = 1.0
    if tok.dep_ == "pobj":
        f[f"{role}:prep:{tok.head.lower_}"] = 1.0
    if parts.cues:
        cue = min(parts.cues, key=lambda c: abs(c.i - tok.i))
        f[f"{role}:side:{'before' if tok.i < cue.i else 'after'}"] = 1.0
        f[f"{role}:path:{_path_up(tok, cue)}"] = 1.0
        f[f"{role}:cue:{cue.lemma_.lower()}"] = 1.0
        f[f"{role}:dist:{_bucket(abs(cue.i - tok.i), (2, 4, 8, 15))}"] = 1.0


def candidate_kind(rule: str) -> str:
    """Where a candidate (by its `rule`) came from: the rules, co-occurrence in a sentence, or
    a party filled in."""
    return "fill" if rule.startswith("fill") else ("cooc" if rule.startswith("cooc") else "rule")


def claim_features(claim: Claim, sent: Span | None, n_in_sentence: int = 1, sentence_index: int = 0,
                   parts: SentenceParts | None = None) -> dict[str, float]:
    """Named features of one candidate claim and the sentence that states it; each also
    conjoined with the candidate's kind, so that each kind weighs the evidence its own way."""
    f = _claim_features(claim, sent, n_in_sentence, sentence_index, parts)
    kind = candidate_kind(claim.rule)
    f.update({f"{kind}|{k}": v for k, v in list(f.items())})
    return f


def _claim_features(claim: Claim, sent: Span | None, n_in_sentence: int, sentence_index: int,
                    parts: SentenceParts | None) -> dict[str, float]:
    f: dict[str, float] = {"bias": 1.0}
    rule = claim.rule.split("+") if claim.rule else ["none"]
    for part in rule:
        f[f"rule:{part}"] = 1.0
    f[f"rule0:{rule[0]}"] = 1.0
    f[f"cat:{claim.category}"] = 1.0
    f[f"status:{claim.status}"] = 1.0
    f[f"cat_status:{claim.category}:{claim.status}"] = 1.0
    f[f"sup:{_kind(claim.supplier)}"] = 1.0
    f[f"rec:{_kind(claim.recipient)}"] = 1.0
    f[f"pair:{_kind(claim.supplier)}:{_kind(claim.recipient)}"] = 1.0
    f["designation"] = 1.0 if claim.designation else 0.0
    f["attributed"] = 1.0 if claim.attribution else 0.0
    f[f"conf:{_bucket(claim.confidence, (0.35, 0.5, 0.65, 0.8))}"] = 1.0
    f[f"n_in_sent:{min(n_in_sentence, 4)}"] = 1.0
    f[f"sent_index:{_bucket(sentence_index, (1, 3, 6, 12))}"] = 1.0
    if sent is None:
        return f
    words = [t for t in sent if not t.is_space]
    f[f"len:{_bucket(len(words), (8, 15, 25, 40, 60))}"] = 1.0
    f[f"root:{sent.root.lemma_.lower()}"] = 1.0
    if sent.text.rstrip().endswith("?"):
        f["question"] = 1.0
    if sent.text.rstrip()[-1:] not in ".!?\"'\u201d":
        f["no_full_stop"] = 1.0
    for t in words:
        lower = t.lower_
        if t.pos_ in ("VERB", "AUX"):
            f[f"v:{t.lemma_.lower()}"] = 1.0
            f[f"tag:{t.tag_}"] = 1.0
        if lower in _MODALS:
            f[f"modal:{lower}"] = 1.0
        if lower in _NEGATIONS or t.dep_ == "neg":
            f["negation"] = 1.0
        if t.is_alpha and not t.is_stop and t.pos_ in ("NOUN", "ADJ", "ADV"):
            f[f"w:{t.lemma_.lower()}"] = 1.0
    _role_features(f, "sup", claim.supplier, parts)
    _role_features(f, "rec", claim.recipient, parts)
    if parts is not None:
        f[f"n_mentions:{min(len(parts.mentions), 4)}"] = 1.0
        f[f"n_cues:{min(len(parts.cues), 3)}"] = 1.0
        for category, ent in parts.items:
            if category == claim.category:
                f[f"item:dep:{ent.root.dep_}"] = 1.0
                if parts.cues:
                    cue = min(parts.cues, key=lambda c: abs(c.i - ent.root.i))
                    f[f"item:path:{_path_up(ent.root, cue)}"] = 1.0
                break
        else:
            f["item:absent"] = 1.0
        sup_tok = next((t for c, t in parts.mentions if c == claim.supplier), None)
        rec_tok = next((t for c, t in parts.mentions if c == claim.recipient), None)
        if sup_tok is not None and rec_tok is not None:
            f[f"order:{'sup_first' if sup_tok.i < rec_tok.i else 'rec_first'}"] = 1.0
    fill = getattr(claim, "fill_info", None)
    if fill:
        f[f"fill:role:{fill['role']}"] = 1.0
        f[f"fill:rank:{min(fill['rank'], 4)}"] = 1.0
        f[f"fill:dist:{_bucket(fill['distance'], (1, 2, 4, 8))}"] = 1.0
        f[f"fill:count:{_bucket(fill['count'], (2, 3, 5))}"] = 1.0
        f[f"fill:kind:{_kind(fill['code'])}"] = 1.0
        f[f"fill:{fill['role']}:{_kind(fill['code'])}:{fill['rank']}"] = 1.0
        if fill["title"]:
            f["fill:in_title"] = 1.0
    labels = [e.label_ for e in ents_of(sent)]
    for label in ("ACTOR", "WEAPON", "ARMS", "PERSON", "DATE", "MONEY", "CARDINAL"):
        count = labels.count(label)
        if count:
            f[f"ents:{label}:{min(count, 3)}"] = 1.0
    return f


@dataclass
class LinearHead:
    """A logistic (binary) or softmax (several classes) layer over named features."""

    classes: list[str]
    weights: dict[str, dict[str, float]]  # class -> feature -> weight ("__bias__" the intercept)

    def scores(self, features: dict[str, float]) -> dict[str, float]:
        return {c: w.get("__bias__", 0.0) + sum(w.get(k, 0.0) * v for k, v in features.items())
                for c, w in self.weights.items()}

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        scores = self.scores(features)
        if len(self.classes) == 2 and len(scores) == 1:  # binary: one weight vector for the positive class
            (positive, s), = scores.items()
            p = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, s))))
            negative = next(c for c in self.classes if c != positive)
            return {positive: p, negative: 1.0 - p}
        top = max(scores.values())
        exp = {c: math.exp(s - top) for c, s in scores.items()}
        total = sum(exp.values())
        return {c: e / total for c, e in exp.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"classes": self.classes, "weights": self.weights}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LinearHead":
        return cls(list(data["classes"]), {c: dict(w) for c, w in data["weights"].items()})


@dataclass
class ClaimModel:
    accept: LinearHead
    status: LinearHead | None
    threshold: float = 0.5
    status_margin: float = 0.0  # the model's status replaces the rules' when its probability beats theirs by this
    calibration: list[tuple[float, float]] = field(default_factory=list)  # raw score -> probability (isotonic)
    info: dict[str, Any] = field(default_factory=dict)  # how and on what it was trained, held-out scores

    # -- use ----------------------------------------------------------------------------
    def probability(self, features: dict[str, float]) -> float:
        raw = self.accept.probabilities(features)["yes"]
        return self.calibrate(raw)

    def calibrate(self, raw: float) -> float:
        if not self.calibration:
            return raw
        xs = [x for x, _ in self.calibration]
        i = bisect_right(xs, raw)
        if i == 0:
            return self.calibration[0][1]
        if i == len(xs):
            return self.calibration[-1][1]
        (x0, y0), (x1, y1) = self.calibration[i - 1], self.calibration[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)

    @property
    def cooccurrence(self) -> bool:
        """Whether the model also judges co-occurrence candidates (parties, item and cue in one
        sentence) besides the rules' own."""
        return bool(self.info.get("cooccurrence"))

    @property
    def fill(self) -> bool:
        """Whether the model also judges candidates with a party filled in from the document."""
        return bool(self.info.get("fill"))

    def judge(self, features: dict[str, float], status: str, rule: str) -> tuple[float, str]:
        """The calibrated probability that a candidate is right, and its status: the status
        head's where it beats the rules' by the model's margin (by any margin for co-occurrence
        candidates, whose status is only a placeholder)."""
        p = self.probability(features)
        if self.status is not None and p >= self.threshold:
            probs = self.status.probabilities(features)
            best = max(probs, key=probs.get)
            margin = 0.0 if candidate_kind(rule) == "cooc" else self.status_margin
            if best != status and probs[best] - probs.get(status, 0.0) > margin:
                status = best
        return p, status

    def apply(self, claims: list[Claim], spdoc: Doc, extractor=None) -> list[Claim]:
        """Score each candidate; keep those at or over the threshold with their probability as
        confidence, and the model's status where it is surer than the rules; one claim per
        (supplier, recipient, category, status, designation), the likeliest."""
        if not claims:
            return claims
        scored = []
        for claim, features in featurise(claims, spdoc, extractor):
            p, status = self.judge(features, claim.status, claim.rule)
            if p < self.threshold:
                continue
            if status != claim.status:
                claim.status = status
                claim.rule += "+model-status"
            claim.confidence = round(p, 3)
            scored.append(claim)
        best: dict[tuple, Claim] = {}
        for claim in scored:
            key = claim.key()
            if key not in best or claim.confidence > best[key].confidence:
                best[key] = claim
        return [c for c in scored if best[c.key()] is c]

    # -- storage ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"format": MODEL_FORMAT, "threshold": self.threshold, "status_margin": self.status_margin,
                "calibration": self.calibration, "accept": self.accept.to_dict(),
                "status": self.status.to_dict() if self.status else None, "info": self.info}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=0, sort_keys=True), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ClaimModel":
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"unknown claim model format {data.get('format')!r}; this armstrace reads format {MODEL_FORMAT}")
        return cls(accept=LinearHead.from_dict(data["accept"]),
                   status=LinearHead.from_dict(data["status"]) if data.get("status") else None,
                   threshold=float(data["threshold"]), status_margin=float(data.get("status_margin", 0.0)),
                   calibration=[tuple(p) for p in data.get("calibration", [])], info=dict(data.get("info", {})))

    @classmethod
    def load(cls, path: str | Path | None = None) -> "ClaimModel | None":
        """The model at `path`, or the shipped one (None when none is shipped)."""
        if path is None:
            shipped = resources.files("armstrace.data").joinpath("model/claims.json")
            if not shipped.is_file():
                return None
            return cls.from_dict(json.loads(shipped.read_text("utf-8")))
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"no claim model at {path}: train one with `armstrace train --out {path}`") from None
        except json.JSONDecodeError as err:
            raise ValueError(f"{path} is not a claim model (not JSON: {err.msg})") from None
        return cls.from_dict(data)


def featurise(claims: list[Claim], spdoc: Doc, extractor=None) -> list[tuple[Claim, dict[str, float]]]:
    """Each candidate claim with its features (the sentence found by the claim's offsets)."""
    sents = list(spdoc.sents)
    starts = [s.start_char for s in sents]
    located = [max(0, bisect_right(starts, c.start) - 1) if sents else -1 for c in claims]
    per_sentence: dict[int, int] = {}
    for index in located:
        per_sentence[index] = per_sentence.get(index, 0) + 1
    parts_of: dict[int, SentenceParts] = {}
    out = []
    for claim, index in zip(claims, located):
        sent = sents[index] if index >= 0 else None
        parts = None
        if sent is not None and extractor is not None:
            if index not in parts_of:
                parts_of[index] = sentence_parts(sent, extractor.gaz, extractor.lex, extractor.actors)
            parts = parts_of[index]
        out.append((claim, claim_features(claim, sent, per_sentence[index], index, parts)))
    return out


MAX_MENTIONS = 5


def cooccurrence_candidates(spdoc: Doc, text: str, doc_id: str, existing: list[Claim], extractor) -> list[Claim]:
    """Candidates the rules did not propose: in each sentence with a transfer cue and an item,
    every ordered pair of the parties it names (or one of them and an unnamed other), for each
    item category. The model judges them; most are wrong."""
    have = {(c.supplier, c.recipient, c.category) for c in existing}
    rule_attribution = {}
    for c in existing:
        if c.attribution:
            rule_attribution.setdefault(c.start, list(c.attribution))
    out: list[Claim] = []
    for sent in spdoc.sents:
        if not any(e.label_ in ARMS_LABELS for e in ents_of(sent)):
            continue  # no item: nothing to propose (most sentences; checked before the full parts)
        parts = sentence_parts(sent, extractor.gaz, extractor.lex, extractor.actors)
        if not parts.cues or not parts.items or not parts.mentions:
            continue
        codes: list[str] = []
        for code, _tok in parts.mentions:
            if code not in codes:
                codes.append(code)
        codes = codes[:MAX_MENTIONS]
        categories = []
        for category, _ent in parts.items:
            if category not in categories:
                categories.append(category)
        stripped = sent.text.strip()
        if not stripped:
            continue
        start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
        end = sent.start_char + len(sent.text.rstrip())
        parties = codes + [None]
        for s in parties:
            for r in parties:
                if s == r or (s is None and r is None):
                    continue
                for category in categories:
                    if (s, r, category) in have:
                        continue
                    have.add((s, r, category))
                    out.append(Claim(doc=doc_id, supplier=s, recipient=r, category=category, status="delivered",
                                     attribution=list(rule_attribution.get(start, [])), evidence=text[start:end],
                                     start=start, end=end, confidence=0.2, rule="cooc"))
    return out


FILL_ACTORS = 4  # the document's most named actors a missing party may be


def filled_candidates(spdoc: Doc, candidates: list[Claim], extractor) -> list[Claim]:
    """For each candidate with one party unnamed in its sentence, the same claim with that
    party taken from the document: each of the actors it names most ("the shipments reached
    the guerrillas" in a story about Nicaragua). The model judges them by how often and how
    near the actor is named."""
    sents = list(spdoc.sents)
    if not sents:
        return []
    starts = [s.start_char for s in sents]
    positions: dict[str, list[int]] = {}
    for number, sent in enumerate(sents):
        for ent in ents_of(sent):
            if ent.label_ == "ACTOR" and ent.ent_id_:
                positions.setdefault(ent.ent_id_, []).append(number)
    ranked = sorted(positions, key=lambda c: (-len(positions[c]), positions[c][0]))[:FILL_ACTORS]
    have = {(c.supplier, c.recipient, c.category) for c in candidates}
    out: list[Claim] = []
    for claim in candidates:
        if (claim.supplier is None) == (claim.recipient is None):
            continue
        role = "supplier" if claim.supplier is None else "recipient"
        other = claim.recipient if role == "supplier" else claim.supplier
        number = max(0, bisect_right(starts, claim.start) - 1)
        for rank, code in enumerate(ranked):
            if code == other:
                continue
            triple = (code, claim.recipient, claim.category) if role == "supplier" else (claim.supplier, code, claim.category)
            if triple in have:
                continue
            have.add(triple)
            new = Claim(doc=claim.doc, supplier=triple[0], recipient=triple[1], category=claim.category,
                        status=claim.status, designation=claim.designation, item=claim.item,
                        attribution=list(claim.attribution), time=claim.time, quantity=claim.quantity,
                        evidence=claim.evidence, start=claim.start, end=claim.end,
                        confidence=claim.confidence, rule=f"fill+{claim.rule}")
            new.fill_info = {"role": role, "code": code, "rank": rank, "count": len(positions[code]),
                             "distance": min(abs(p - number) for p in positions[code]), "title": positions[code][0] == 0}
            out.append(new)
    return out
