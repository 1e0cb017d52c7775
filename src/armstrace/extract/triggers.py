"""Transfer triggers and their argument frames, read off the dependency parse.

A frame names, for one trigger word, the phrases that hold the supplier, the recipient
and the items.  Verbs: active ("X supplied Y to Z"), passive ("Y was supplied to Z by X"),
ditransitive ("X sent Z Y", "X supplied Z with Y"), recipient-subject ("Z bought Y from
X"), controlled ("X is preparing to provide", "Z wants to purchase", "accused X of
supplying").  Nouns: "X's delivery of Y to Z", "the sale of Y to Z", "arms sales to Z".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Token

from .lexicon import Lexicon

_SUBJ = ("nsubj", "nsubjpass", "csubj")
_RECIPIENT_PREPS = {"to", "for", "into", "towards", "toward"}
_SOURCE_PREPS = {"from", "out"}
_OBJECT_CONTROL = {"ask", "urge", "tell", "warn", "advise", "instruct", "call", "allow", "permit", "force", "press", "call", "encourage", "push",
                   "persuade", "help", "order", "authorize", "authorise", "want", "need", "expect", "approach",
                   "invite", "request", "lobby", "pressure", "commission", "contract", "hire"}
_ACCUSE = {"accuse", "charge", "suspect", "blame", "implicate", "convict", "indict", "investigate", "arrest"}
_WANT_VERBS = {"want", "need", "seek", "request", "demand", "get", "receive", "obtain", "welcome", "expect",
               "await", "lack", "use", "accept"}
_MOVE_WORDS = {"travel", "head", "bind", "bound", "destine", "destined", "ship", "send", "move", "go", "sail", "fly",
               "drive", "transport", "carry", "smuggle", "route", "en", "cross", "bring"}
_PREVENT = {"stop", "prevent", "keep", "bar", "ban", "block", "prohibit", "deter", "discourage", "restrain",
            "dissuade", "forbid", "preclude", "exclude", "refrain"}
_AID_NOUNS = {"aid", "assistance", "support", "package", "help"}
_RELATIVE = {"which", "that", "who", "whose", "whom"}
_ASK_FOR = {"ask", "petition", "press", "beg", "approach", "lobby", "urge"}
_DEAL_NOUNS = {"trade", "deal", "contract", "agreement", "business"}
_AGREE_WITH_VERBS = {"agree", "sign", "negotiate", "contract", "conclude", "deal", "settle"}  # "agreed with X to buy"


@dataclass
class Frame:
    trigger: Token
    kind: str  # "give": subject supplies; "get": subject receives
    pos: str  # "verb" or "noun"
    rule: str
    suppliers: list[Token] = field(default_factory=list)
    recipients: list[Token] = field(default_factory=list)
    item_roots: list[Token] = field(default_factory=list)
    supplier_modifiers: list[Token] = field(default_factory=list)  # demonyms on items: "Russian S-400"
    governor: Token | None = None  # the verb governing a nominal trigger
    force_category: str | None = None
    halt_attempt: bool = False  # status read off "asked X to stop ...": set by `decide_status`
    sources: list[Token] = field(default_factory=list)  # "from X" of a give verb: "smuggled from Ecuador"
    context_supplier: bool = True  # False: the supplier must not be guessed from context
    appositive_recipient: Token | None = None  # "to the group, the FARC" with the apposition misparsed
    context_recipient: bool = True  # False: the recipient must not be guessed from context
    governor_subjects: list[Token] = field(default_factory=list)  # a noun's party read off its verb's subject
    party_patient: bool = False  # "Iran armed the Houthis": the object receives, the goods are unsaid
    buyer_for: list[Token] = field(default_factory=list)  # "X's purchase of Y for Z": Z receives, X supplies
    fixed_status: str | None = None  # a role noun ("its chief arms supplier") says how the trade stands
    with_party: bool = False  # "X signed a deal with Y": a deal's two parties, the text not saying who sells


def subjects(verb: Token) -> list[Token]:
    subj = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
    return subj or [c for c in verb.children if c.dep_ == "nsubjpass"]


def is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or (
        verb.tag_ == "VBN" and verb.dep_ in ("acl", "relcl") and not any(c.dep_ == "aux" for c in verb.children)
    ) or _reduced_passive(verb)


def _reduced_passive(verb: Token) -> bool:
    """Headline style "if missiles supplied to X": a participle with a subject and no auxiliary."""
    return verb.tag_ == "VBN" and any(c.dep_ == "nsubj" for c in verb.children) and not any(
        c.dep_ in ("aux", "auxpass") for c in verb.children)


def _pobjs(prep: Token) -> list[Token]:
    out = [c for c in prep.children if c.dep_ == "pobj"]
    # "to the rebels in X": keep only the first object
    return out


def prevented(tok: Token) -> bool:
    """The trigger is what someone stops another party from doing: "prevent X from getting arms"."""
    return tok.dep_ == "pcomp" and tok.head.lower_ == "from" and tok.head.head.lemma_.lower() in _PREVENT


def inherited_subject(tok: Token) -> list[Token]:
    """The understood subject of a non-finite or coordinated trigger verb."""
    cur = tok
    for _ in range(6):
        dep, head = cur.dep_, cur.head
        if head.i == cur.i:
            return []
        if dep == "xcomp":
            dobj = [c for c in head.children if c.dep_ in ("dobj", "dative")]
            if dobj and head.lemma_.lower() in _OBJECT_CONTROL:
                return dobj[:1]
            found = subjects(head)
            if found:
                return found
            cur = head
            continue
        if dep == "conj":
            if _is_finite(cur) and head.tag_ == "VB" and not _is_finite(head):
                # "is helping X build Y and is supplying Z": skip the bare infinitive
                anc = head
                while anc.head.i != anc.i and not _is_finite(anc):
                    anc = anc.head
                found = subjects(anc)
                if found:
                    return found
            found = subjects(head)
            if found:
                return found
            cur = head
            continue
        if dep == "pcomp" and head.dep_ == "prep":
            gov = head.head
            if gov.pos_ in ("NOUN", "PROPN") and head.lower_ != "of":
                return []  # "revenge for giving ...": nobody in particular
            if gov.pos_ in ("NOUN", "PROPN") and gov.dep_ == "dobj" and gov.head.lemma_.lower() in _ACCUSE:
                return [gov]  # "accuse X's network of smuggling"
            if head.lower_ == "from" and gov.pos_ == "VERB" and gov.lemma_.lower() in _PREVENT:
                obj = [c for c in gov.children if c.dep_ in ("dobj", "nsubjpass")]
                if obj:
                    return obj[:1]  # "stop X from delivering", "X was barred from selling"
            if head.lower_ == "for" and gov.pos_ == "VERB":
                # "sanctioned Turkey for acquiring", "imposed sanctions on Turkey for buying"
                target = _actor_in_objects(gov)
                if target is not None:
                    return [target]
            if gov.lemma_.lower() in _ACCUSE:
                obj = [c for c in gov.children if c.dep_ in ("dobj", "nsubjpass")]
                if obj:
                    return obj[:1]
            found = subjects(gov) if gov.pos_ in ("VERB", "AUX") else []
            if found:
                return found
            cur = gov
            continue
        if dep in ("dobj", "attr", "pobj", "nsubjpass") and cur.pos_ in ("NOUN", "PROPN"):
            # "considering the possibility of supplying": climb through the noun
            gov = head.head if dep == "pobj" else head
            if gov.pos_ in ("VERB", "AUX"):
                found = subjects(gov)
                if found and found[0].i != cur.i:
                    return found
            cur = gov
            continue
        if dep == "advcl":
            return subjects(head)
        if dep == "acomp":  # "the US is willing to provide ..."
            return subjects(head)
        if dep == "ccomp" and not subjects(cur) and head.lemma_.lower() in ("announce", "unveil", "reveal", "approve") \
                and cur.lemma_.lower() in ("plan", "intend"):
            return subjects(head)  # "X announced plans to purchase", "plans" misread as a verb
        if dep == "acl" and head.pos_ == "NOUN" and head.lemma_.lower() in _INTENT_NOUNS and cur.tag_ == "VB":
            # "announced plans to purchase", "its decision to buy": whoever has the plan acts
            owner = [c for c in head.children if c.dep_ == "poss"]
            if owner:
                return owner
            gov = head.head.head if head.dep_ == "pobj" else head.head
            if head.dep_ in ("dobj", "pobj", "nsubjpass", "attr") and gov.pos_ in ("VERB", "AUX"):
                found = subjects(gov) or inherited_subject(gov)
                if found:
                    return found
            return []
        if dep in ("relcl", "acl") and head.pos_ in ("NOUN", "PROPN", "PRON"):
            return [head]
        return []
    return []


_INTENT_NOUNS = {"plan", "decision", "intention", "bid", "effort", "attempt", "proposal", "offer", "agreement",
                 "deal", "contract", "commitment", "pledge", "promise", "move", "request", "desire", "readiness",
                 "willingness", "right", "option", "ability", "permission", "approval"}


_PARTY_WORDS = {"country", "nation", "government", "army", "military", "forces", "force", "navy", "rebels",
                "group", "guerrillas", "militia", "regime", "ally", "allies", "police"}


def _names_party(tok: Token) -> bool:
    """Whether a phrase names a state or group (not a purpose: "for naval exercises")."""
    return tok.lemma_.lower() in _PARTY_WORDS or tok.lower_ in _PARTY_WORDS or any(
        t.ent_type_ == "ACTOR" for t in tok.subtree)


def _is_finite(verb: Token) -> bool:
    return verb.tag_ in ("VBZ", "VBP", "VBD", "MD") or any(
        c.dep_ == "aux" and c.tag_ in ("VBZ", "VBP", "VBD", "MD") for c in verb.children)


def _actor_in_objects(verb: Token) -> Token | None:
    """The first actor named in a verb's object phrase (not as a modifier)."""
    for obj in (c for c in verb.children if c.dep_ in ("dobj", "dative")):
        for tok in obj.subtree:
            if tok.ent_type_ == "ACTOR" and tok.dep_ not in ("compound", "amod", "poss", "nmod"):
                return tok
    return None


