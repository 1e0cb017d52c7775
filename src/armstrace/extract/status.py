"""The status of a transfer from modality, tense, aspect and negation around its trigger.

The trigger and the verbs governing it are read innermost first; the first cue wins:
a modal ("will" planned, "could" considered), a governing verb ("prepare to" planned,
"want to" sought, "refuse to" halted, "deny" denied, "display ... to" offered), a
conditional ("if"), negation; else tense and aspect ("has transferred" delivered, "is
supplying" ongoing, a headline's simple present delivered).
"""

from __future__ import annotations

from spacy.tokens import Token

from .lexicon import Lexicon
from .triggers import Frame

_CHAIN_DEPS = {"xcomp", "pcomp", "prep", "dobj", "pobj", "advcl", "acl", "conj", "nsubjpass", "ccomp",
               "nsubj", "attr", "oprd", "compound", "appos", "relcl"}
_ACCUSE = {"accuse", "charge", "allege", "implicate", "blame", "convict", "suspect"}
_OWN_STATUS = {"offer": "offered", "display": "offered", "show": "offered", "showcase": "offered",
               "market": "offered", "pitch": "offered", "propose": "offered", "pledge": "planned",
               "order": "agreed", "seek": "sought", "request": "sought",
               "deal": "agreed", "contract": "agreed", "agreement": "agreed", "purchase": None}
_DENY = {"deny", "dismiss", "reject", "refute", "rebuff"}
_REPORT_VERBS = {"report", "say", "reveal", "disclose", "confirm", "document", "describe", "detail", "expose",
                 "acknowledge", "admit", "note", "mention", "cite", "list", "record"}
_READY = {"ready", "willing", "prepared", "set", "poised", "able", "due", "likely", "expected", "about"}


# Acquisitions the buyer decides on: a buyer's plan to make one is a wish the supplier has not met
# ("Honduras announced plans to purchase aircraft" is sought; "Ukraine will receive" stays planned).
_VOLITIONAL_GET = {"buy", "purchase", "acquire", "procure", "order", "obtain", "import", "lease", "buying",
                   "purchasing", "acquisition", "procurement"}


def _buyers_plan(status: str, frame: Frame) -> str:
    if status == "planned" and frame.kind == "get" and frame.trigger.lemma_.lower() in _VOLITIONAL_GET \
            and "-for" not in frame.rule:  # "buy NASAMS for Ukraine": the buyer supplies
        return "sought"
    return status


def _modal(tok: Token, lex: Lexicon) -> str | None:
    for c in tok.children:
        if c.dep_ == "aux" and c.lower_ in lex.modal_status:
            return lex.modal_status[c.lower_]
        if c.dep_ == "aux" and c.lower_ == "going":
            return "planned"
    return None


def _negated(tok: Token) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


def _conditional(tok: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in tok.children)


