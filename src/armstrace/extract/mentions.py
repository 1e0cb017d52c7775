"""From a noun phrase of the parse to the actor code it names.

"Iran", "Tehran", "the Iranian army", "Russian Defense Minister Sergei Shoigu",
"the Revolutionary Armed Forces of Colombia (FARC)", "Colombian rebels" (other-group),
"the country" (context) ...
"""

from __future__ import annotations

from spacy.tokens import Token

from armstrace.nlp.gazetteer import Gazetteer

from .context import DocContext
from .lexicon import Lexicon

OTHER_GROUP = "other-group"
_MODIFIER_DEPS = {"compound", "amod", "nmod", "poss", "npadvmod", "nummod"}
# "the army", "the administration": a body of the state in focus
_STATE_BODIES = {"army", "military", "administration", "armed forces", "navy", "ministry", "authorities"}
_SYRIAN_REBEL_WORDS = {"rebel", "rebels", "opposition", "fighters", "insurgents"}


def actor_code(token: Token) -> str | None:
    """The actor code of a token inside an ACTOR entity, else None."""
    if token.ent_type_ == "ACTOR" and token.ent_id_:
        return token.ent_id_
    return None


class ActorResolver:
    def __init__(self, gaz: Gazetteer, lex: Lexicon):
        self.gaz = gaz
        self.lex = lex

    def is_group(self, code: str | None) -> bool:
        actor = self.gaz.actor(code)
        return code == OTHER_GROUP or (actor is not None and actor.kind == "group")

    def leader(self, tok: Token) -> str | None:
        """A head of state named by surname: "Reagan", "the Clinton administration"."""
        if not tok.text[:1].isupper():
            return None
        return self.lex.leaders.get(tok.text) or self.lex.leaders.get(tok.text.title())

    def _modifier_actor(self, head: Token, depth: int = 0) -> str | None:
        """An actor named by the modifiers of `head`: "Russian officials", "the government of Iran"."""
        if depth > 3:
            return None
        for child in head.children:
            if child.dep_ in _MODIFIER_DEPS or child.dep_ == "appos":
                code = actor_code(child) or self.leader(child)
                if code:
                    return code
                code = self._modifier_actor(child, depth + 1)
                if code:
                    return code
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        code = actor_code(pobj) or self._modifier_actor(pobj, depth + 1)
                        if code:
                            return code
        return None

    def _known_as(self, head: Token) -> str | None:
        """ "a group known as the X Front", "a militia called Y": the group's own name."""
        for acl in (c for c in head.children if c.dep_ == "acl" and c.lemma_.lower() in ("know", "call", "name", "dub")):
            for tok in acl.subtree:
                code = actor_code(tok)
                if code and self.is_group(code):
                    return code
        return None

    def _group_code(self, head: Token) -> str:
        names = set()
        clausal = {t.i for c in head.children if c.dep_ in ("relcl", "acl", "advcl") or (
            c.dep_ == "prep" and any(g.dep_ == "pcomp" for g in c.children)) for t in c.subtree}
        for tok in head.subtree:
            if tok.i in clausal:
                continue  # "the network [of smuggling rifles to the FARC]": not the group's own name
            if _ex(tok):
                continue  # "an ex-FARC group": no longer that group
            code = actor_code(tok)
            if code and self.is_group(code):
                return code
            if code:
                names.add(code)
        if "SYR" in names and head.lemma_.lower() in _SYRIAN_REBEL_WORDS | {"rebel"}:
            return "syrian-rebels"
        return OTHER_GROUP

    def _adjacent_group_name(self, head: Token) -> str | None:
        """ "the guerrilla group, the FARC, ...": a named group set off right after the phrase, even
        when the parser hangs the apposition elsewhere."""
        doc = head.doc
        i = head.right_edge.i + 1
        if i + 1 >= len(doc) or doc[i].text != ",":
            return None
        j = i + 1
        if doc[j].lower_ == "the" and j + 1 < len(doc):
            j += 1
        code = actor_code(doc[j])
        return code if code and self.is_group(code) and doc[j].ent_iob_ == "B" else None

    def resolve(self, head: Token, ctx: DocContext | None, exclude=()) -> str | None:
        """The actor code of the noun phrase headed by `head` (None when it names none)."""
        code = actor_code(head)
        if code:
            # a metonym used as a modifier of another proper noun ("Washington Post") names no actor
            if head.dep_ == "compound" and head.head.pos_ == "PROPN" and not actor_code(head.head):
                return None
            return code
        code = self.leader(head)
        if code:
            return code
        lemma = head.lemma_.lower()
        text = head.lower_
        # "Lebanon's Hezbollah movement", "Houthi fighters": a group named in a modifier
        named = self._known_as(head)
        if named:
            return named
        for child in head.children:
            if child.dep_ in ("compound", "amod", "nmod") and self.is_group(actor_code(child)) and not _ex(child):
                return actor_code(child)
        # appositions: "Colombia's guerrilla group, the FARC", "its ally Turkey"
        for child in head.children:
            if child.dep_ == "appos":
                code = actor_code(child) or self._modifier_actor(child)
                if code and (self.is_group(code) or lemma not in self.lex.group_nouns):
                    return code
        if (lemma in self.lex.group_nouns or text in self.lex.group_nouns) and any(
                c.ent_type_ in ("WEAPON", "ARMS") for c in head.children):
            return None  # "F-16 fighters": aircraft, not a group of people
        if lemma in self.lex.group_nouns or text in self.lex.group_nouns:
            named = self._adjacent_group_name(head)
            if named:
                return named
            has_det_the = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children)
            has_mod = any(c.dep_ in _MODIFIER_DEPS | {"appos"} or (c.dep_ in ("prep", "acl", "relcl") and any(
                t.ent_type_ == "ACTOR" for t in c.subtree)) for c in head.children)  # "the guerrillas in X"
            if has_det_the and not has_mod and text in self.lex.group_anaphors:
                if ctx is None:
                    return None  # "the group": left to the pass with discourse context
                found = ctx.resolve(head.i, head.sent, state=False, exclude=exclude)
                if found and self.is_group(found):
                    return found
            return self._group_code(head)
        if head.ent_type_ in ("PERSON", "ORG", "NORP") or head.pos_ == "PROPN" or lemma in self.lex.agent_nouns \
                or text in self.lex.agent_nouns:
            code = self._modifier_actor(head)
            if code:
                return code
            if ctx is not None and (lemma in self.lex.agent_nouns or text in self.lex.agent_nouns):
                # "for its navy", "their armed forces": the owner named earlier
                owner = [c for c in head.children if c.dep_ == "poss" and c.lower_ in ("its", "their")]
                if owner:
                    return ctx.resolve(owner[0].i, head.sent, state=None, exclude=exclude, prefer_subject=True,
                                       window=1)
        if lemma in self.lex.state_anaphors:
            for p in head.children:  # "a country like Israel", "states such as Iran"
                if p.dep_ == "prep" and p.lower_ in ("like", "as"):
                    for obj in p.children:
                        if obj.dep_ == "pobj" and actor_code(obj):
                            return actor_code(obj)
        if ctx is not None:
            if (lemma in self.lex.state_anaphors or lemma in _STATE_BODIES) and not any(
                    c.dep_ in ("amod", "compound") or (c.dep_ == "poss" and c.pos_ == "PROPN") for c in head.children):
                return ctx.resolve(head.i, head.sent, state=True, exclude=exclude)
            if text in ("he", "she", "his", "her") and head.pos_ == "PRON":
                return ctx.resolve_person(head.i, head.sent)
            if text in ("it", "its"):
                # a subject "it" continues the last subject; "delivered to it" the last name
                subject = head.dep_ not in ("pobj", "dobj", "dative")
                return ctx.resolve(head.i, head.sent, state=None, exclude=exclude, prefer_subject=subject, window=1)
        return None

    def resolve_all(self, head: Token, ctx: DocContext | None, exclude=()) -> list[str]:
        """Codes for `head` and the heads coordinated with it ("Croatia and Ecuador")."""
        out = []
        if head.lemma_.lower() in self.lex.state_anaphors:
            for p in head.children:  # "countries like North Korea and Iran"
                if p.dep_ == "prep" and p.lower_ in ("like", "as"):
                    for obj in p.children:
                        if obj.dep_ == "pobj" and actor_code(obj):
                            return [c for c in dict.fromkeys(actor_code(t) for t in conjuncts(obj)) if c]
        for tok in conjuncts(head):
            code = self.resolve(tok, ctx, exclude)
            if code and code not in out:
                out.append(code)
        if head.ent_type_ != "ACTOR":
            # "its two main supporters, Iran and Syria": the names set beside a description
            for appos in (c for c in head.children if c.dep_ == "appos" and c.ent_type_ == "ACTOR"):
                for tok in conjuncts(appos):
                    code = self.resolve(tok, None, exclude)
                    if code and code not in out:
                        out.append(code)
        return out


def _ex(tok: Token) -> bool:
    """ "ex-FARC": a former member, not the group."""
    return tok.i >= 2 and tok.doc[tok.i - 1].text == "-" and tok.doc[tok.i - 2].lower_ == "ex"


def conjuncts(head: Token) -> list[Token]:
    return [head, *[c for c in head.conjuncts if c.i > head.i]]