def _split_objects(verb: Token, frame: Frame, has_with: bool) -> None:
    objs = [c for c in verb.children if c.dep_ in ("dobj", "dative", "iobj", "appos") and c.pos_ != "ADP"]
    if len(objs) >= 2:
        # "France to send 6 more howitzers to Ukraine: Macron": the speaker after a colon, not an object
        objs = objs[:1] + [o for o in objs[1:] if not any(t.text == ":" for t in verb.doc[objs[0].i:o.left_edge.i])]
    if has_with:  # "supply X with Y": objects are recipients unless they name weapons
        for obj in objs:
            (frame.item_roots if obj.ent_type_ in ("ARMS", "WEAPON") else frame.recipients).append(obj)
        return
    if len(objs) >= 2 and objs[0].ent_type_ in ("ARMS", "WEAPON") and objs[1].ent_type_ == "ACTOR" \
            and any(t.text == "," for t in verb.doc[objs[0].right_edge.i:objs[1].left_edge.i]):
        # "sold rifles to the rebel group, the FARC": the apposition of the recipient misparsed as an object
        frame.item_roots.append(objs[0])
        frame.appositive_recipient = objs[1]
        return
    if len(objs) >= 2 and frame.kind == "give":  # "send Russia drones"
        frame.recipients.append(objs[0])
        frame.item_roots.extend(objs[1:])
        return
    frame.item_roots.extend(objs)


