"""What is transferred: weapon mentions inside an argument phrase, one item per kind.

A phrase like "Ababil drones, guided bombs and 18 artillery shells" gives three items
(drone + designation Ababil, missile, ammunition).  A model name modifying a generic head
("Fateh-110 missiles", "VAB armored personnel carriers") becomes the designation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span, Token

from armstrace.nlp.ents import entity_index
from armstrace.nlp.gazetteer import Gazetteer

from .mentions import actor_code

# Dependency edges followed from an argument head down to the items it names.
_ITEM_EDGES = {
    "compound", "amod", "nmod", "conj", "cc", "appos", "det", "nummod", "quantmod", "punct",
    "pobj", "advmod", "npadvmod", "poss", "case", "dobj", "preconj", "predet", "attr", "dep",
}
_ITEM_PREPS = {"of", "including", "like", "as", "such", "with", "plus"}
_ARMS_LABELS = ("ARMS", "WEAPON")
# a designation of these kinds modifying a munition word means the munition ("HIMARS rockets")
_LAUNCHER_KINDS = {"artillery", "aircraft", "drone", "naval"}
_MUNITION_KINDS = {"missile", "ammunition"}
_TRANSFER_NOUNS = {"sale", "supply", "delivery", "shipment", "transfer", "export", "import", "deal", "contract",
                   "package", "consignment", "purchase", "order", "donation", "aid", "assistance", "trade",
                   "smuggling", "trafficking", "acquisition", "procurement", "provision", "cargo", "batch",
                   "pipeline", "flow"}
_COMPONENT_WORDS = {"part", "component", "spare", "spares"}
_PROGRAM_NOUNS = {"program", "programme", "scheme", "budget", "funding", "bill", "initiative"}
_PLATFORM_KINDS = {"aircraft", "drone", "naval", "armored_vehicle", "artillery", "air_defense", "missile"}
_QUANT_WORDS = {"hundreds", "dozens", "thousands", "scores", "tens", "millions", "several", "some"}


@dataclass
class Item:
    category: str
    designation: str | None
    text: str
    head: Token
    quantity: str | None = None


def _root(span: Span) -> Token:
    """The head of an entity span. spaCy's `Span.root` may pick a token the parser hung outside the
    phrase ("send [MiG-29]/punct [fighter jets]/dobj"); prefer the rightmost token that is no punctuation."""
    outside = [t for t in span if not (span.start <= t.head.i < span.end) or t.head.i == t.i]
    words = [t for t in outside if t.dep_ != "punct"]
    if len(outside) <= 1 or not words:
        return span.root
    return words[-1]


def _reachable(root: Token, blocked: set[int]) -> set[int]:
    """Token indices reachable from `root` along item edges."""
    seen = {root.i}
    stack = [root]
    while stack:
        tok = stack.pop()
        for child in tok.children:
            if child.i in seen or child.i in blocked:
                continue
            dep = child.dep_
            if dep == "prep" and child.lower_ not in _ITEM_PREPS and not (
                    child.i > 0 and child.doc[child.i - 1].text == "-"):  # "drugs-for-guns"
                continue
            if dep == "prep" or dep in _ITEM_EDGES:
                seen.add(child.i)
                stack.append(child)
    return seen


def _is_modifier_of_non_item(span: Span, doc_spans: list[Span], trigger_ids: set[int]) -> bool:
    """ "weapons inspector", "arms race": a weapon word modifying some other noun."""
    root = _root(span)
    while root.dep_ == "conj" and root.head.i != root.i:  # "computer and semiconductor maker"
        root = root.head
    if root.dep_ not in ("compound", "amod", "nmod"):
        return False
    head = root.head
    if head.i in trigger_ids or head.lemma_.lower() in _TRANSFER_NOUNS:
        return False
    if root.i in trigger_ids and head.lemma_.lower() in _PROGRAM_NOUNS:
        return False  # "a military aid program for Bosnia": the trigger itself names the goods
    return not any(s.start <= head.i < s.end for s in doc_spans)


_PEOPLE_MARKS = {"alleged", "suspected", "accused", "convicted", "would-be", "suicide", "foreign", "rebel"}


def _people(head: Token) -> bool:
    """ "the alleged bombers of the airliner", "foreign fighters": people, not aircraft."""
    if head.lemma_.lower() not in ("bomber", "fighter"):
        return False
    return any(c.dep_ == "amod" and c.lower_ in _PEOPLE_MARKS for c in head.children) or any(
        c.dep_ == "prep" and c.lower_ == "of" and any(
            g.dep_ == "pobj" and g.ent_type_ not in ("ARMS", "WEAPON") for g in c.children) for c in head.children)


def _quantity(head: Token) -> str | None:
    for child in head.children:
        if child.dep_ == "nummod":
            words = [t for t in child.subtree if t.i < head.i and (t.like_num or t.dep_ in ("quantmod", "advmod")
                                                                   or t.lower_ in _QUANT_WORDS)]
            return " ".join(t.text for t in words) if words else child.text
    # "hundreds of drones": the item is the object of "of" under a quantity word
    if head.dep_ == "pobj" and head.head.lower_ == "of":
        q = head.head.head
        if q.lower_ in _QUANT_WORDS or q.like_num or q.pos_ == "NUM":
            return " ".join(t.text for t in q.subtree if t.i < head.head.i)
    return None


def _unknown_designation(head: Token, span: Span) -> str | None:
    """Proper-noun or alphanumeric modifiers of a generic head: "VAB carriers", "Type 629G lasers"."""
    parts = []
    for child in head.children:
        if child.dep_ != "compound" or child.i > head.i or span.start <= child.i < span.end:
            continue
        if actor_code(child):
            continue
        words = [t for t in child.subtree if t.i < span.start and not actor_code(t)
                 and t.lower_ not in _NOT_MODEL_WORDS]
        if not words:
            continue
        if any(t.pos_ == "PROPN" or re.search(r"\d", t.text) and re.search(r"[A-Za-z]", t.text) for t in words):
            if all(t.pos_ in ("PROPN", "NUM", "PUNCT", "X") or re.search(r"\d", t.text) for t in words):
                parts.extend(words)
    if not parts:
        return None
    parts.sort(key=lambda t: t.i)
    return " ".join(t.text for t in parts)


# Capitalised words that name a service or an owner, not a model: "Army helicopters".
_NOT_MODEL_WORDS = {"army", "navy", "air", "force", "forces", "marine", "marines", "corps", "guard", "defense",
                    "defence", "ministry", "military", "national", "special", "coast", "border", "police",
                    "western", "eastern", "soviet-era", "new", "old", "the", "a", "an", "more", "other"}


def _left_model_name(span: Span) -> str | None:
    """A model name written just before a generic term that the gazetteer lacks: "Type 629G
    rangefinders", "MARS 2 rocket launchers", "PT-91 Twardy tanks" (not "232 tanks")."""
    doc, sent = span.doc, span.sent
    toks: list[Token] = []
    i = span.start - 1
    while i > sent.start:  # never the sentence's first word (capitalised anyway)
        t = doc[i]
        if t.ent_type_ in ("ACTOR", "DATE", "MONEY", "PERCENT") or actor_code(t):
            break
        text = t.text
        digit, alpha = re.search(r"\d", text), re.search(r"[A-Za-z]", text)
        if text == "-" and toks and not t.whitespace_:
            toks.insert(0, t)
        elif digit and alpha:
            toks.insert(0, t)
        elif digit and not alpha and re.fullmatch(r"[\d.]+", text) and i - 1 > sent.start and \
                doc[i - 1].text[:1].isupper() and doc[i - 1].lower_ not in _NOT_MODEL_WORDS \
                and doc[i - 1].ent_type_ != "ACTOR":
            toks.insert(0, t)  # "MARS 2", "Type 629": a number after a name belongs to it
        elif alpha and text[:1].isupper() and t.lower_ not in _NOT_MODEL_WORDS and t.pos_ in ("PROPN", "NOUN", "ADJ", "X"):
            toks.insert(0, t)
        else:
            break
        i -= 1
    while toks and toks[0].text == "-":
        toks.pop(0)
    if not toks or not any(t.pos_ == "PROPN" or re.search(r"\d", t.text) or (t.text.isupper() and len(t.text) > 1)
                           for t in toks):
        return None
    return doc[toks[0].i:toks[-1].i + 1].text


