"""Documents in, claims out: the sentence loop tying triggers, items, actors, status,
attribution and context together."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from armstrace.ingest.document import Document
from armstrace.ingest.errors import InputProblem
from armstrace.nlp import get_nlp, load_gazetteer, normalise
from armstrace.nlp.ents import entity_index, ents_of
from armstrace.nlp.gazetteer import Gazetteer
from armstrace.neural.runtime import EncoderModel
from armstrace.nlp.long_docs import is_long, parse

from .attribution import (attribute, name_described_source, phrase_text, quote_sources, source_tokens,
                          speaker_turns)
from .claim import Claim
from .combined import Combined
from .context import DocContext
from .details import find_purpose, find_time
from .encoded import encoder_claims
from .items import Item, find_items
from .learned import ClaimModel, cooccurrence_candidates, filled_candidates
from .lexicon import TECHNICAL_WORDS, Lexicon, load_lexicon
from .mentions import OTHER_GROUP, ActorResolver, actor_code, conjuncts
from .pairs import likely_supplier
from .prefilter import RULER, get_prefilter
from .spans import mention_spans
from .status import decide_status
from .triggers import Frame, find_frames, prevented

# Verbs that make a claim with only a supplier named ("Iran sells drones").
_SMUGGLE_VERBS = {"smuggle", "traffic", "funnel", "channel", "run", "divert"}
_SUPPLIER_ONLY_VERBS = {"sell", "export", "supply", "deliver", "donate", "transfer", "smuggle", "traffic"}


_CIVIL_OPERATORS = {"airline", "airlines", "airways", "carrier", "carriers", "airliner", "lessor"}
_CIVIL_MARKS = {"commercial", "civilian", "civil", "passenger", "cargo", "business"}


_MILITARY_MARKS = {"military", "defense", "defence", "weapon", "weapons", "arms", "missile", "drone", "space",
                   "satellite", "rocket", "nuclear", "warfare", "combat", "army", "naval", "fighter", "stealth"}


def _civil_technology(item: Item) -> bool:
    """Bare "technology" with no military mark ("high technology exports", "a technology transfer
    agreement" with a fibre maker) is civilian trade, not military-technical help."""
    if item.category != "technology" or item.head.lemma_.lower() not in ("technology", "technologies"):
        return False
    if len(item.text.split()) > 1:
        return False  # "missile technology", "military technology": a generic term of its own
    marks = [c for c in item.head.children if c.dep_ in ("amod", "compound", "nmod")]
    if item.head.dep_ in ("compound", "amod", "nmod"):
        marks.append(item.head.head)
    return not any(m.lemma_.lower() in _MILITARY_MARKS or m.lower_ in _MILITARY_MARKS
                   or m.ent_type_ in ("ARMS", "WEAPON") for m in marks)


_DISARMAMENT_BODIES = {"un"}
_COLLECTIVES = {"west", "allies", "partners", "others", "countries", "nations", "states", "governments"}
_REACTION_VERBS = {"condemn", "criticize", "criticise", "denounce", "protest", "warn", "threaten", "attack",
                   "strike", "target", "destroy", "oppose", "complain", "accuse", "blame", "fear"}
_MADE = {"made", "built", "manufactured", "produced", "designed"}
_CARRIERS = {"aircraft", "plane", "jet", "airplane", "ship", "vessel", "convoy", "truck", "lorry", "flight",
             "airlift", "freighter", "transport", "train"}
_DENY_VERBS = {"deny", "dismiss", "reject", "refute", "rebuff", "dispute"}
_CLAIM_NOUNS = {"claim", "allegation", "report", "accusation", "charge", "story", "suggestion", "assertion",
                "rumor", "rumour"}


def _dash_speaker(sent: Span, nxt: Span) -> list[str] | None:
    """A line ending in a dash and continued by a person's name ("... howitzers -" / "Def Min
    Jane Roe ..."): the statement is that person's.  A publisher's name is no PERSON."""
    if not sent.text.rstrip().endswith(("-", "\u2013", "\u2014")):
        return None
    for ent in ents_of(nxt):
        if ent.label_ == "PERSON" and ent.start - nxt.start <= 4 and all(
                t.pos_ == "PROPN" or t.is_space for t in nxt.doc[nxt.start:ent.start]):
            return [nxt.doc[nxt.start:ent.end].text.strip()]
        break
    # the parser may run the name into the next words: "Def Min Jane Roe France is ..."
    run = []
    for t in nxt:
        if t.pos_ != "PROPN" or t.ent_type_ in ("ORG", "GPE", "NORP", "WEAPON", "ARMS"):
            break
        run.append(t)
    while run and run[-1].ent_type_ == "ACTOR":
        run.pop()
    if len(run) >= 3 and not any(t.ent_type_ == "ACTOR" for t in run) and len(run) < len(nxt) - 1:
        return [nxt.doc[run[0].i:run[-1].i + 1].text]
    return None


def _hands_owner(tok):
    """ "into the hands of the army": the owner of the hands receives."""
    if tok.lemma_.lower() != "hand" or tok.tag_ != "NNS":
        return tok
    for p in tok.children:
        if p.dep_ == "prep" and p.lower_ == "of":
            objs = [c for c in p.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
    return tok


def _is_headline(sent: Span, text: str) -> bool:
    """A short line of its own with no full stop. `text` is the document's text: looking only
    at the characters beside the sentence (never slicing the whole text) keeps this constant."""
    before, after = sent.start_char - 1, sent.end_char
    while before >= 0 and text[before] in " \t":
        before -= 1
    while after < len(text) and text[after] in " \t":
        after += 1
    own_line = (before < 0 or text[before] == "\n") and (after >= len(text) or text[after] == "\n")
    return own_line and len(sent) < 40 and not sent.text.rstrip().endswith((".", '."', ".'"))


SHIPPED = "shipped"  # the default: the linear judge over the rules' candidates (`armstrace/data/model/claims.json`)
# with the claim encoder's confident claims beside it (`combined.py`)
LINEAR = "linear"  # the linear judge alone
ENCODER = "encoder"  # the fine-tuned claim encoder that ships in the package (`armstrace/data/model/encoder/`)
RULES = "rules"  # no model: the rules' candidates as they are


Model = "ClaimModel | EncoderModel | Combined"


def load_model(model: "Model | str | Path | None") -> "Model | None":
    """A claim model: an instance, a path to one (a claim-encoder folder or a linear model's
    JSON file), SHIPPED (the default: the linear judge over the rules' candidates with the
    claim encoder's confident claims beside it), LINEAR (the linear judge alone), ENCODER (the
    shipped claim encoder alone) or RULES/None (none)."""
    if model is None or model == RULES:
        return None
    if model == SHIPPED:
        return Combined.load()
    if model == LINEAR:
        return ClaimModel.load()
    if model == ENCODER:
        return EncoderModel.load()
    if isinstance(model, (ClaimModel, EncoderModel, Combined)):
        return model
    if Path(model).is_dir():
        return EncoderModel.load(model)
    return ClaimModel.load(model)


class Extractor:
    """Extraction over parsed documents: the rules propose candidate claims, the claim model
    (when there is one) keeps the right ones, calibrates their confidence and their status."""

    def __init__(self, gaz: Gazetteer | None = None, lex: Lexicon | None = None,
                 model: "Model | str | Path | None" = SHIPPED):
        self.gaz = gaz or load_gazetteer()
        self.lex = lex or load_lexicon()
        self.actors = ActorResolver(self.gaz, self.lex)
        self.model = load_model(model)

    # -- one frame ------------------------------------------------------------------
    def _items(self, frame: Frame, blocked: set[int]) -> list[Item]:
        trigger_ids = {frame.trigger.i}
        out: dict[tuple, Item] = {}
        for root in frame.item_roots:
            for item in find_items(root, self.gaz, blocked=blocked, trigger_ids=trigger_ids):
                if frame.force_category:
                    item.category = frame.force_category
                    if item.designation and frame.force_category == "technology":
                        item.designation = None
                elif _civil_technology(item):
                    continue
                out.setdefault((item.category, item.designation), item)
        items = list(out.values())
        # "shipments of weapons, including surface-to-air missiles": the umbrella is no item of its own
        specific = [i for i in items if i.category != "unspecified"]
        return [i for i in items if not (i.category == "unspecified" and not frame.force_category and any(
            _including(i.head, s.head) for s in specific))]

    def _codes(self, heads, ctx, exclude=()) -> list[str]:
        codes: list[str] = []
        for head in heads:
            for code in self.actors.resolve_all(head, ctx, exclude):
                if code not in codes:
                    codes.append(code)
        return codes

    def _modifier_supplier(self, frame: Frame, items: list[Item]) -> list[str]:
        """Demonyms on the items or the trigger noun: "the Russian S-400", "U.S. arms sales"."""
        return _demonyms(list(frame.supplier_modifiers) + [i.head for i in items])

    def _own_sources(self, items: list[Item]) -> dict[int, tuple[str, ...]]:
        """Item head -> the state in its own "from" phrase, for items coordinated with others
        ("helicopters and aircraft from the U.S., as well Super Tucano aircraft from Brazil")."""
        out: dict[int, tuple[str, ...]] = {}
        for item in items:
            group = [item.head, *item.head.conjuncts]
            for head in group:
                for p in head.children:
                    if p.dep_ == "prep" and p.lower_ == "from":
                        codes = [actor_code(o) for o in p.children if o.dep_ == "pobj"]
                        if codes and codes[0]:
                            for member in group if head.i != item.head.i else [item.head]:
                                out.setdefault(member.i, (codes[0],))
                            out[head.i] = (codes[0],)
        return out

    def _clause_subject_state(self, participle, sent: Span, recipients: list[str]) -> str | None:
        skip = source_tokens(sent, self.lex)
        verb = participle.head
        for _ in range(8):  # up to the first verb with a subject of its own
            if verb.pos_ in ("VERB", "AUX") and any(c.dep_ == "nsubj" for c in verb.children):
                break
            if verb.head.i == verb.i or verb.dep_ in ("ccomp", "advcl", "relcl", "parataxis"):
                return None
            verb = verb.head
        if verb.pos_ not in ("VERB", "AUX") or verb.lemma_.lower() in _REACTION_VERBS:
            return None
        for subj in (c for c in verb.children if c.dep_ == "nsubj" and c.i not in skip):
            for tok in subj.subtree:
                code = actor_code(tok)
                actor = self.gaz.actor(code) if code else None
                if actor is not None and actor.is_state and code not in recipients:
                    return code
        return None

    def _origins(self, items: list[Item]) -> set[str]:
        """The states that make the items' named models ("Rafale" -> FRA)."""
        weapons = (self.gaz.weapon(i.designation) for i in items if i.designation)
        return {w.origin for w in weapons if w is not None and w.origin}

    def _made_in(self, items: list[Item]) -> list[str]:
        """ "Iran acquired Chinese-made Silkworm missiles": bought goods made in a state came from it."""
        codes = []
        for item in items:
            for tok in item.head.subtree:
                if tok.lower_ in _MADE and tok.i >= 2 and tok.doc[tok.i - 1].text == "-":
                    code = actor_code(tok.doc[tok.i - 2])
                    if code and code not in codes and not self.actors.is_group(code):
                        codes.append(code)
        return codes

    def _carrier_supplier(self, frame: Frame) -> list[str]:
        """ "British transport aircraft are delivering weapons to Ukraine": the state of the
        aircraft, ship or convoy that carries the goods supplies them."""
        codes = []
        for head in frame.suppliers:
            if head.lemma_.lower() not in _CARRIERS:
                continue
            for c in head.children:
                code = actor_code(c) if c.dep_ in ("amod", "compound", "nmod") else None
                if code and code not in codes and not self.actors.is_group(code):
                    codes.append(code)
        return codes

    def _name_compound_recipients(self, frame: Frame) -> list[str]:
        """ "the Iran arms deal", "Taiwan arms sales": a country's name (not its adjective, not an
        abbreviation like "U.S.") compounded before "arms <noun>" names the buyer."""
        trig = frame.trigger
        arms = [c for c in trig.children if c.dep_ == "compound" and c.ent_type_ in ("ARMS", "WEAPON")]
        out = []
        for c in trig.children:
            if c.dep_ != "compound" or c.ent_type_ != "ACTOR" or c.pos_ != "PROPN" \
                    or not any(c.i < a.i for a in arms):
                continue
            ent = entity_index(trig.doc).containing(c)
            actor = self.gaz.actor(actor_code(c))
            if ent is None or actor is None or not actor.is_state or "." in ent.text or ent.text.isupper():
                continue
            if ent.text in actor.names or ent.text == actor.name:
                out.append(actor.code)
        return out

    def _smuggled_from(self, frame: Frame, suppliers: list[str], recipients: list[str]):
        """ "The group smuggles explosives into Peru from Chile": the stock's state supplies, an
        armed group smuggling for itself receives; a trafficker in between drops out."""
        sources = [c for c in self._codes(frame.sources, None) if not self.actors.is_group(c)]
        if not sources:
            return suppliers, recipients
        middlemen = any(h.lemma_.lower() in self.lex.middleman_nouns or h.lower_ in self.lex.middleman_nouns
                        for h in frame.suppliers)
        if suppliers and not middlemen and all(self.actors.is_group(c) for c in suppliers):
            recipients = suppliers + [c for c in recipients if c not in suppliers]
        return [c for c in sources if c not in recipients], recipients

    def _open_role(self, heads) -> bool:
        """No phrase fills the role, or only a pronoun or a vague one: context may fill it."""
        lex = self.lex
        for head in heads:
            if head.lemma_.lower() in lex.state_anaphors and (head.tag_ in ("NNS", "NNPS") or any(
                    c.dep_ == "poss" and c.pos_ == "PROPN" for c in head.children)):
                return False  # "Central American countries", "Rabbani's government": parties we cannot name
            if head.pos_ == "PRON" or head.lemma_.lower() in lex.state_anaphors:
                continue
            word = head.lemma_.lower()
            if head.pos_ == "PROPN" or head.ent_type_ or word in lex.agent_nouns or word in lex.group_nouns \
                    or head.lower_ in lex.group_nouns:
                return False  # a party we cannot name: leave the role empty
        return True

    def _bare_mention(self, frame: Frame, lemma: str) -> bool:
        """A transfer named with no party at all ("the supply of missiles was discussed", "plans are
        underway to transfer seven helicopters"): no pronoun, anaphor or unresolved name in a role."""
        lex = self.lex
        if frame.pos == "verb" and lemma in lex.weak_verbs or frame.halt_attempt:
            return False
        if frame.pos == "noun" and (lemma in lex.field_nouns or frame.trigger.lower_ in lex.field_nouns):
            return False
        if frame.rule in ("seized-shipment",) or frame.sources or frame.supplier_modifiers:
            return False
        if frame.pos == "verb" and "passive" in frame.rule:
            return False  # "weapons had been imported": by anyone, from anywhere
        for head in frame.suppliers + frame.recipients:
            word = head.lemma_.lower()
            if head.pos_ in ("PRON", "PROPN") or head.ent_type_ or word in lex.state_anaphors \
                    or word in lex.agent_nouns or word in lex.group_nouns or head.lower_ in lex.group_nouns:
                return False
        return True

    def frame_claims(self, frame: Frame, sent: Span, ctx: DocContext, headline: bool,
                     quoted: str | list[str] | None = None) -> list[dict]:
        lex = self.lex
        lemma = frame.trigger.lemma_.lower()
        frame.recipients = [_hands_owner(h) for h in frame.recipients]
        role_heads = {t.i for t in frame.suppliers + frame.recipients}
        items = self._items(frame, blocked=role_heads)
        if not items and frame.pos == "noun" and lemma in ("help", "assistance", "aid") \
                and any(c.lower_ in TECHNICAL_WORDS for c in frame.trigger.children if c.dep_ == "amod") \
                and any(self.gaz.actor(c) is not None and self.gaz.actor(c).is_state
                        for c in self._codes(frame.suppliers, None)):
            items = [Item("technology", None, frame.trigger.text, frame.trigger)]  # "technological help from China"
        if not items and frame.pos == "noun" and lemma in ("aid", "assistance") and not any(
                c.lower_ in lex.non_military_heads for c in frame.trigger.children):
            if any(self.actors.is_group(code) for code in self._codes(frame.recipients, None)):
                items = [Item("unspecified", None, frame.trigger.text, frame.trigger)]
        if not items and frame.pos == "verb" and frame.kind == "give":
            # "X will provide assistance to the rebels": aid to an armed group is military aid
            aid = [r for r in frame.item_roots if r.lemma_.lower() in ("aid", "assistance") and not any(
                c.lower_ in lex.non_military_heads for c in r.children)]
            if aid and any(self.actors.is_group(code) for code in self._codes(frame.recipients, None)):
                items = [Item("unspecified", None, aid[0].text, aid[0])]
        if not items and frame.party_patient:
            items = [Item(frame.force_category or "unspecified", None, frame.trigger.text, frame.trigger)]
        if not items:
            return []
        if frame.pos == "noun" and (lemma in lex.field_nouns or frame.trigger.lower_ in lex.field_nouns) \
                and not frame.recipients:
            return []  # "the American arms trade is rarely discussed": a field, no transfer
        if frame.recipients and all(h.lemma_.lower() in lex.place_nouns and not self._codes([h], None)
                                    for h in frame.recipients):
            return []  # "sent jets to the air base": a deployment to a place
        civil_party = any(t.lower_ in _CIVIL_OPERATORS for h in frame.suppliers + frame.recipients
                          for t in h.subtree if abs(t.i - h.i) <= 3)
        items = [i for i in items if not (i.category == "aircraft" and (civil_party or any(
            c.lower_ in _CIVIL_MARKS for c in i.head.children)))]  # "flag carrier Air India buys 50 aircraft"
        if not items:
            return []
        if lemma in ("equip", "arm") and frame.rule.startswith("give-verb-passive") and not frame.suppliers:
            return []  # "fighters armed with rifles": possession, not a transfer
        if frame.pos == "noun" and frame.kind == "give" and frame.governor_subjects:
            # "China condemned U.S. arms sales to Taiwan", "Germany blocks Estonian arms exports": a
            # state named on the transfer noun supplies; the governing verb's subject only reacts
            named = [c for c in self._modifier_supplier(frame, []) if c not in self._name_compound_recipients(frame)]
            if named:
                governing = {t.i for t in frame.governor_subjects}
                frame.suppliers = [t for t in frame.suppliers if t.i not in governing]
        suppliers = self._codes(frame.suppliers, None)
        recipients = self._codes(frame.recipients, None)
        if not suppliers:
            suppliers = self._carrier_supplier(frame)
        if not suppliers:
            # "US arms sales to his country", "giving U.S. military aid to that country": the state
            # named on the transfer noun supplies, before any anaphor is resolved (it must then be
            # some other state)
            anaphoric = any(h.pos_ == "PRON" or h.lemma_.lower() in self.lex.state_anaphors for h in frame.suppliers)
            suppliers = [c for c in self._modifier_supplier(frame, [] if anaphoric else items) if c not in recipients
                         and c not in self._name_compound_recipients(frame)]
        if not suppliers and frame.suppliers:
            suppliers = self._codes(frame.suppliers, ctx, exclude=recipients)
        if not recipients and frame.recipients:
            recipients = self._codes(frame.recipients, ctx, exclude=suppliers)
        if not recipients and frame.pos == "noun" and frame.kind == "give":
            recipients = [c for c in self._name_compound_recipients(frame) if c not in suppliers]
        if lemma in _SMUGGLE_VERBS and frame.sources:
            suppliers, recipients = self._smuggled_from(frame, suppliers, recipients)
        if not suppliers:
            suppliers = [c for c in self._modifier_supplier(frame, items) if c not in recipients]
        if not suppliers and frame.kind == "get" and recipients:
            suppliers = [c for c in self._made_in(items) if c not in recipients]
        if not suppliers and frame.kind == "get" and recipients:
            origins = self._origins(items)
            if len(origins) == 1:
                suppliers = [c for c in origins if c not in recipients]
        if any(self.actors.is_group(c) for c in recipients):
            # "smuggled into Colombia for the FARC": the group is the recipient, the state a place
            recipients = [c for c in recipients if self.actors.is_group(c)]
        rule = frame.rule
        partyless = False
        if not suppliers and not recipients:
            if not self._bare_mention(frame, lemma):
                return []
            # "the supply of missiles was discussed": no party named here; the document may say
            # who (see `_complete_bare`), else the claim is dropped
            partyless, rule = True, rule + "+bare"
        passive_no_agent = "passive" in frame.rule and not frame.suppliers
        if partyless:
            pass
        elif not suppliers and frame.kind == "give" and self._open_role(frame.suppliers) and not passive_no_agent \
                and frame.context_supplier:
            # a state buys from a state or a trader the text names; an armed group named nearby is not
            # who sold to a state ("profits from Iran arms sales were diverted to the contras")
            to_state = bool(recipients) and all(not self.actors.is_group(c) for c in recipients)
            found = ctx.resolve(frame.trigger.i, sent, state=True if to_state else None, exclude=recipients,
                                window=1, places=False, skip=source_tokens(sent, lex))
            if found:
                suppliers, rule = [found], rule + "+context"
        elif not recipients and frame.kind == "give" and self._open_role(frame.recipients) and frame.context_recipient \
                and not any(c.dep_ == "poss" and c.pos_ == "PRON" for i in items for c in i.head.children):
            # (not "offered its warships to escort tankers": its own forces, deployed)
            found = ctx.resolve(frame.trigger.i, sent, state=None, exclude=suppliers, window=1, places=False)
            if found:
                recipients, rule = [found], rule + "+context"
        if not suppliers and recipients and passive_no_agent and frame.trigger.dep_ == "acl" and frame.context_supplier:
            # "the USA does not consider Crimea off limits for MLRS provided to Ukraine": the state the
            # sentence is about gave what it speaks of having been provided
            found = self._clause_subject_state(frame.trigger, sent, recipients)
            if found:
                suppliers, rule = [found], rule + "+context"
        if partyless:
            pass
        elif frame.kind == "get" and not suppliers and recipients and not prevented(frame.trigger) \
                and not any(self.actors.is_group(c) for c in recipients):  # "gangs acquire guns": own purchase
            found = ctx.resolve(frame.trigger.i, sent, state=True, exclude=recipients, window=0,
                                skip=source_tokens(sent, lex))
            if found:
                suppliers, rule = [found], rule + "+context"
        if frame.kind == "get" and not suppliers and not partyless:
            return []  # "terrorists acquire weapons": own acquisition, nobody supplies
        if not recipients and frame.pos == "verb" and lemma not in _SUPPLIER_ONLY_VERBS and not partyless:
            return []
        if frame.pos == "verb" and lemma in lex.weak_verbs and not (recipients and (suppliers or frame.kind == "get")):
            return []
        status = decide_status(frame, lex, headline)
        if status is None:
            return []
        if frame.halt_attempt and (rule.endswith("+context") or not suppliers):
            return []  # "a way to cut arms supplies to X": an aim, and nobody named supplies
        def pronoun(tok):
            if tok.lower_ in ("he", "she"):
                return ctx.last_person(tok.i, sent)
            actor = self.gaz.actor(ctx.resolve(tok.i, sent, state=None, window=1, prefer_subject=True))
            return actor.name if actor else None

        attribution = attribute(frame.trigger, sent, lex, pronoun=pronoun)
        if not attribution and quoted:
            # inside a quotation whose speaker another sentence names, or continuing a reported passage
            attribution = [quoted] if isinstance(quoted, str) else list(quoted)
        skip = {t.i for i in items for t in i.head.subtree}
        time = find_time(frame.trigger, ctx.published, skip)
        purpose = find_purpose(frame.trigger)
        origins = self._origins(items)
        if len(origins) == 1 and len(recipients) == 1 and recipients[0] in origins and suppliers \
                and all(c not in origins for c in suppliers) and frame.pos == "noun" and lemma in ("deal", "contract", "agreement"):
            # "Finland signs a deal with the U.S. for F-35 jets": the maker's state sells
            suppliers, recipients = recipients, [c for c in suppliers if not self.actors.is_group(c)]
        elif frame.with_party and not origins and len(suppliers) == 1 and len(recipients) == 1 \
                and suppliers[0] is not None and recipients[0] is not None \
                and not self.actors.is_group(suppliers[0]) and not self.actors.is_group(recipients[0]) \
                and likely_supplier(suppliers[0], recipients[0]) == recipients[0]:
            # "Greece signed a contract with France for frigates": two parties of a deal, the
            # text not saying who sells, the item not who makes it; SIPRI's record of deals
            # between the two does
            suppliers, recipients = recipients, suppliers
            rule += "+sipri-pair"
        if suppliers and frame.kind == "give" and any(
                t.lower_ in _COLLECTIVES and t.ent_type_ != "ACTOR" for h in frame.suppliers for t in conjuncts(h)):
            # "the US and the West", "the United States and its allies": the unnamed others supply too
            suppliers = suppliers + [None]
            rule += "+others"
        out = []
        own_source = self._own_sources(items)
        named = {i.head.i: tuple(c for c in _demonyms([i.head]) if c in suppliers)
                 for i in items if i.head.i not in own_source}
        named = {k: v for k, v in named.items() if v}
        if len(set(named.values())) >= 2:  # "British Rapier missiles or French and German Roland missiles"
            own_source.update(named)
        taken = {c for codes in own_source.values() for c in codes}
        for s in suppliers or [None]:
            for r in recipients or [None]:
                if s is not None and s == r and s != OTHER_GROUP:
                    continue
                if s is None and r is not None and origins == {r}:
                    continue  # "offered the French Defence Ministry a new Rafale": its own industry, no transfer
                if r in _DISARMAMENT_BODIES and (s is None or self.actors.is_group(s)):
                    continue  # "the guerrillas handed their weapons to the UN": disarmament, no transfer  # two different unnamed groups may trade ("smugglers sold rifles to gangs")
                for item in items:
                    owns = own_source.get(item.head.i, ())
                    if len(suppliers) > 1 and owns and s not in owns:
                        continue  # "helicopters from the U.S. and Super Tucanos from Brazil": each from its own
                    if len(suppliers) > 1 and not owns and s in taken and any(c not in taken for c in suppliers):
                        continue  # the source another item names for itself is not this one's
                    conf = 0.5 + 0.15 * (s is not None and r is not None) + 0.1 * (frame.pos == "verb") \
                        + 0.1 * bool(item.designation)
                    out.append(dict(
                        supplier=s, recipient=r, category=item.category, status=status,
                        designation=item.designation, item=item.text, attribution=list(attribution),
                        time=time, quantity=item.quantity, purpose=purpose,
                        confidence=round(min(conf, 0.95) - 0.2 * ("+context" in rule), 2), rule=rule,
                    ))
        return out

    def _denials(self, sent: Span, number: int, by_sentence: dict[int, list[Claim]], ctx: DocContext,
                 text: str) -> list[Claim]:
        """ "The minister dismissed the claims as fanciful": a party denies the transfers reported
        just before.  The denied claims are those of the last four sentences that someone alleged
        (they carry a source), named with both parties in their own sentence; when the denier speaks
        for a state, only transfers of that state."""
        lex = self.lex
        for tok in sent:
            if tok.pos_ != "VERB" or tok.lemma_.lower() not in _DENY_VERBS or any(c.dep_ == "neg" for c in tok.children):
                continue
            objs = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
            if not any(o.lemma_.lower() in _CLAIM_NOUNS and not any(c.dep_ in ("acl", "relcl", "prep") for c in o.children)
                       for o in objs):
                continue  # "denied the claims that ...", "rejected claims of ...": the claim is read there
            subj = [c for c in tok.children if c.dep_ == "nsubj"]
            if not subj:
                continue
            head = subj[0]
            if head.lower_ in ("he", "she"):
                denier = ctx.last_person(head.i, sent)
            elif head.pos_ == "PRON":
                denier = None
            else:
                denier = phrase_text(head)
            if not denier:
                continue
            states = set(self.actors.resolve_all(head, None, ()))
            earlier = [c for k in range(number - 4, number) for c in by_sentence.get(k, [])
                       if c.attribution and c.supplier and c.recipient and c.status not in ("denied", "halted")
                       and "+" not in c.rule]
            if states:
                earlier = [c for c in earlier if c.supplier in states or c.recipient in states]
            start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            end = sent.start_char + len(sent.text.rstrip())
            out = []
            for c in earlier:
                out.append(Claim(doc=c.doc, supplier=c.supplier, recipient=c.recipient, category=c.category,
                                 status="denied", designation=c.designation, item=c.item, attribution=[denier],
                                 time=c.time, quantity=c.quantity, purpose=c.purpose, evidence=text[start:end],
                                 start=start, end=end, confidence=round(max(0.3, c.confidence - 0.2), 2),
                                 rule="denial-of-claims"))
            return out
        return []

    # -- one document ---------------------------------------------------------------
    def extract_parsed(self, spdoc: Doc, doc_id: str = "", source_text: str | None = None,
                       published: str | None = None, time_limit: float | None = None) -> list[Claim]:
        """Claims from a parsed document; evidence is cut from `source_text` (same offsets).
        After `time_limit` seconds it stops with `ExtractionLimit`."""
        model = self.model
        text = source_text if source_text is not None else spdoc.text
        if isinstance(model, (EncoderModel, Combined)):
            check_time = time_check(doc_id, time_limit, sum(1 for _ in spdoc.sents))  # one deadline for all
            rules = self.rule_claims(spdoc, doc_id, source_text, published, check_time=check_time)
            encoder = model if isinstance(model, EncoderModel) else model.encoder
            # the encoder reads the rules' claims as they are, before a judge changes them
            encoded = encoder_claims(encoder, spdoc, doc_id, text, published, rules, self.gaz, self.lex, check_time)
            if isinstance(model, EncoderModel):
                return mention_spans(encoded, spdoc, text)
            judged = self._judged(model.linear, spdoc, doc_id, source_text, published, rules=rules)
            return mention_spans(model.merge(judged, encoded), spdoc, text)
        return mention_spans(self._judged(model, spdoc, doc_id, source_text, published, time_limit), spdoc, text)

    def _judged(self, judge: ClaimModel | None, spdoc: Doc, doc_id: str, source_text: str | None,
                published: str | None, time_limit: float | None = None,
                rules: list[Claim] | None = None) -> list[Claim]:
        """The rules' candidates as the linear judge keeps them (all of them with no judge)."""
        found = self.candidates(spdoc, doc_id, source_text, published, time_limit, rules=rules,
                                cooccurrence=judge is not None and judge.cooccurrence,
                                fill=judge is not None and judge.fill)
        return found if judge is None else judge.apply(found, spdoc, self)

    def candidates(self, spdoc: Doc, doc_id: str = "", source_text: str | None = None,
                   published: str | None = None, time_limit: float | None = None, *,
                   cooccurrence: bool = False, fill: bool = False, rules: list[Claim] | None = None) -> list[Claim]:
        """The rules' claims (`rules` when they were read already), and for the claim model to
        judge, the co-occurrence candidates and those with a party filled in from the document
        (`learned.py`)."""
        found = list(rules) if rules is not None else self.rule_claims(spdoc, doc_id, source_text, published,
                                                                         time_limit)
        text = source_text if source_text is not None else spdoc.text
        # their parties as the rules' are: states as they were when the document was written
        if cooccurrence:
            found += self._new_triples(found, self._of_the_day(
                cooccurrence_candidates(spdoc, text, doc_id, found, self), published))
        if fill:
            found += self._new_triples(found, self._of_the_day(filled_candidates(spdoc, found, self), published))
        return found

    @staticmethod
    def _new_triples(found: list[Claim], new: list[Claim]) -> list[Claim]:
        have = {(c.supplier, c.recipient, c.category) for c in found}
        out = []
        for c in new:
            triple = (c.supplier, c.recipient, c.category)
            if triple not in have and c.supplier != c.recipient:
                have.add(triple)
                out.append(c)
        return out

    def rule_claims(self, spdoc: Doc, doc_id: str, source_text: str | None, published: str | None,
                    time_limit: float | None = None,
                    check_time: Callable[[int], None] | None = None) -> list[Claim]:
        """The rules' claims of a parsed document. Over `time_limit` seconds (or when
        `check_time(sentence number)`, a `time_check`, raises) it stops with `ExtractionLimit`."""
        spdoc_text = spdoc.text
        text = source_text if source_text is not None else spdoc_text
        ctx = DocContext(self.gaz, published, leaders=self.lex.leaders)
        claims: dict[tuple, Claim] = {}
        sents = list(spdoc.sents)
        quoted = quote_sources(sents, self.lex)
        for number, speaker in speaker_turns(sents).items():
            quoted.setdefault(number, speaker)
        last_reported: tuple[int, list[str]] | None = None  # sentence number and sources of the last reported claim
        by_sentence: dict[int, list[Claim]] = {}
        if check_time is None:
            check_time = time_check(doc_id, time_limit, len(sents))

        for number, sent in enumerate(sents):
            check_time(number)
            stripped = sent.text.strip()
            if not any(ch.isalpha() for ch in stripped):
                continue
            if self.lex.is_boilerplate(stripped):
                ctx.observe_sentence(sent)
                continue
            headline = _is_headline(sent, spdoc_text)
            carried = quoted.get(number)
            if carried is None and number + 1 < len(sents):
                carried = _dash_speaker(sent, sents[number + 1])
            if carried is None and last_reported is not None and number - last_reported[0] <= 2 and \
                    stripped.lower().startswith(self.lex.continuation_starts):
                carried = last_reported[1]  # "According to X, ... . In exchange, Y will get ..."
            made = 0
            questions = None  # `_questions`, when the sentence has a frame
            # and within a sentence, token by token and frame by frame: each frame costs work
            # in the sentence's length, so a text of no sentence ends (one "sentence" of
            # 100,000 words) takes time in the square of it
            for frame in find_frames(sent, self.lex, check=lambda number=number: check_time(number)):
                check_time(number)
                if questions is None:
                    questions = _questions(sent)
                if questions[frame.trigger.i - sent.start]:
                    continue
                for fields in self.frame_claims(frame, sent, ctx, headline, carried):
                    made += 1
                    fields["attribution"] = [
                        name_described_source(a, sent, sents[number + 1:number + 3], self.lex) or a
                        for a in fields["attribution"]]
                    if fields["attribution"] and fields["attribution"] != carried:
                        last_reported = (number, list(fields["attribution"]))
                    start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
                    end = sent.start_char + len(sent.text.rstrip())
                    claim = Claim(doc=doc_id, evidence=text[start:end], start=start, end=end, **fields)
                    key = claim.key()
                    if key in claims:
                        old = claims[key]
                        old.attribution.extend(a for a in claim.attribution if a not in old.attribution)
                        old.confidence = max(old.confidence, claim.confidence)
                    else:
                        claims[key] = claim
                    by_sentence.setdefault(number, []).append(claims[key])
            if not made:
                for claim in self._denials(sent, number, by_sentence, ctx, text):
                    claims.setdefault(claim.key(), claim)
            ctx.observe_sentence(sent)
        return _drop_subsumed(_complete_bare(self._of_the_day(list(claims.values()), published)))

    def _of_the_day(self, claims: list[Claim], published: str | None) -> list[Claim]:
        """States as they were when the document was written: Russia in 1987 is the Soviet Union."""
        if not published:
            return claims
        for code, before, until in self.lex.predecessors:
            if published[:10] < until:
                for c in claims:
                    c.supplier = before if c.supplier == code else c.supplier
                    c.recipient = before if c.recipient == code else c.recipient
        return claims


# A generic item word may take up a narrower category the document has named for the same pair:
# "the anti-aircraft missiles ... the supply of missiles was discussed".
_NARROWER = {"missile": {"air_defense"}, "unspecified": set(), "aircraft": {"drone"}}


def _including(umbrella, specific) -> bool:
    """`specific` hangs off `umbrella` through "including", "such as" or "like"."""
    tok = specific
    for _ in range(4):
        if tok.head.i == tok.i:
            return False
        if tok.head.lower_ in ("including", "like", "as") or (tok.dep_ == "pobj" and tok.head.lower_ == "including"):
            prep = tok.head
            heads = [prep.head, *prep.head.conjuncts]
            # "shipments of weapons, including missiles" with "including" hung on "shipments"
            heads += [g for h in heads for p in h.children if p.dep_ == "prep" and p.lower_ == "of"
                      for g in p.children if g.dep_ == "pobj"]
            return any(t.i == umbrella.i for t in heads)
        tok = tok.head
    return False


def _complete_bare(claims: list[Claim]) -> list[Claim]:
    """Give a transfer named without parties the parties of the document's one transfer of that
    category (event coreference); drop it when the document has none or several."""
    full = [c for c in claims if c.supplier is not None and c.recipient is not None and "+bare" not in c.rule]
    out = []
    for c in claims:
        if "+bare" not in c.rule:
            out.append(c)
            continue
        pairs = {(f.supplier, f.recipient) for f in full if f.category == c.category}
        category = c.category
        if not pairs and not c.designation:
            narrower = {(f.supplier, f.recipient, f.category) for f in full
                        if f.category in _NARROWER.get(c.category, ())}
            if len(narrower) == 1:
                supplier, recipient, category = narrower.pop()
                pairs = {(supplier, recipient)}
        if len(pairs) != 1 or category == "unspecified":
            continue  # "weapons" alone is too vague to say which transfer is meant
        c.supplier, c.recipient = pairs.pop()
        c.category = category
        c.rule = c.rule.replace("+bare", "+coref")
        c.confidence = round(max(0.3, c.confidence - 0.2), 2)
        out.append(c)
    return out


_STOPS = {".", "!", "?", "...", "…"}


def _demonyms(heads) -> list[str]:
    """States named as modifiers of the heads: "Russian S-400", "French and German Roland missiles"."""
    codes: list[str] = []
    for head in heads:
        mods = [c for c in head.children if c.dep_ in ("amod", "compound", "nmod")]
        mods += [j for m in mods for j in m.conjuncts if j.i > m.i]
        for tok in ([head] if head.dep_ in ("amod", "compound", "nmod") else []) + mods:
            code = actor_code(tok)
            if code and code not in codes:
                codes.append(code)
    return codes


def _questions(sent: Span) -> list[bool]:
    """For each token of `sent`, whether its clause ends in a question mark: the first stop at or
    after it ("?", '?"', '..."') is one. "Why would Peru not sell missiles?", but not "'Switzerland
    is blocking aid to Ukraine...' Can you help?". One pass from the end, so that a sentence of
    many triggers costs its length once, not once a trigger."""
    out = [False] * len(sent)
    question = False
    for k in range(len(sent) - 1, -1, -1):
        tok = sent[k]
        if tok.text.rstrip("\"'”’") in _STOPS:
            question = tok.text.startswith("?")
        out[k] = question
    return out


def _drop_subsumed(claims: list[Claim]) -> list[Claim]:
    """A half claim (one party unknown) that a full claim of the same sentence, category and
    status completes: "more financial assistance but more military aid to Ukraine" read twice."""
    full = {(c.start, c.category, c.status, c.supplier, c.recipient) for c in claims
            if c.supplier is not None and c.recipient is not None}
    doc_suppliers = {k[3] for k in full if k[3] not in ("other-group",)}
    out = []
    for c in claims:
        if (c.supplier is None or c.recipient is None) and not c.rule.endswith("+others"):
            role = 3 if c.supplier is not None else 4
            known = c.supplier if c.supplier is not None else c.recipient
            if any(k[:3] == (c.start, c.category, c.status) and k[role] == known for k in full):
                continue
            partners = {k[7 - role] for k in full if k[1] == c.category and k[role] == known}
            if len(partners) == 1:
                # "arms sales to Iran" in a document that says who sold them: the same transfer
                other = partners.pop()
                if c.supplier is None:
                    c.supplier = other
                else:
                    c.recipient = other
                c.rule += "+document"
            elif partners:
                continue
            elif c.supplier is None and len(doc_suppliers) == 1 and c.recipient not in doc_suppliers \
                    and "+context" not in c.rule:
                # a story about one supplier: "aid to the contras" in a story whose every named
                # transfer is American
                c.supplier = next(iter(doc_suppliers))
                c.rule += "+story"
                c.confidence = round(max(0.3, c.confidence - 0.2), 2)
        out.append(c)
    seen, merged = {}, []
    for c in out:  # a completed half claim may repeat a full one
        key = c.key()
        if key in seen:
            seen[key].attribution.extend(a for a in c.attribution if a not in seen[key].attribution)
            continue
        seen[key] = c
        merged.append(c)
    return merged


_EXTRACTORS: dict[str, Extractor] = {}


def get_extractor(model: "Model | str | Path | None" = SHIPPED) -> Extractor:
    """The shared extractor for a model (SHIPPED by default, RULES for none, or a path)."""
    if isinstance(model, (ClaimModel, EncoderModel, Combined)):
        return Extractor(model=model)
    key = str(model)
    if key not in _EXTRACTORS:
        _EXTRACTORS[key] = Extractor(model=model)
    return _EXTRACTORS[key]


# Bounds on the work one document may cost, so that one hostile or broken input (a 50 MB
# line, a page of one sentence repeated) cannot stall a batch. A news article is a few
# thousand characters and takes milliseconds.
MAX_CHARS = 1_000_000  # characters of headline and text (spaCy's own default bound)
TIME_LIMIT = 60.0  # seconds of extraction per document, after parsing
LANGUAGES = ("en",)  # what the pipeline reads; other documents are passed over, not misread


def time_check(doc_id: str, time_limit: float | None, sentences: int) -> Callable[[int], None]:
    """A check to call at each sentence of a document: it raises `ExtractionLimit` once
    `time_limit` seconds have passed since the check was made (never when it is None)."""
    deadline = None if time_limit is None else time.monotonic() + time_limit

    def check(number: int) -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise ExtractionLimit(doc_id, f"extraction stopped at sentence {number + 1} of "
                                  f"{sentences}: over the time limit of {time_limit:g} s for one document")
    return check


class ExtractionLimit(Exception):
    """A document exceeded a bound on extraction (size or time); it names the document."""

    def __init__(self, doc_id: str, message: str):
        super().__init__(f"document {doc_id}: {message}")
        self.doc_id, self.message = doc_id, message

    def problem(self, doc: Document) -> InputProblem:
        return InputProblem(doc.source_path or doc.id, f"document {doc.id}: {self.message}")


def passed_over(doc: Document) -> str | None:
    """Why extraction does not read `doc` ("language ru"), or None when it does. Documents of
    unknown language are read."""
    language = (doc.language or "").lower()
    if language and language.split("-")[0] not in LANGUAGES:
        return f"language {doc.language}"
    return None


def _check_size(doc: Document, text: str, max_chars: int | None) -> None:
    if max_chars is not None and len(text) > max_chars:
        raise ExtractionLimit(doc.id, f"too large to extract: {len(text):,} characters, the limit is "
                                   f"{max_chars:,} (is it one article? split it)")


def extract_document(doc: Document, nlp: Language | None = None, *, max_chars: int | None = MAX_CHARS,
                     time_limit: float | None = TIME_LIMIT, model: "Model | str | Path | None" = SHIPPED,
                     min_confidence: float = 0.0, prefilter: bool = True) -> list[Claim]:
    """All arms-transfer claims of one document (offsets into `doc.full_text`).

    A document `passed_over` (not in English) gives no claims; one over `max_chars` or
    `time_limit` raises `ExtractionLimit` naming it. With `prefilter` (the default), a document
    that cannot hold a claim (`armstrace.extract.prefilter`) is not parsed: same claims, faster.
    A long one is parsed in pieces (`armstrace.nlp.long_docs`), so that memory stays bounded."""
    if passed_over(doc):
        return []
    nlp = nlp or get_nlp()
    text = doc.full_text or ""
    _check_size(doc, text, max_chars)
    normalised = normalise(text)
    if prefilter:
        ruled = get_prefilter(nlp).screen(normalised)
        if ruled is None:
            return []
        spdoc = parse(nlp, ruled, disable=[RULER])  # tokenised and ruled already
    else:
        spdoc = parse(nlp, normalised)
    claims = get_extractor(model).extract_parsed(spdoc, doc.id, text, doc.published, time_limit=time_limit)
    return [c for c in claims if c.confidence >= min_confidence]


_SKIP, _PARSE, _LONG = "skip", "parse", "long"  # what `extract_documents` does with a document


def extract_documents(docs: Iterable[Document], nlp: Language | None = None, batch_size: int = 32, *,
                      on_problem: Callable[[InputProblem], None] | None = None,
                      max_chars: int | None = MAX_CHARS, time_limit: float | None = TIME_LIMIT,
                      model: "Model | str | Path | None" = SHIPPED,
                      min_confidence: float = 0.0, prefilter: bool = True) -> Iterator[tuple[Document, list[Claim]]]:
    """Claims of many documents, parsed in batches with `nlp.pipe`, in input order.

    A document `passed_over` (not in English) comes out with no claims, and so does one the
    `prefilter` finds cannot hold a claim (not parsed). One over a limit is reported to
    `on_problem` (an `InputProblem` naming it) and left out, and the rest go on; with no
    `on_problem`, `ExtractionLimit` is raised. A long document (`armstrace.nlp.long_docs`) is
    parsed on its own, in pieces, so that memory stays bounded. Each run of documents (up to
    `ZONE_DOCUMENTS`, or `ZONE_CHARS` characters) is read in a spaCy memory zone: the words it
    was the first to use leave the vocabulary and the tokenizer's cache after it, so that a
    stream of millions of documents runs in flat memory (the claims are the same)."""
    nlp = nlp or get_nlp()
    docs = iter(docs)
    while run := _next_run(docs):
        with nlp.memory_zone():
            yield from _extract_run(run, nlp, batch_size, on_problem, max_chars, time_limit, model,
                                    min_confidence, prefilter)


ZONE_DOCUMENTS = 256
ZONE_CHARS = 4_000_000


def _next_run(docs: Iterator[Document]) -> list[Document]:
    run, chars = [], 0
    for doc in docs:
        run.append(doc)
        chars += len(doc.text or "") + len(doc.title or "")
        if len(run) >= ZONE_DOCUMENTS or chars >= ZONE_CHARS:
            break
    return run


def _extract_run(docs: list[Document], nlp: Language, batch_size: int,
                 on_problem: Callable[[InputProblem], None] | None, max_chars: int | None, time_limit: float | None,
                 model, min_confidence: float, prefilter: bool) -> Iterator[tuple[Document, list[Claim]]]:
    extractor = get_extractor(model)
    can_hold = get_prefilter(nlp) if prefilter else None

    def report(err: ExtractionLimit, doc: Document) -> None:
        if on_problem is None:
            raise err
        on_problem(err.problem(doc))

    def pairs():
        for d in docs:
            text = d.full_text or ""
            skip = passed_over(d) is not None
            if not skip:
                try:
                    _check_size(d, text, max_chars)
                except ExtractionLimit as err:
                    report(err, d)
                    continue
            if skip:
                yield "", (d, _SKIP, None)
                continue
            normalised = normalise(text)
            # the prefilter's document goes on as it is: tokenised and ruled once
            todo = normalised if can_hold is None else can_hold.screen(normalised)
            if todo is None:
                yield "", (d, _SKIP, None)
                continue
            if is_long(normalised):  # parsed on its own, in pieces (`armstrace.nlp.long_docs`)
                yield "", (d, _LONG, todo)
            else:
                yield todo, (d, _PARSE, None)

    done = [RULER] if can_hold is not None else []
    for spdoc, (doc, mode, todo) in nlp.pipe(pairs(), as_tuples=True, batch_size=batch_size, disable=done):
        if mode == _SKIP:
            yield doc, []
            continue
        if mode == _LONG:
            spdoc = parse(nlp, todo, disable=done)
        try:
            claims = extractor.extract_parsed(spdoc, doc.id, doc.full_text or "", doc.published,
                                              time_limit=time_limit)
        except ExtractionLimit as err:
            report(err, doc)
            continue
        yield doc, [c for c in claims if c.confidence >= min_confidence]