# Verbs whose object may be the recipient itself, the goods left unsaid: "Iran armed the Houthis",
# "rebels supplied and trained by the United States"; training is military-technical help.
_PARTY_PATIENT = {"arm": "unspecified", "rearm": "unspecified", "equip": "unspecified", "supply": "unspecified",
                  "resupply": "unspecified", "train": "technology"}


_STOP_VERBS = {"stop", "prevent", "halt", "block", "curb", "combat", "fight", "counter", "intercept", "seize",
               "interdict", "detect", "track", "destroy", "defeat", "deter", "protect", "defend"}


def _stopped(tok: Token) -> bool:
    """ "help the country stop weapons from entering": the goods are what is fought, not given."""
    cur = tok
    for _ in range(6):
        if cur.head.i == cur.i:
            return False
        cur = cur.head
        if cur.pos_ == "VERB":
            return cur.lemma_.lower() in _STOP_VERBS
    return False


_PATIENT_PARTIES = _PARTY_WORDS | {"soldier", "soldiers", "troops", "recruit", "recruits", "pilot", "pilots",
                                    "fighter", "fighters", "militant", "militants", "insurgent", "insurgents",
                                    "guerrilla", "rebel", "militia", "militias", "officer", "officers", "personnel",
                                    "unit", "units", "brigade", "brigades", "battalion", "separatists", "cadets",
                                    "armies", "gangs", "cartels"}