def surface_designation(model: Span, generic_words: frozenset[str] = frozenset()) -> str:
    """The model name as the text writes it, without generic words, plural or possessive ending."""
    toks = list(model)
    while len(toks) > 1 and (toks[-1].lower_ in generic_words or toks[-1].lemma_.lower() in generic_words):
        toks.pop()  # "F-16 fighter jets" -> "F-16"
    text = model.doc[toks[0].i:toks[-1].i + 1].text
    for suffix in ("'s", "’s", "s"):
        if text.endswith(suffix) and len(text) > len(suffix) + 1 and (text[-len(suffix) - 1].isdigit() or
                                                                      text[-len(suffix) - 1].isupper()):
            return text[: -len(suffix)]
    return text


_GENERIC_WORDS: dict[int, frozenset[str]] = {}


def _generic_words(gaz: Gazetteer) -> frozenset[str]:
    """Words of generic weapon terms ("fighter", "jets", "system"), to trim from model names."""
    key = id(gaz)
    if key not in _GENERIC_WORDS:
        words = {w for term in gaz.generic for w in term.split() if w.isalpha()}
        words |= {"system", "systems", "fighter", "fighters", "missile", "missiles", "tank", "tanks"}
        _GENERIC_WORDS[key] = frozenset(words)
    return _GENERIC_WORDS[key]


