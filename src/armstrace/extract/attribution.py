"""Who a claim is attributed to: reporting verbs, "according to", reporting nouns.

"U.S. officials believe that Iran is preparing ..., The Wall Street Journal reported"
gives ["U.S. officials", "The Wall Street Journal"]; "it has been reported" gives
["report"]; a plain assertion gives [].
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from armstrace.nlp.ents import entity_index, ents_of

from .lexicon import Lexicon

_SKIP_SUBTREE_DEPS = {"relcl", "acl", "advcl", "punct", "cc", "conj", "prep"}
_REPORT_ADJECTIVES = {"concerned", "worried", "convinced", "confident", "sure", "aware", "afraid", "alarmed"}
_PRONOUNS = {"it", "he", "she", "they", "we", "i", "you", "this", "that", "who", "which"}


def phrase_text(head: Token) -> str:
    """A noun phrase's text without relative clauses, a leading article or trailing punctuation;
    a name set beside a title is kept ("Salvadoran President, Mauricio Funes")."""
    named = _appositive_name(head)
    if named is not None:
        return _plain_phrase(head) + ", " + named
    return _plain_phrase(head)


def _appositive_name(head: Token) -> str | None:
    if head.ent_type_ == "PERSON":
        return None
    for c in head.rights:
        if c.dep_ == "appos" and (c.ent_type_ == "PERSON" or (c.pos_ == "PROPN" and not c.ent_type_)) \
                and c.left_edge.i > 0 and head.doc[c.left_edge.i - 1].text == ",":
            ent = entity_index(head.doc).containing(c)
            return ent.text.strip() if ent is not None else head.doc[c.left_edge.i:c.i + 1].text
    return None


def _plain_phrase(head: Token) -> str:
    doc = head.doc
    start, end = head.left_edge.i, head.right_edge.i + 1
    for child in head.rights:  # cut at a relative clause or a comma-set-off addition
        if child.dep_ in ("relcl", "acl", "advcl") or (child.dep_ == "punct" and child.text in (",", "(", "—", "-")):
            end = min(end, child.left_edge.i)
            break
    for child in head.lefts:
        if child.dep_ in ("relcl", "acl"):
            start = max(start, child.right_edge.i + 1)
    toks = list(doc[start:end])
    while toks and (toks[0].lower_ in ("the", "a", "an", "this", "that") or toks[0].is_punct):
        if toks[0].text == "The" and len(toks) > 1 and toks[1].pos_ == "PROPN":
            break  # part of a name: "The Wall Street Journal"
        toks.pop(0)
    while toks and (toks[-1].is_punct or toks[-1].is_space):
        toks.pop()
    if not toks:
        return head.text
    return doc[toks[0].i:toks[-1].i + 1].text


_TITLE_NOUNS = {"secretary", "minister", "president", "spokesman", "spokeswoman", "spokesperson", "ambassador",
                "general", "chief", "adviser", "advisor", "official", "head", "commander", "chairman", "director",
                "envoy", "senator", "governor", "mayor", "premier", "chancellor"}
_SPEECH_NOUNS = {"statement", "report", "remarks", "claim", "claims", "allegation", "allegations", "assertion",
                 "announcement", "testimony", "comments", "accusation", "accusations", "charge", "charges"}


_PUBLISH_VERBS = {"release", "publish", "issue", "compile", "produce", "prepare", "write", "commission", "present"}


def _publisher(noun: Token) -> str | None:
    """ "a report released by X", "a study published by X": the body behind the document."""
    for c in noun.children:
        if c.dep_ == "acl" and c.lemma_.lower() in _PUBLISH_VERBS:
            for a in c.children:
                if a.dep_ == "agent" or (a.dep_ == "prep" and a.lower_ == "by"):
                    for p in a.children:
                        if p.dep_ == "pobj":
                            return phrase_text(p)
    return None


_TIME_WORDS = {"week", "month", "year", "day", "today", "yesterday", "tomorrow", "weekend", "decade", "century"}
_ANNOUNCE_NOUNS = {"ultimatum", "warning", "statement", "message", "announcement", "threat", "reminder"}


def _noun_source(noun: Token) -> str | None:
    """ "a statement by Reagan that ...", "a report from Angola said", "Iran's claim that ..." """
    published = _publisher(noun)
    if published:
        return published
    for c in noun.children:
        if c.dep_ == "poss" and c.ent_type_ not in ("DATE", "TIME") and c.lemma_.lower() not in _TIME_WORDS:
            return phrase_text(c)  # (not "last week's report")
        if c.dep_ in ("prep", "agent") and c.lower_ in ("by", "from"):
            for p in c.children:
                if p.dep_ == "pobj":
                    return phrase_text(p)
    if noun.lower_ in ("report", "reports"):
        return "report"  # an unnamed report (its own phrase would repeat the claim)
    return None


def _source_of(verb: Token, pronoun=None) -> str | None:
    for c in verb.children:
        if c.dep_ in ("nsubj", "csubj"):
            if c.lower_ in ("it", "they", "he", "she") and pronoun is not None:
                return pronoun(c)
            if c.lower_ in _PRONOUNS:
                return None
            return phrase_text(c)
    for c in verb.children:
        if c.dep_ == "agent":
            for p in c.children:
                if p.dep_ == "pobj":
                    return phrase_text(p)
    if verb.i > 0 and verb.doc[verb.i - 1].text == "," and verb.lemma_.lower() in ("say", "report", "write", "tell"):
        for c in verb.children:  # inverted ", reported El Tiempo" parsed with the source as object
            if c.dep_ in ("dobj", "attr") and c.i > verb.i and (c.pos_ == "PROPN" or c.ent_type_):
                return phrase_text(c)
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


def attribute(trigger: Token, sent: Span, lex: Lexicon, exclude: set[int] = frozenset(),
              pronoun=None) -> list[str]:
    """Sources for the claim read at `trigger`, outermost first.

    `pronoun`, if given, maps a pronoun subject ("it said") to the name it stands for.
    """
    sources: list[tuple[int, str]] = []
    # reporting verbs governing the trigger
    tok = trigger
    path = [trigger]
    while tok.head.i != tok.i:
        tok = tok.head
        path.append(tok)
        if tok.lemma_.lower() == "call" and not (len(path) >= 3 and path[-2].lower_ == "for"
                                                 and all(t.dep_ == "conj" for t in path[:-3])):
            continue  # only "X called for <the transfer>" reports X's view
        if tok.lemma_.lower() in ("ask", "petition", "beg") and len(path) >= 3 and path[-2].lower_ == "for":
            continue  # "X asked Y for aid": X requests the transfer, it reports nothing
        if _is_reporting(tok, lex) and not (path[-2].dep_ == "conj" and any(c.dep_ == "neg" for c in tok.children)):
            src = _source_of(tok, pronoun)
            if src:
                sources.append((tok.i, src))
        elif tok.pos_ == "NOUN" and tok.lower_ in _SPEECH_NOUNS:
            src = _noun_source(tok)
            if src:
                sources.append((tok.i, src))
        elif tok.pos_ == "NOUN" and tok.lower_ == "evidence":
            src = _noun_source(tok)  # "evidence from X"; "there is strong evidence that" names no one
            if src:
                sources.append((tok.i, src))
        elif tok.pos_ == "NOUN" and tok.lower_ in lex.attribution_nouns:
            sources.append((tok.i, phrase_text(tok)))
    # "reportedly", "allegedly" on the trigger or a verb governing it
    for tok in path[:4]:
        if any(c.dep_ == "advmod" and c.lower_ in ("reportedly", "allegedly", "purportedly") for c in tok.children):
            sources.append((tok.i, "report"))
            break
    # reporting verbs elsewhere at the top of the sentence ("..., the Journal reported")
    trigger_subtree = {t.i for t in trigger.subtree}
    # the trigger's own governors were read above (sets: a long sentence's path is long)
    read = {t.i for t in path} | {i for i, _ in sources}
    for tok in sent:
        if tok.i in trigger_subtree or tok.i in exclude or tok.i in read:
            continue
        if any(c.dep_ == "neg" for c in tok.children):
            continue  # "the United States did not say much but dispatched ...": no report
        if _is_reporting(tok, lex) and tok.dep_ in ("ROOT", "ccomp", "parataxis", "conj", "advcl") and \
                tok.lemma_.lower() not in ("deny", "call", "show", "find", "concern", "point", "comment", "criticize",
                                           "criticise", "condemn", "complain", "blame"):
            src = _source_of(tok, pronoun)
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
                sources.append((tok.i, _publisher(obj) or phrase_text(obj)))
    # headline style "White House: Iran preparing to ..." / "... to Ukraine: Putin"
    words = [t for t in sent if not t.is_space]
    colons = [t for t in words if t.text == ":"]
    if colons and not sources:
        colon = colons[0]
        lead = [t for t in words if t.i < colon.i]
        tail = [t for t in words if t.i > colons[-1].i]
        speaking = [t for t in lead if t.pos_ in ("VERB", "AUX") and (
            t.lemma_.lower() in lex.attribution_verbs or any(
                c.dep_ == "dobj" and c.lower_ in _ANNOUNCE_NOUNS for c in t.children))]
        if 0 < len(lead) <= 5 and all(t.pos_ in ("PROPN", "NOUN", "ADJ", "DET", "PART", "PUNCT") for t in lead):
            sources.append((lead[0].i, sent.doc[lead[0].i:colon.i].text))
        elif speaking and trigger.i > colon.i and _source_of(speaking[0], pronoun):
            # "The US has issued an ultimatum to Turkey: if it buys ...", "X warned: ..."
            sources.append((speaking[0].i, _source_of(speaking[0], pronoun)))
        elif 0 < len(tail) <= 4 and all(t.pos_ in ("PROPN", "PUNCT") for t in tail):
            sources.append((tail[0].i, sent.doc[tail[0].i:tail[-1].i + 1].text.strip(" .")))
    if not sources:
        # "... handed over nine HIMARS to Ukraine, - Secretary of the Council Oleksiy Danilov."
        words = [t for t in sent if not t.is_space]
        dashes = [t for t in words if t.text in ("-", "—", "–") and t.i > trigger.i and t.whitespace_]
        if dashes:
            tail = [t for t in words if t.i > dashes[-1].i and not (t.is_punct and t.i == words[-1].i)]
            if 0 < len(tail) <= 14 and not any(t.pos_ in ("VERB", "AUX") for t in tail):
                ent = [e for e in ents_of(sent) if e.label_ == "PERSON" and e.start > dashes[-1].i]
                run = []
                for t in reversed(tail):
                    if t.pos_ != "PROPN" or len(run) == 3:
                        break
                    run.insert(0, t)
                if (ent or len(run) >= 2) and any(t.lower_ in _TITLE_NOUNS for t in tail):
                    sources.append((tail[0].i, sent.doc[tail[0].i:tail[-1].i + 1].text))  # title and name
                elif ent:
                    sources.append((tail[0].i, ent[-1].text.strip()))
    out: list[str] = []
    for _i, src in sorted(sources, key=lambda pair: pair[0]):
        if src and src not in out:
            out.append(src)
    return out


def source_tokens(sent: Span, lex: Lexicon) -> set[int]:
    """Token indices of the sources named in a sentence ("U.S. officials said", "according to Iranian
    media"): the actors there report the claim and are no party to it."""
    out: set[int] = set()
    for tok in sent:
        if _is_reporting(tok, lex):
            for c in tok.children:
                if c.dep_ in ("nsubj", "agent"):
                    out.update(t.i for t in c.subtree)
        elif tok.lower_ == "according" and tok.i + 1 < sent.end and tok.nbor(1).lower_ == "to":
            out.update(t.i for t in tok.subtree)
        elif tok.dep_ in ("ccomp", "acl") and any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children):
            # "officials broke the news that X had acquired ...": whoever tells it is no party
            gov = tok.head.head if tok.head.pos_ == "NOUN" and tok.head.dep_ in ("dobj", "pobj") else tok.head
            for c in gov.children:
                if c.dep_ == "nsubj":
                    out.update(t.i for t in c.subtree)
    return out