def _party_patient(tok: Token, frame: Frame) -> None:
    category = _PARTY_PATIENT.get(tok.lemma_.lower())
    if category is None or frame.recipients or any(r.ent_type_ in ("ARMS", "WEAPON") for r in frame.item_roots):
        return
    # "trained and armed the Houthis", "armed and trained by Iran": coordinated verbs share their phrases
    verbs = [tok, *(c for c in tok.children if c.dep_ == "conj" and c.pos_ == "VERB")]
    if tok.dep_ == "conj" and tok.head.pos_ == "VERB":
        verbs.append(tok.head)
    patient = None
    for verb in verbs:
        patient = next((c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")), None)
        if patient is None and verb.tag_ == "VBN" and verb.dep_ in ("acl", "relcl"):
            patient = verb.head  # "rebels armed by Iran"
        if patient is None and verb.tag_ == "VBN" and verb.dep_ == "ROOT" and not any(
                c.dep_ == "aux" for c in verb.children):
            patient = next((c for c in verb.children if c.dep_ == "nsubj"), None)  # headline "forces supplied by X"
        if patient is not None:
            break
    if patient is not None and patient.lower_ in ("thousands", "hundreds", "dozens", "scores", "number", "group",
                                                   "batch", "team", "unit", "contingent"):
        of = [o for p in patient.children if p.dep_ == "prep" and p.lower_ == "of" for o in _pobjs(p)]
        patient = of[0] if of else patient  # "training thousands of Ukrainian recruits"
    if patient is None or patient.ent_type_ in ("ARMS", "WEAPON") or not (
            patient.ent_type_ == "ACTOR" or patient.lemma_.lower() in _PATIENT_PARTIES
            or patient.lower_ in _PATIENT_PARTIES):
        return  # "supply Ecuador's export market": goods for a market, not arms for a party
    if patient.lemma_.lower() in ("country", "nation") and not any(t.ent_type_ == "ACTOR" for t in patient.subtree):
        return
    suppliers = list(frame.suppliers)
    if is_passive(tok) or tok.tag_ == "VBN":
        suppliers = [o for verb in verbs for p in verb.children if p.dep_ == "agent" for o in _pobjs(p)] or [
            s for s in suppliers if s.i != patient.i]
        if not suppliers:
            return  # "fighters armed with rifles": what they carry, not who gave it
    frame.suppliers = [s for s in suppliers if s.i != patient.i]
    frame.recipients = [patient]
    frame.item_roots = [r for r in frame.item_roots if r.i != patient.i and not any(t.i == patient.i for t in r.subtree)]
    frame.force_category = category
    frame.party_patient = True
    frame.rule += "-party"


_PHRASE_EDGES = {"dobj", "conj", "prep", "pobj", "appos", "nmod", "compound", "amod", "cc", "dative", "npadvmod"}


def _used_by(participle: Token, frame: Frame) -> None:
    """ "Ukraine struck with newly supplied Harpoon missiles", "Ukraine's newly delivered HIMARS":
    whoever uses or owns goods that were supplied to them received them."""
    item = participle.head
    owner = [c for c in item.children if c.dep_ == "poss" and c.ent_type_ == "ACTOR"]
    if not owner and item.dep_ == "pobj" and item.head.lower_ == "with":
        verb = item.head.head
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
            verb = verb.head
        owner = [c for c in verb.children if c.dep_ == "nsubj" and c.ent_type_ == "ACTOR"]
    if owner:
        frame.item_roots.append(item)
        frame.recipients.append(owner[0])
        frame.context_supplier = False  # who supplied them is not said here
        frame.rule += "-used"


def _stray_recipient(verb: Token, party=None) -> list[Token]:
    """A "to <state>" the parser hung inside the object phrase: "sent 100 vehicles and a team of
    paratroopers to Lebanon", "provide ammunition alongside humanitarian assistance to Turkey"."""
    found = []
    stack = [c for c in verb.children if c.dep_ in ("dobj", "prep", "dative")]
    seen = 0
    while stack and seen < 40:
        tok = stack.pop()
        seen += 1
        if tok.dep_ == "prep" and tok.lower_ in ("to", "into") and tok.head.i != verb.i:
            objs = [o for o in _pobjs(tok) if o.ent_type_ == "ACTOR" or (party is not None and party(o))]
            found.extend(objs)
        stack.extend(c for c in tok.children if c.dep_ in _PHRASE_EDGES)
    return found[:1] if len(found) == 1 else []


def verb_frame(tok: Token, lex: Lexicon) -> Frame | None:
    lemma = tok.lemma_.lower()
    kind = "give" if lemma in lex.give_verbs else "get"
    frame = Frame(tok, kind, "verb", f"{kind}-verb")
    if kind == "give" and tok.dep_ == "amod" and tok.tag_ == "VBN" and tok.i >= 2 and tok.doc[tok.i - 1].text == "-":
        # "US-supplied missiles", "Iranian-supplied drones": the first part names the supplier
        first = tok.doc[tok.i - 2]
        if first.ent_type_ == "ACTOR":
            frame.rule = "give-participle-compound"
            frame.suppliers.append(first)
            frame.item_roots.append(tok.head)
            frame.context_supplier = frame.context_recipient = False
            return frame
    preps = [c for c in tok.children if c.dep_ in ("prep", "dative", "agent") or
             (c.dep_ == "prt" and c.lower_ in ("over", "out"))]
    # "hand over X to Y": prepositions hang off the particle sometimes
    preps += [g for c in tok.children if c.dep_ == "prt" for g in c.children if g.dep_ == "prep"]
    has_with = any(p.lower_ == "with" for p in preps) and lemma in lex.with_item_verbs
    passive = is_passive(tok)
    if passive:
        frame.rule += "-passive"
        if tok.dep_ in ("acl", "relcl") and not any(c.dep_ == "nsubjpass" for c in tok.children):
            frame.item_roots.append(tok.head)
        subj_deps = ("nsubjpass", "nsubj") if _reduced_passive(tok) else ("nsubjpass",)
        retained = [c for c in tok.children if c.dep_ == "dobj" and c.ent_type_ != "ACTOR"]
        if has_with or (retained and kind == "give"):
            # "Ukraine was supplied with tanks", "the rebels had been sent quantities of rockets"
            frame.recipients.extend(c for c in tok.children if c.dep_ in subj_deps)
        else:
            frame.item_roots.extend(c for c in tok.children if c.dep_ in subj_deps)
        for p in preps:
            if p.dep_ == "agent" or p.lower_ == "by":
                (frame.suppliers if kind == "give" else frame.recipients).extend(_pobjs(p))
        _split_objects(tok, frame, has_with=False)
    else:
        subj = subjects(tok)
        if subj and subj[0].lower_ in _RELATIVE and tok.dep_ == "relcl":
            subj = [tok.head]
        if not subj:
            subj = inherited_subject(tok)
            if subj:
                frame.rule += "-controlled"
        if not subj and tok.dep_ == "ROOT":  # headline parse: "Canada supply Ukraine with ..."
            subj = [c for c in tok.lefts if c.ent_type_ == "ACTOR" and c.dep_ in ("compound", "npadvmod", "nmod")]
        (frame.suppliers if kind == "give" else frame.recipients).extend(subj)
        _split_objects(tok, frame, has_with)
        if tok.dep_ == "acl" and tok.tag_ == "VBG" and not frame.suppliers and kind == "give":
            frame.suppliers.append(tok.head)  # "a plane carrying weapons to X"
    if kind == "give" and not frame.recipients and not passive:
        for root in frame.item_roots:
            first = next(iter(root.lefts), None)
            if first is not None and first.dep_ == "compound" and first.ent_type_ == "ACTOR" \
                    and first.pos_ == "PROPN" and first.i == root.left_edge.i:
                frame.recipients.append(first)  # "send Russia drones" parsed as one noun phrase
    for p in preps:
        word = p.lower_
        objs = _pobjs(p)
        if p.dep_ == "dative" and not objs:
            objs = [p]
        if word == "with" and has_with:
            frame.item_roots.extend(objs)
            frame.rule += "-with"
        elif word in _RECIPIENT_PREPS or p.dep_ == "dative":
            if kind == "give":
                frame.recipients.extend(objs)
            elif word == "for" and any(_names_party(o) for o in objs):  # "X bought helicopters for Y"
                frame.suppliers = frame.recipients + frame.suppliers
                frame.recipients = list(objs)
                frame.rule += "-for"
        elif word in _SOURCE_PREPS and kind == "get":
            frame.suppliers.extend(objs)
        elif word in _SOURCE_PREPS and kind == "give" and not frame.suppliers:
            frame.suppliers.extend(objs)
        elif word in _SOURCE_PREPS and kind == "give":
            frame.sources.extend(objs)
    if kind == "get" and not frame.suppliers and tok.dep_ in ("xcomp", "advcl") \
            and tok.head.lemma_.lower() in _AGREE_WITH_VERBS:
        # "Egypt agreed with Italy to buy frigates": the other party to the agreement sells
        for p in tok.head.children:
            if p.dep_ == "prep" and p.lower_ == "with":
                frame.suppliers.extend(o for o in _pobjs(p) if _names_party(o))
    # "supplied most of the equipment Armenia has bought": the buyer of a relative clause receives
    if kind == "give" and not frame.recipients:
        for root in frame.item_roots:
            for t in root.subtree:
                if t.dep_ == "relcl" and t.lemma_.lower() in lex.get_verbs and t.head.ent_type_ in ("ARMS", "WEAPON"):
                    frame.recipients.extend(c for c in t.children if c.dep_ == "nsubj" and c.lower_ not in _RELATIVE)
                elif t.dep_ == "appos" and t.ent_type_ == "ACTOR" and t.head.ent_type_ in ("ARMS", "WEAPON"):
                    # the same reduced relative misparsed: "equipment [appos: Armenia] has obtained"
                    nxt = t.doc[t.i + 1:t.i + 4]
                    verb = next((w for w in nxt if w.pos_ == "VERB"), None)
                    if verb is not None and verb.lemma_.lower() in lex.get_verbs and all(
                            w.pos_ == "AUX" for w in t.doc[t.i + 1:verb.i]):
                        frame.recipients.append(t)
        for t in tok.children:
            # the same misparsed as a coordination without "and": "supplied 94% of equipment Armenia has obtained"
            if t.dep_ == "conj" and t.lemma_.lower() in lex.get_verbs and not any(
                    c.dep_ in ("dobj", "cc") for c in t.children) and not any(c.dep_ == "cc" for c in tok.children):
                subj = [c for c in t.children if c.dep_ == "nsubj" and c.ent_type_ == "ACTOR"]
                if subj and subj[0].i > 0 and t.doc[subj[0].left_edge.i - 1].ent_type_ in ("ARMS", "WEAPON"):
                    frame.recipients.append(subj[0])
    # "smuggles explosives into the country from Ecuador" with "from" attached to "country"
    if kind == "give":
        for r in list(frame.recipients):
            for p in r.children:
                if p.dep_ == "prep" and p.lower_ == "from":
                    (frame.sources if frame.suppliers else frame.suppliers).extend(_pobjs(p))
    # "supplying weapons to UNITA" misparsed as an infinitive "to UNITA" (a name tagged as a verb)
    if kind == "give":
        for c in [*tok.children, *(g for r in frame.item_roots for g in r.children)]:
            if c.dep_ in ("xcomp", "advcl", "relcl", "acl") and c.ent_type_ == "ACTOR" and any(
                    a.dep_ == "aux" and a.lower_ == "to" for a in c.children):
                frame.recipients.append(c)
    # items' own prepositions: "sent weapons to X" parsed as "weapons to X"
    for root in list(frame.item_roots):
        for p in (c for t in [root, *root.conjuncts] for c in t.children):
            if p.dep_ == "prep" and p.lower_ in _RECIPIENT_PREPS and kind == "give":
                frame.recipients.extend(_pobjs(p))
            elif p.dep_ == "prep" and p.lower_ in _SOURCE_PREPS and kind == "get":
                frame.suppliers.extend(_pobjs(p))
            elif p.dep_ == "prep" and p.lower_ == "from" and kind == "give" and lemma in lex.give_verbs \
                    and lemma in ("smuggle", "traffic", "funnel", "channel", "divert", "run"):
                (frame.sources if frame.suppliers else frame.suppliers).extend(_pobjs(p))  # "smuggled arms from X"
            elif p.dep_ == "prep" and p.lower_ == "for" and kind == "get" and "-for" not in frame.rule \
                    and any(_names_party(o) for o in _pobjs(p)):
                frame.suppliers = frame.recipients + frame.suppliers
                frame.recipients = _pobjs(p)
                frame.rule += "-for"
    if frame.appositive_recipient is not None:
        frame.recipients = [frame.appositive_recipient]
    if kind == "give" and not frame.recipients and not frame.party_patient:
        frame.recipients.extend(_stray_recipient(tok))
    if kind == "give":
        for r in list(frame.recipients):
            # "transfer to Ukraine 3 MLRS M270 installations" parsed as one phrase after "to"
            actor = [c for c in r.children if c.dep_ in ("nmod", "compound") and c.ent_type_ == "ACTOR"]
            if actor and r.ent_type_ != "ACTOR" and any(t.ent_type_ in ("ARMS", "WEAPON") for t in r.subtree) \
                    and actor[0].i == r.left_edge.i:
                frame.recipients[frame.recipients.index(r)] = actor[0]
                frame.item_roots.append(r)
    if kind == "give" and tok.dep_ == "amod" and tok.tag_ == "VBN" and not frame.suppliers and not frame.recipients:
        _used_by(tok, frame)
    # "plans to deliver carriers to X, and 6 howitzers": an object coordinated with the verb itself
    for verb in ([tok, tok.head] if tok.dep_ == "xcomp" else [tok]):
        for c in verb.children:
            if c.dep_ == "conj" and c.i > tok.i and c.pos_ in ("NOUN", "PROPN") and c.ent_type_ in ("ARMS", "WEAPON") \
                    and not c.lower_.endswith("ing") \
                    and not any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children):
                frame.item_roots.append(c)
    _party_patient(tok, frame)
    if lemma in ("help", "assist", "aid"):
        frame.force_category = "technology"
        frame.rule = "help-verb"
        frame.recipients = [c for c in tok.children if c.dep_ == "dobj"]
        frame.item_roots = [t for c in tok.children if c.dep_ in ("xcomp", "ccomp", "prep", "advcl")
                            for t in c.subtree if t.dep_ in ("dobj", "pobj") and not _stopped(t)]
    return frame


def _policy_mention(tok: Token, lex: Lexicon) -> bool:
    """A transfer noun naming a policy, a field or another trade, not a transfer: "the EU arms exports
    code", "the embargo on arms sales to X", "the drug trade", "cocaine-trafficking"."""
    head = tok.head
    if tok.dep_ in ("compound", "amod", "nmod") and (head.lemma_.lower() in lex.policy_nouns
                                                      or head.lower_ in lex.policy_nouns):
        return True
    if tok.dep_ == "pobj" and head.lower_ in ("on", "against", "over") and (
            head.head.lemma_.lower() in lex.policy_nouns or head.head.lower_ in lex.policy_nouns):
        return True
    words = [c for c in tok.children if c.dep_ in ("compound", "amod", "nmod")]
    prev = tok.doc[tok.i - 2] if tok.i >= 2 and tok.doc[tok.i - 1].text == "-" else None
    if prev is not None:
        words.append(prev)  # "cocaine-trafficking" split at the hyphen
    if any(t.ent_type_ in ("ARMS", "WEAPON") for w in words for t in w.subtree):
        return False  # "a drugs-for-guns trade"
    return any(w.lemma_.lower() in lex.non_arms_goods or w.lower_ in lex.non_arms_goods for w in words)


_ARRIVE_VERBS = {"arrive", "reach", "land"}
_PART_NOUNS = {"part", "portion", "share", "rest", "remainder", "half", "bulk", "installment", "instalment",
               "tranche", "batch", "most", "some", "all", "first", "last"}
# Nouns a transfer noun may modify and that carry its phrases: "military aid program for Bosnia".
_FRAME_HEADS = {"program", "programme", "scheme", "effort", "mission", "budget", "funding", "bill", "plan",
                "initiative", "operation"}
_REASON_PREPS = {"over", "against", "amid", "despite", "after", "because", "following", "due", "owing"}


def _reason_prep(prep: Token) -> bool:
    """ "called for a strike due to the supply of MLRS", "protested over arms sales": whoever acts
    is reacting to the transfer, no party to it."""
    if prep.lower_ in _REASON_PREPS:
        return True
    before = prep.doc[prep.i - 1] if prep.i > 0 else None
    if prep.lower_ == "to" and before is not None and before.lower_ in ("due", "owing", "response", "reaction", "retaliation"):
        return True
    return prep.lower_ == "of" and before is not None and before.lower_ == "because"


def noun_frame(tok: Token, lex: Lexicon) -> Frame | None:
    lemma = tok.lemma_.lower()
    text = tok.lower_
    kind = "get" if (lemma in lex.get_nouns or text in lex.get_nouns) else "give"
    # a noun that is the object of a trigger verb is covered by the verb's frame
    head = tok.head
    if tok.dep_ in ("dobj", "nsubjpass") and lex.is_trigger_verb(head.lemma_.lower()) and head.pos_ == "VERB":
        return None
    if tok.dep_ in ("compound", "amod", "nmod") and lex.is_trigger_noun(head.lemma_.lower()):
        return None  # "military aid agreement": the head noun's frame covers it
    if _policy_mention(tok, lex):
        return None
    frame = Frame(tok, kind, "noun", f"{kind}-noun")
    frame.item_roots.append(tok)  # "military aid", "arms shipment": the trigger is inside the item
    for c in tok.children:
        dep, word = c.dep_, c.lower_
        if dep in ("compound", "amod", "nmod"):
            frame.item_roots.append(c)
            if c.ent_type_ == "ACTOR" and kind == "give" and c.pos_ == "PROPN" and lemma in _AID_NOUNS:
                frame.recipients.append(c)  # "Contra aid", "Ukraine aid package"
            else:
                frame.supplier_modifiers.append(c)
        elif dep == "poss":
            (frame.suppliers if kind == "give" else frame.recipients).append(c)
        elif dep == "prep":
            objs = _pobjs(c)
            if word == "of":
                frame.item_roots.extend(objs)
            elif word == "for" and lemma in _DEAL_NOUNS and objs and all(o.ent_type_ in ("ARMS", "WEAPON") for o in objs):
                frame.item_roots.extend(objs)  # "a deal with the U.S. for 64 F-35 jets"
            elif word in _RECIPIENT_PREPS:
                frame.recipients.extend(objs)
            elif word == "by" and kind == "get":
                frame.recipients.extend(objs)  # "the acquisition of arms by criminals": the buyer
            elif word in _SOURCE_PREPS or word == "by":
                frame.suppliers.extend(objs)
            elif word == "between" and objs:
                conj = [objs[0], *objs[0].conjuncts]
                frame.suppliers.append(conj[0])
                frame.recipients.extend(conj[1:2])
            elif word == "with" and kind == "give":
                frame.recipients.extend(objs)
                frame.with_party = frame.with_party or (lemma in _DEAL_NOUNS and bool(objs))
    if kind == "get":
        # "the purchase of air defence systems for Ukraine": bought for Z, Z receives
        for root in [tok, *frame.item_roots[1:]]:
            for p in (c for c in root.children if c.dep_ == "prep" and c.lower_ == "for"):
                objs = [o for o in _pobjs(p) if _names_party(o) and o.ent_type_ not in ("ARMS", "WEAPON")]
                if objs:
                    frame.buyer_for = objs
    # "the sale of rifles to X": the recipient hangs off the item
    for root in frame.item_roots[1:]:
        for p in (c for t in [root, *root.conjuncts] for c in t.children if c.dep_ == "prep"):
            if p.lower_ in _RECIPIENT_PREPS and kind == "give":
                # not "drugs-for-guns": goods are no recipient
                frame.recipients.extend(o for o in _pobjs(p) if o.ent_type_ not in ("ARMS", "WEAPON"))
            elif p.lower_ in _SOURCE_PREPS:
                frame.suppliers.extend(_pobjs(p))
    if kind == "give" and not frame.recipients:
        # "sales from X to Y" with "to Y" attached to X; "shipments intended for Y"
        for src in frame.suppliers:
            if src.dep_ == "pobj" and src.head.head.i == tok.i:
                for p in src.children:
                    if p.dep_ == "prep" and p.lower_ in ("to", "into"):
                        frame.recipients.extend(_pobjs(p))
        if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.pos_ == "NOUN":
            # "reports of arms sales from X to Y" with "to Y" attached to "reports"
            for p in tok.head.head.children:
                if p.dep_ == "prep" and p.lower_ in ("to", "into") and p.i > tok.i:
                    frame.recipients.extend(_pobjs(p))
        for root in frame.item_roots:
            for acl in (c for c in root.children if c.dep_ in ("acl", "amod", "relcl")
                        and (c.lemma_.lower() in lex.destined_words or c.lower_ in lex.destined_words)):
                for p in acl.children:
                    if p.dep_ == "prep" and p.lower_ in _RECIPIENT_PREPS:
                        frame.recipients.extend(_pobjs(p))
    if tok.dep_ == "compound" and head.pos_ == "NOUN" and head.lemma_.lower() in _FRAME_HEADS:
        # "a military aid program for Bosnia": the head noun's phrases and verb are the trigger's
        for p in head.children:
            if p.dep_ == "prep" and p.lower_ in ("to", "for") and kind == "give" and not frame.recipients:
                frame.recipients.extend(o for o in _pobjs(p) if _names_party(o))
            elif p.dep_ == "poss" and not frame.suppliers:
                (frame.suppliers if kind == "give" else frame.recipients).append(p)
        tok, head = head, head.head
    # the verb governing the noun: "the US approved the sale", "Germany announced delivery"
    gov = None
    if tok.dep_ in ("dobj", "nsubjpass", "nsubj", "attr", "xcomp", "oprd"):
        gov = head
    elif tok.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "NOUN") \
            and not (_reason_prep(head) and head.head.pos_ == "VERB"):
        gov = head.head
    elif tok.dep_ in ("conj", "appos"):
        base = tok
        while base.dep_ in ("conj", "appos") and base.head.i != base.i:
            base = base.head  # "called for not only X but more military aid to Y"
        if base.dep_ in ("dobj", "nsubjpass"):
            gov = base.head
        elif base.dep_ == "pobj" and base.head.dep_ == "prep" and base.head.head.pos_ == "VERB":
            gov = base.head.head
        else:
            gov = None
    if gov is not None and gov.pos_ == "NOUN" and gov.lemma_.lower() in _PART_NOUNS and tok.dep_ == "pobj" \
            and head.lower_ == "of" and gov.dep_ in ("dobj", "nsubjpass", "nsubj") and gov.head.pos_ in ("VERB", "AUX"):
        tok, gov = gov, gov.head  # "suspended part of the aid", "the rest of the shipment arrived"
        head = gov
    frame.governor = gov
    if tok.dep_ == "pobj" and head.dep_ == "prep" and _reason_prep(head) and head.head.pos_ in ("VERB", "AUX", "ADJ"):
        frame.context_supplier = False  # the one who protests "over the sale" does not sell (a "scandal over" may)
    if kind == "give" and not frame.recipients:
        # "90 tons of military aid from the U.S. arrived in Ukraine": where a shipment arrives
        subj = tok
        while subj.dep_ == "pobj" and subj.head.lower_ == "of" and subj.head.head.pos_ in ("NOUN", "NUM"):
            subj = subj.head.head
        verb = subj.head
        if subj.dep_ == "nsubj" and verb.lemma_.lower() in _ARRIVE_VERBS:
            for c in verb.children:
                if c.dep_ == "prep" and c.lower_ in ("in", "at", "to"):
                    frame.recipients.extend(_pobjs(c))
                elif c.dep_ == "dobj" and verb.lemma_.lower() == "reach":
                    frame.recipients.append(c)
    if gov is not None and gov.lemma_.lower() in lex.interdict_verbs:
        frame.context_supplier = False  # "Israel bombed arms shipments": the attacker is no party
    elif gov is not None and any(c.dep_ == "expl" for c in gov.children):
        pass  # "there is an ample supply of X": existence, no agent
    elif gov is not None and gov.pos_ in ("VERB", "AUX") and tok.dep_ != "nsubj":
        subj = [t for t in (subjects(gov) or inherited_subject(gov)) if t.i != tok.i]
        if subj and subj[0].lower_ in _RELATIVE and gov.dep_ == "relcl":
            subj = [gov.head]
        asked = [c for c in gov.children if c.dep_ == "dobj" and c.i < tok.i]
        if subj and kind == "give" and gov.lemma_.lower() in _ASK_FOR and tok.dep_ == "pobj" \
                and tok.head.lower_ == "for" and asked:
            # "Angola asked Portugal for military aid": the asker receives, the asked supplies
            frame.recipients.extend(subj)
            frame.suppliers.extend(asked)
        elif subj:
            wants = gov.lemma_.lower() in _WANT_VERBS
            (frame.suppliers if (kind == "give") != wants else frame.recipients).extend(subj)
            frame.governor_subjects = list(subj)
        for p in gov.children:
            if p.dep_ == "prep" and p.lower_ == "for" and lemma in _DEAL_NOUNS and _pobjs(p) and all(
                    o.ent_type_ in ("ARMS", "WEAPON") for o in _pobjs(p)):
                frame.item_roots.extend(_pobjs(p))  # "signed a contract with X for K2 tanks"
            elif p.dep_ in ("prep", "dative") and p.lower_ in _RECIPIENT_PREPS and kind == "give" and p.i > tok.i:
                frame.recipients.extend(_pobjs(p))
            elif p.dep_ == "prep" and p.lower_ == "from" and kind == "give" and p.i > tok.i and \
                    gov.lemma_.lower() in lex.status_verbs and lex.status_verbs[gov.lemma_.lower()] == "halted":
                # "to block arms shipments to Hezbollah from Iran": the blocker stops, the source sends
                gov_subj = {t.i for t in frame.governor_subjects}
                frame.suppliers = [t for t in frame.suppliers if t.i not in gov_subj] + _pobjs(p)
            elif p.dep_ == "prep" and p.lower_ == "with" and kind == "give" and lemma in _DEAL_NOUNS \
                    and p.i > tok.i and not frame.recipients:
                frame.recipients.extend(_pobjs(p))  # "carried out an arms trade with the rebels"
                frame.with_party = bool(_pobjs(p))
    if kind == "give" and not frame.recipients:
        # "shipments of weapons, including missiles, to the guerrillas" with "to" hung on "including"
        frame.recipients.extend(r for r in _stray_recipient(tok, _names_party) if r.ent_type_ not in ("ARMS", "WEAPON"))
    if kind == "give" and lemma in ("help", "assistance", "aid", "support") and tok.dep_ == "pobj" \
            and tok.head.lower_ == "with" and frame.suppliers and gov is not None:
        # "Iran is building a missile with technological help from China": the builder receives
        builder = [c for c in gov.children if c.dep_ == "nsubj"]
        frame.suppliers = [t for t in frame.suppliers if t.i not in {b.i for b in builder}]
        if builder and not frame.recipients:
            frame.recipients.extend(builder)
    if frame.buyer_for:
        frame.suppliers = [t for t in frame.suppliers + frame.recipients if t.i not in {o.i for o in frame.buyer_for}]
        frame.recipients = list(frame.buyer_for)
        frame.rule += "-for"
    return frame