def _category(designation_cat: str | None, head_cat: str | None) -> str:
    if designation_cat and head_cat:
        if designation_cat in _LAUNCHER_KINDS and head_cat in _MUNITION_KINDS:
            return head_cat
        if head_cat == "technology":
            return head_cat
        return designation_cat
    return designation_cat or head_cat or "unspecified"


def _hyphen_chain_before(doc, end: int) -> list[Token]:
    """The word ending just before index `end`, with the parts hyphenated to it ("anti-tank")."""
    j = end - 1
    if j < 0 or not (doc[j].is_alpha or doc[j].like_num):
        return []
    toks = [doc[j]]
    while j > 0 and not doc[j - 1].whitespace_ and (doc[j - 1].is_alpha or doc[j - 1].text == "-" or doc[j - 1].like_num) \
            and len(toks) < 6:
        j -= 1
        toks.insert(0, doc[j])
    return toks


def _coordinated_modifiers(items: list[Item], spans: list[Span], gaz: Gazetteer) -> list[Item]:
    """ "anti-tank and anti-aircraft missiles", "ballistic and cruise missiles": a modifier
    coordinated before an item names an item of its own, with the same head noun.  A weapon word
    inside that modifier ("tank" in "anti-tank") is no item."""
    out = list(items)
    for span in spans:
        if span.label_ != "ARMS":
            continue
        doc = span.doc
        conj = span.start - 1
        if conj < 1 or doc[conj].lower_ not in ("and", "or", ","):
            continue
        mod = _hyphen_chain_before(doc, conj)
        if not mod:
            continue
        # the span's own first modifier: the tokens up to the first one followed by a space
        k = span.start
        while k < span.end - 1 and not doc[k].whitespace_:
            k += 1
        rest = doc[k + 1:span.end].text if k + 1 < span.end else ""
        if not rest:
            continue
        phrase = (doc[mod[0].i:mod[-1].i + 1].text + " " + rest).lower()
        category = gaz.generic.get(phrase)
        if category is None:
            continue
        mod_ids = {t.i for t in mod}
        out = [i for i in out if i.head.i not in mod_ids]
        if not any(i.category == category and i.head.i == _root(span).i for i in out):
            text = doc[mod[0].i:mod[-1].i + 1].text + " " + rest
            out.append(Item(category, None, text, _root(span), _quantity(_root(span))))
    return out


