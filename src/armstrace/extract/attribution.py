"""Who a claim is attributed to: reporting verbs, "according to", reporting nouns.

"U.S. officials believe that Iran is preparing ..., The Wall Street Journal reported"
gives ["U.S. officials", "The Wall Street Journal"]; "it has been reported" gives
["report"]; a plain assertion gives [].
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from .lexicon import Lexicon

_SKIP_SUBTREE_DEPS = {"relcl", "acl", "advcl", "punct", "cc", "conj", "prep"}
_REPORT_ADJECTIVES = {"concerned", "worried", "convinced", "confident", "sure", "aware", "afraid", "alarmed"}
_PRONOUNS = {"it", "he", "she", "they", "we", "i", "you", "this", "that", "who", "which"}


def phrase_text(head: Token) -> str:
    """The text of a noun phrase without relative clauses, leading determiners or trailing punctuation."""
    keep = [head]
    stack = [head]
    while stack:
        tok = stack.pop()
        for child in tok.children:
            if child.dep_ in _SKIP_SUBTREE_DEPS and not (child.dep_ == "prep" and child.lower_ == "of"
                                                         and child.i > head.i and tok.i == head.i):
                continue
            keep.append(child)
            stack.append(child)
    keep.sort(key=lambda t: t.i)
    while keep and (keep[0].dep_ in ("det", "predet") and keep[0].lower_ in ("the", "a", "an", "this", "that")
                    or keep[0].is_punct):
        keep.pop(0)
    while keep and keep[-1].is_punct:
        keep.pop()
    if not keep:
        return head.text
    # contiguous span only
    start, end = keep[0].i, keep[-1].i + 1
    return head.doc[start:end].text


def _source_of(verb: Token) -> str | None:
    for c in verb.children:
        if c.dep_ in ("nsubj", "csubj"):
            if c.lower_ in _PRONOUNS and c.lower_ != "it":
                return c.text if c.lower_ in ("they",) else None
            if c.lower_ == "it":
                return None
            return phrase_text(c)
    for c in verb.children:
        if c.dep_ == "agent":
            for p in c.children:
                if p.dep_ == "pobj":
                    return phrase_text(p)
    if any(c.dep_ == "nsubjpass" and c.lower_ == "it" for c in verb.children) or any(
            c.dep_ == "auxpass" for c in verb.children) and verb.lemma_.lower() in ("report", "say", "claim", "allege"):
        return "report"
    return None


def _is_reporting(tok: Token, lex: Lexicon) -> bool:
    if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in lex.attribution_verbs:
        return True
    if tok.lemma_ == "be" and any(c.dep_ == "acomp" and c.lower_ in _REPORT_ADJECTIVES for c in tok.children):
        return True
    return False


def attribute(trigger: Token, sent: Span, lex: Lexicon, exclude: set[int] = frozenset()) -> list[str]:
    """Sources for the claim read at `trigger`, outermost first."""
    sources: list[tuple[int, str]] = []
    # reporting verbs governing the trigger
    tok = trigger
    while tok.head.i != tok.i:
        tok = tok.head
        if _is_reporting(tok, lex):
            src = _source_of(tok)
            if src:
                sources.append((tok.i, src))
        elif tok.pos_ == "NOUN" and tok.lower_ in lex.attribution_nouns:
            sources.append((tok.i, phrase_text(tok)))
    # reporting verbs elsewhere at the top of the sentence ("..., the Journal reported")
    trigger_subtree = {t.i for t in trigger.subtree}
    for tok in sent:
        if tok.i in trigger_subtree or tok.i in exclude or any(i == tok.i for i, _ in sources):
            continue
        if _is_reporting(tok, lex) and tok.dep_ in ("ROOT", "ccomp", "parataxis", "conj", "advcl") and \
                tok.lemma_.lower() not in ("deny", "show", "find", "concern", "point", "comment", "criticize",
                                           "criticise", "condemn", "complain", "blame"):
            src = _source_of(tok)
            if src:
                sources.append((tok.i, src))
    # "according to X"
    for tok in sent:
        if tok.lower_ == "according" and tok.i + 1 < sent.end and tok.nbor(1).lower_ == "to":
            prep = tok.nbor(1)
            objs = [c for c in prep.children if c.dep_ == "pobj"] or [
                c for c in tok.children if c.dep_ == "pobj"]
            if not objs:
                objs = [c for c in tok.nbor(1).subtree if c.dep_ == "pobj"][:1]
            for obj in objs:
                sources.append((tok.i, phrase_text(obj)))
    # headline style "White House: Iran preparing to ..." / "... to Ukraine: Putin"
    words = [t for t in sent if not t.is_space]
    colons = [t for t in words if t.text == ":"]
    if colons and not sources:
        colon = colons[0]
        lead = [t for t in words if t.i < colon.i]
        tail = [t for t in words if t.i > colons[-1].i]
        if 0 < len(lead) <= 5 and all(t.pos_ in ("PROPN", "NOUN", "ADJ", "DET", "PART", "PUNCT") for t in lead):
            sources.append((lead[0].i, sent.doc[lead[0].i:colon.i].text))
        elif 0 < len(tail) <= 4 and all(t.pos_ in ("PROPN", "PUNCT") for t in tail):
            sources.append((tail[0].i, sent.doc[tail[0].i:tail[-1].i + 1].text.strip(" .")))
    out: list[str] = []
    for _i, src in sorted(sources, key=lambda pair: pair[0]):
        if src and src not in out:
            out.append(src)
    return out