def seize_frame(tok: Token) -> Frame | None:
    """ "arms seized aboard trucks travelling from X to Y": a shipment stopped on its way."""
    frame = Frame(tok, "give", "verb", "seized-shipment")
    if tok.dep_ in ("acl", "relcl"):
        frame.item_roots.append(tok.head)
    frame.item_roots.extend(c for c in tok.children if c.dep_ in ("dobj", "nsubjpass"))
    region = {t.i for t in tok.subtree} | {t.i for r in frame.item_roots for t in r.subtree}
    for i in sorted(region):
        t = tok.doc[i]
        if t.dep_ != "prep":
            continue
        if t.lower_ == "from":
            frame.suppliers.extend(_pobjs(t))
        elif t.lower_ in ("to", "for", "into") and (t.head.lemma_.lower() in _MOVE_WORDS or t.head.i == tok.i
                                                    or t.head in frame.item_roots):
            frame.recipients.extend(_pobjs(t))
    return frame if frame.suppliers and frame.recipients else None


def _headline_verb(tok: Token, lex: Lexicon) -> bool:
    """A trigger verb tagged as a noun between two parties: headline "Canada supply Ukraine with ..."."""
    if tok.dep_ != "ROOT" or not lex.is_trigger_verb(tok.lemma_.lower()) or tok.i == 0 or tok.i + 1 >= len(tok.doc):
        return False
    before, after = tok.doc[tok.i - 1], tok.doc[tok.i + 1]
    return before.ent_type_ == "ACTOR" and before.head.i == tok.i and after.ent_type_ == "ACTOR" \
        and after.head.i == tok.i