def _own_tense(verb: Token) -> bool:
    """A finite verb with its own tense: "sends", "sent", "has sent" (not "send", "sending")."""
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    return verb.tag_ in ("VBZ", "VBP", "VBD") or any(
        c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBZ", "VBP", "VBD", "MD") for c in verb.children)


# Heads under which a "to stop/cut/block ..." is only asked for or tried, not done.
_ATTEMPT_HEADS = {"ask", "urge", "call", "press", "demand", "want", "try", "seek", "attempt", "fail", "aim",
                  "hope", "need", "push", "work", "lobby", "pressure", "plead", "appeal", "tell", "exercise",
                  "use", "struggle", "strive", "vow", "threaten", "propose", "suggest", "recommend"}


def _halt_attempt(verb: Token) -> bool:
    """A halting verb that is only asked for or attempted: "urged X to stop", "a way to cut", "failed to stop"."""
    while verb.dep_ == "conj" and verb.head.i != verb.i:  # "asked X to curb ... and stop ..."
        verb = verb.head
    if verb.tag_ != "VB" or not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return False
    head = verb.head
    if head.i == verb.i:
        return False
    if head.pos_ in ("NOUN", "PROPN"):
        return True  # "efforts to stop", "a way to cut", "a bid to block"
    if verb.dep_ == "advcl":
        return True  # "deployed along the border to block shipments": the aim of another act
    return head.lemma_.lower() in _ATTEMPT_HEADS


def chain(trigger: Token, limit: int = 6) -> list[Token]:
    """The trigger and the words governing it, up to the next reporting boundary."""
    out = [trigger]
    cur = trigger
    for _ in range(limit):
        if cur.head.i == cur.i or cur.dep_ not in _CHAIN_DEPS:
            break
        if cur.dep_ == "ccomp" and len(out) > 1:
            break
        if cur.dep_ in ("conj", "advcl") and _own_tense(cur):
            break  # "... while it promotes X and brings weapons": a finite clause keeps its own status
        cur = cur.head
        out.append(cur)
        if cur.dep_ == "ccomp":
            if cur.head.lemma_.lower() in _DENY:  # "denied that it had sold"; not "said", "showed"
                out.append(cur.head)
            break
    return out


def _tense_status(verb: Token, headline: bool) -> str:
    aux = {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    tag = verb.tag_
    if aux & {"has", "have", "had", "'s", "'ve"} or tag == "VBD":
        return "delivered"
    if tag == "VBN":
        if not headline and aux & {"is", "are", "am"} and not aux & {"been", "being"}:
            return "ongoing"  # "the rebels are armed by Iran", "most of its rifles are supplied by X"
        return "delivered"
    if tag == "VBG" and verb.dep_ == "pcomp" and verb.head.lower_ in ("in", "with") and \
            verb.head.head.lemma_.lower() in ("involve", "engage", "involved", "engaged", "busy"):
        # "the ring is involved in selling arms": the tense of "is involved"
        gov = verb.head.head
        gov_aux = {c.lower_ for c in gov.children if c.dep_ in ("aux", "auxpass")}
        if gov.dep_ in ("acl", "acomp") and gov.head.lemma_ == "be":
            gov_aux |= {gov.head.lower_}
        if gov_aux & {"is", "are", "'s", "'re", "am"}:
            return "ongoing"
        return "delivered"
    if tag == "VBG":
        if aux & {"was", "were"}:
            return "delivered"
        if aux or (headline and (verb.dep_ in ("ROOT", "ccomp", "conj", "parataxis", "xcomp") or (
                verb.dep_ == "acl" and verb.head.dep_ == "ROOT" and verb.head.i < verb.i))):
            return "ongoing"  # "is supplying"; headline "USA supplying Ukraine with ...", "UK says supplying"
        return "delivered"  # a gerund names a past event: "for acquiring", "a mission of delivering"
    if tag in ("VBZ", "VBP"):
        return "delivered" if headline else "ongoing"
    if tag == "VB" and "to" in aux and headline and verb.dep_ == "ROOT":
        return "planned"  # "Spain to send tanks"
    if tag == "VB" and any(c.lower_ in ("did", "do", "does") for c in verb.children):
        return "delivered"
    return "delivered" if not headline else "delivered"


def decide_status(frame: Frame, lex: Lexicon, headline: bool) -> str | None:
    """The status, or None when the transfer is negated without a halting or denying cue."""
    trigger = frame.trigger
    if frame.rule == "seized-shipment":
        return "halted"
    if frame.fixed_status:
        return frame.fixed_status
    toks = chain(trigger)
    for depth, tok in enumerate(toks):
        word = tok.lemma_.lower()
        if depth == 0:
            own = _OWN_STATUS.get(word)
            if own == "agreed":
                for gov in toks[1:]:  # "suspended the arms deal", "cancelled an order"
                    if gov.pos_ == "VERB" and lex.status_verbs.get(gov.lemma_.lower()) in ("halted", "denied"):
                        return lex.status_verbs[gov.lemma_.lower()]
                for gov in toks[1:4]:  # "set to sign a deal", "will sign a contract": not signed yet
                    if _modal(gov, lex) == "planned" or (gov.lemma_.lower() in _READY and gov.pos_ in ("ADJ", "VERB")
                                                         and any(c.dep_ == "xcomp" for c in gov.children)) \
                            or (gov.pos_ == "VERB" and lex.status_verbs.get(gov.lemma_.lower()) == "planned"):
                        return "planned"
            if own:
                return own
            if frame.pos == "noun" and any(t.lower_ == "no" and t.dep_ in ("det", "advmod") and t.i < tok.i
                                           for t in tok.subtree) \
                    and not any(_negated(t) for t in toks[1:]):
                return "halted"  # "there will be no more transfers to X"
            if frame.pos == "noun":
                for c in tok.children:  # "the proposed sale", "accelerating delivery", "suspended aid"
                    if c.dep_ in ("amod", "compound") and c.i < tok.i and c.pos_ == "VERB" \
                            and c.tag_ in ("VBG", "VBN") and c.lemma_.lower() in lex.status_verbs:
                        return lex.status_verbs[c.lemma_.lower()]
        if any(c.dep_ == "mark" and c.lower_ == "whether" for c in tok.children):
            return None  # a question, not a claim
        mod = _modal(tok, lex)
        if mod:
            if _negated(tok):
                return "halted" if mod == "planned" else "considered"  # "will not send": refused
            return mod
        if depth > 0:
            if tok.pos_ == "VERB" and (word == "advocate" or word == "call" and depth >= 2 and toks[depth - 1].lower_ == "for"
                                         and all(t.dep_ == "conj" for t in toks[:depth - 2])):
                # "X called for more military aid to Y": only urged, unless the recipient asks
                callers = {c.i for c in tok.children if c.dep_ == "nsubj"}
                return "sought" if callers & {t.i for t in frame.recipients} else "considered"
            if tok.pos_ in ("VERB", "AUX", "ADJ") and word in _ACCUSE:
                return "delivered"
            if tok.pos_ == "VERB" and word in _REPORT_VERBS and toks[depth - 1].dep_ in ("dobj", "ccomp"):
                break  # "asked the council to report Nicaraguan shipments": what governs the report is not the transfer's
            if tok.pos_ in ("VERB",) and word in lex.status_verbs:
                status = lex.status_verbs[word]
                if status == "offered" and frame.kind == "get":
                    status = "sought"
                if _negated(tok) and status not in ("halted", "denied"):
                    return "halted" if status in ("planned", "agreed") else None
                if status == "halted" and _halt_attempt(tok):
                    # "asked France to stop selling arms": the flow goes on; with no supplier
                    # named ("a way to cut arms supplies") there is no claim (see the pipeline)
                    frame.halt_attempt = True
                    return "ongoing"
                return _buyers_plan(status, frame)
            if tok.pos_ in ("NOUN", "PROPN") and word in lex.noun_status:
                return _buyers_plan(lex.noun_status[word], frame)
            if word in ("include", "involve", "comprise") and tok.pos_ == "VERB":
                # "other ideas under consideration include sending ...": the options decide
                subj = [c for c in tok.children if c.dep_ == "nsubj" and c.pos_ == "NOUN"]
                if subj and subj[0].lemma_.lower() in lex.noun_status:
                    return _buyers_plan(lex.noun_status[subj[0].lemma_.lower()], frame)
            if word == "be" and toks[depth - 1].dep_ in ("advcl", "xcomp", "ccomp"):
                # "plans are underway to transfer", "the idea is to sell": the subject noun decides
                subj = [c for c in tok.children if c.dep_ == "nsubj" and c.pos_ == "NOUN"]
                if subj and subj[0].lemma_.lower() in lex.noun_status:
                    return _buyers_plan(lex.noun_status[subj[0].lemma_.lower()], frame)
            if tok.pos_ == "ADJ" and word in _READY:
                return "planned"
            if tok.pos_ == "ADJ" and word in lex.desire_adjectives:
                # "Athens was interested in buying Rafales": the buyer wants them
                return "sought" if frame.kind == "get" else "offered"
        if _conditional(tok) or (depth > 0 and tok.lower_ in ("if", "unless")):
            return "considered"  # "if missiles are supplied"; "if" misparsed as a preposition
        if _negated(tok):
            return "halted"  # "did not deliver", "do not see room for sending": refused or stopped
        if depth == 0 and frame.pos == "noun" and (word in lex.noun_status):
            return lex.noun_status[word]
    # tense of the trigger, or for a noun of its governing verb
    verb = trigger
    if frame.pos == "noun" and trigger.lemma_.lower() in ("purchase", "procurement"):
        return "agreed"  # "X's purchase of Y": a deal; delivery is not reported
    if frame.pos == "noun":
        gov = frame.governor
        if gov is None or gov.pos_ not in ("VERB", "AUX"):
            return "delivered"
        verb = gov
    for tok in chain(verb):
        if tok.pos_ in ("VERB", "AUX") and tok.tag_ != "VB" or any(c.dep_ == "aux" for c in tok.children):
            verb = tok
            break
    return _tense_status(verb, headline)