_OPEN_QUOTES, _CLOSE_QUOTES = "\u201c", "\u201d"


def _person_before(doc, index: int, earliest: int) -> str | None:
    for ent in reversed(entity_index(doc).within(earliest, index)):
        if ent.label_ == "PERSON" and ent.end <= index:
            return ent.text.strip()
    return None


def _speaker(tokens, lex: Lexicon, earliest: int) -> str | None:
    """The source of the first reporting verb among `tokens` ("he said", "said the minister")."""
    for tok in tokens:
        if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in lex.attribution_verbs and \
                tok.lemma_.lower() not in ("deny", "ask", "call", "urge", "demand"):
            subj = [c for c in tok.children if c.dep_ == "nsubj"]
            if subj and subj[0].lower_ in ("he", "she"):
                return _person_before(tok.doc, subj[0].i, earliest)
            src = _source_of(tok)
            if src:
                return src
    return None


def quote_sources(sents: list[Span], lex: Lexicon) -> dict[int, str]:
    """Sources of sentences inside a quotation that spans several sentences.

    `"We will send tanks. We will send jets," the minister said.` gives the first sentence the
    minister; `The minister said: "We will send tanks. ...` gives the sentences after the first one.
    Returns sentence number -> source.
    """
    out: dict[int, str] = {}
    in_quote, start, opener = False, None, None
    for number, sent in enumerate(sents):
        was_in = in_quote
        close_at = None
        open_at = None
        for tok in sent:
            for ch in tok.text:
                if ch in _OPEN_QUOTES or (ch == '"' and not in_quote):
                    if not in_quote:
                        open_at = tok.i
                    in_quote = True
                elif ch in _CLOSE_QUOTES or ch == '"':
                    if in_quote:
                        close_at = tok.i
                    in_quote = False
        if not was_in and in_quote:  # a quotation opens here and runs on
            start = number
            lead = [t for t in sent if open_at is not None and t.i < open_at]
            opener = _speaker(lead, lex, sents[max(0, number - 3)].start) if lead else None
            continue
        if was_in and start is not None:
            if in_quote:
                if opener:
                    out[number] = opener
                continue
            # the quotation closes in this sentence: the speaker comes after the close
            tail = [t for t in sent if close_at is not None and t.i > close_at]
            speaker = opener or _speaker(tail, lex, sents[max(0, start - 3)].start)
            if speaker:
                for k in range(start + (1 if opener else 0), number):
                    out[k] = speaker
                if opener:
                    out[number] = speaker
            start, opener = None, None
        if len(out) > 10000:
            break
    return out