_SUPPLIER_ROLES = {"supplier", "exporter", "provider", "seller", "vendor", "source"}
_BUYER_ROLES = {"buyer", "customer", "client", "importer", "purchaser", "recipient"}


def role_frame(tok: Token) -> Frame | None:
    """ "the Soviet Union, its chief arms supplier", "Russia is India's largest arms supplier",
    "Saudi Arabia is the biggest buyer of British arms": a trade relation named by a role noun."""
    lemma = tok.lemma_.lower()
    kind = "give" if lemma in _SUPPLIER_ROLES else "get"
    goods = [c for c in tok.children if c.dep_ in ("compound", "amod") and c.ent_type_ in ("ARMS", "WEAPON")]
    goods += [o for p in tok.children if p.dep_ == "prep" and p.lower_ == "of" for o in _pobjs(p)
              if o.ent_type_ in ("ARMS", "WEAPON")]
    if not goods:
        return None  # "a supplier of oil", "Boeing's biggest customer"
    described = None
    status = "ongoing"
    if tok.dep_ == "appos":
        described = tok.head
        if described.ent_type_ != "ACTOR":  # the apposition hung on the wrong noun: take the name before it
            before = [t for t in tok.doc[tok.sent.start:tok.i] if t.ent_type_ == "ACTOR" and t.dep_ != "compound"]
            described = before[-1] if before else None
    elif tok.dep_ == "attr" and tok.head.lemma_ == "be":
        subj = [c for c in tok.head.children if c.dep_ == "nsubj"]
        described = subj[0] if subj else None
        if tok.head.tag_ == "VBD":
            status = "delivered"
    if described is None:
        return None
    frame = Frame(tok, kind, "noun", f"role-{kind}")
    frame.item_roots.extend(goods)
    counterpart = [c for c in tok.children if c.dep_ == "poss"]
    counterpart += [o for p in tok.children if p.dep_ == "prep" and p.lower_ in (("to",) if kind == "give" else ("from",))
                    for o in _pobjs(p)]
    if kind == "give":
        frame.suppliers, frame.recipients = [described], counterpart
    else:
        frame.recipients, frame.suppliers = [described], counterpart
    frame.fixed_status = status
    return frame