def _governs(a: Token, b: Token) -> bool:
    """`a` is an ancestor of `b` along non-coordination edges."""
    tok = b
    while tok.head.i != tok.i:
        if tok.dep_ == "conj":
            return False
        tok = tok.head
        if tok.i == a.i:
            return True
    return False


def find_items(root: Token, gaz: Gazetteer, blocked: set[int] = frozenset(),
               trigger_ids: set[int] = frozenset()) -> list[Item]:
    """Items named in the phrase headed by `root` (not crossing `blocked` tokens)."""
    doc = root.doc
    reach = _reachable(root, set(blocked))
    ents = entity_index(doc).overlapping(min(reach), max(reach) + 1)
    spans = [e for e in ents if e.label_ in _ARMS_LABELS and _root(e).i in reach]
    generic = [s for s in spans if s.label_ == "ARMS"]
    models = [s for s in spans if s.label_ == "WEAPON"]
    items: list[Item] = []
    used_models: set[int] = set()
    for span in generic:
        if _is_modifier_of_non_item(span, spans, trigger_ids) or _people(_root(span)):
            continue
        head = _root(span)
        designation, dcat = None, None
        for model in models:
            # the model name modifies this generic head ("Fateh-110 missiles")
            m_root = _root(model)
            if m_root.head.i == head.i or (span.start <= m_root.head.i < span.end) or \
                    model.end == span.start:
                weapon = gaz.weapon(model.ent_id_)
                designation, dcat = surface_designation(model, _generic_words(gaz)), \
                    weapon.category if weapon else None
                used_models.add(model.start)
                break
        if designation is None:
            designation = _unknown_designation(head, span) or _left_model_name(span)
        items.append(Item(_category(dcat, span.ent_id_), designation, span.text, head, _quantity(head)))
    for model in models:
        if model.start in used_models:
            continue
        weapon = gaz.weapon(model.ent_id_)
        if weapon is None:
            continue
        if gaz.is_weak_weapon_name(model.text):
            generic = gaz.generic.get(model.text.lower())
            if generic:  # "MLRS" is also a generic word
                items.append(Item(generic, _left_model_name(model), model.text, _root(model), _quantity(_root(model))))
            continue
        items.append(Item(weapon.category, surface_designation(model, _generic_words(gaz)), model.text, _root(model),
                          _quantity(_root(model))))
    items = _coordinated_modifiers(items, spans, gaz)
    # "spare parts for its naval fleet": components count as the platform they are for
    for item in items:
        if item.category == "unspecified" and item.head.lemma_.lower() in _COMPONENT_WORDS:
            for prep in (c for c in item.head.children if c.dep_ == "prep" and c.lower_ == "for"):
                for ent in entity_index(doc).overlapping(prep.left_edge.i, prep.right_edge.i + 1):
                    if ent.label_ in _ARMS_LABELS and _root(ent).i in {t.i for t in prep.subtree}:
                        weapon = gaz.weapon(ent.ent_id_) if ent.label_ == "WEAPON" else None
                        category = weapon.category if weapon else ent.ent_id_
                        if category in _PLATFORM_KINDS:
                            item.category = category
                            break
    # "weapons, including anti-tank missiles": drop the unspecified umbrella
    specific = [i for i in items if i.category != "unspecified"]
    kept = []
    for item in items:
        if item.category == "unspecified" and any(_governs(item.head, s.head) for s in specific):
            continue
        kept.append(item)
    return kept