# Role nouns of a source described rather than named: "a leading member of the Labour Party".
_ROLE_NOUNS = {"member", "spokesman", "spokeswoman", "spokesperson", "official", "minister", "lawmaker",
               "legislator", "politician", "mp", "senator", "congressman", "congresswoman", "diplomat", "aide",
               "deputy", "leader", "representative", "chairman", "chairwoman"}
# Capitalised words too common in titles to tie a description to a name.
_TITLE_WORDS = {"party", "minister", "ministry", "foreign", "affairs", "state", "secretary", "department",
                "government", "office", "officer", "house", "national", "senior", "junior", "deputy", "chief",
                "defence", "defense", "the", "of", "opposition"}


def _title_words(tokens) -> set[str]:
    return {t.lower_ for t in tokens if t.text[:1].isupper() and t.is_alpha and t.ent_type_ != "ACTOR"
            and t.lower_ not in _TITLE_WORDS}


def name_described_source(source: str, sent: Span, later: list[Span], lex: Lexicon) -> str | None:
    """The name of a source the sentence only describes, when a following sentence names a speaker
    with the same affiliation: "A leading member of the opposition Labour Party said ..." then
    "Labour foreign affairs spokesman George Foulkes told parliament ..." gives "George Foulkes, leading
    member of ... Labour Party"."""
    at = sent.text.find(source)
    if at < 0:
        return None
    start = sent.start_char + at
    toks = [t for t in sent if start <= t.idx < start + len(source)]
    if not toks or any(t.ent_type_ == "PERSON" for t in toks) or not any(t.lemma_.lower() in _ROLE_NOUNS for t in toks):
        return None
    words = _title_words(toks)
    if not words:
        return None
    for other in later:
        for ent in ents_of(other):
            if ent.label_ != "PERSON":
                continue
            root = ent.root
            speaks = (root.dep_ == "nsubj" and _is_reporting(root.head, lex)) or (
                root.dep_ in ("dobj", "attr", "nsubj") and root.head.lemma_.lower() == "say" and root.i > root.head.i)
            if not speaks:
                continue
            title = list(other.doc[max(other.start, root.left_edge.i, ent.start - 6):ent.start])
            if words & _title_words(title):
                return f"{ent.text.strip()}, {source}"  # the name, keeping how the sentence described them
    return None