def find_frames(sent, lex: Lexicon, check: Callable[[], None] | None = None) -> list[Frame]:
    """The trigger frames of a sentence. `check` is called before each token (it may raise to
    stop): one frame costs work in the sentence's length, so a sentence of 100,000 words takes
    time in the square of it (`ExtractionLimit` stops it)."""
    frames = []
    for tok in sent:
        if check is not None:
            check()
        lemma = tok.lemma_.lower()
        if tok.pos_ == "NOUN" and (lemma in _SUPPLIER_ROLES or lemma in _BUYER_ROLES):
            frame = role_frame(tok)
            if frame is not None:
                frames.append(frame)
            continue
        if tok.pos_ == "VERB" and lemma in lex.halt_verbs:
            frame = seize_frame(tok)
        elif tok.pos_ in ("VERB",) and lex.is_trigger_verb(lemma):
            frame = verb_frame(tok, lex)
        elif tok.pos_ in ("NOUN", "PROPN") and _headline_verb(tok, lex):
            frame = verb_frame(tok, lex)  # "Canada supply Ukraine with ..." parsed as a noun phrase
        elif tok.pos_ in ("NOUN", "PROPN") and (lex.is_trigger_noun(lemma) or lex.is_trigger_noun(tok.lower_)):
            frame = noun_frame(tok, lex)
        elif tok.pos_ in ("NOUN", "PROPN", "ADJ") and lex.is_trigger_verb(lemma) and tok.dep_ == "ROOT":
            frame = verb_frame(tok, lex)  # headline verbs mis-tagged as nouns
        else:
            frame = None
        if frame is not None:
            frames.append(frame)
    return frames