_SPEAKER_TAG = re.compile(r"^[(\[]\s*([A-Z][\w.'\- ]{1,40}?)\s*[)\]]")
# Bracketed words at a sentence start that are no speaker: agencies, editors' marks.
_NOT_SPEAKERS = {"ap", "afp", "reuters", "upi", "xinhua", "tass", "itar-tass", "interfax", "cnn", "bbc", "dpa",
                 "efe", "ansa", "kyodo", "yonhap", "photo", "video", "update", "updated", "corrected", "recasts",
                 "adds", "repeat", "refile", "editor's note", "audio", "graphic", "map", "end", "more", "q", "a"}


def _paragraph_break(prev: Span) -> bool:
    tail = prev.text[len(prev.text.rstrip()):]
    return "\n\n" in tail or bool(re.search(r"\n[ \t]+$", tail))


def speaker_turns(sents: list[Span]) -> dict[int, str]:
    """Speakers of an interview transcript: "(Letona) I would say ..." opens a turn that runs over
    the following paragraphs until the next tag or an interviewer's question paragraph.
    Returns sentence number -> speaker."""
    paragraphs: list[list[int]] = []
    for number, sent in enumerate(sents):
        if not paragraphs or _paragraph_break(sents[number - 1]):
            paragraphs.append([])
        paragraphs[-1].append(number)
    out: dict[int, str] = {}
    speaker = None
    for para in paragraphs:
        first = sents[para[0]]
        match = _SPEAKER_TAG.match(first.text.strip())
        name = match.group(1).strip() if match else None
        if name and (name.lower() in _NOT_SPEAKERS or len(name.split()) > 4 or any(
                t.ent_type_ == "ACTOR" for t in first if t.idx - first.start_char < match.end(1))):
            name = None
        if name:
            speaker = name
        elif sents[para[-1]].text.strip().endswith("?"):
            speaker = None  # the interviewer's next question
        if speaker:
            for number in para:
                out[number] = speaker
    return out
