"""The NLP stage: model loading, gazetteer entities, recasing."""

from __future__ import annotations

import pytest

from armstrace.nlp import get_nlp, load_gazetteer, normalise


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def ents(nlp, text):
    return {(e.text, e.label_, e.ent_id_) for e in nlp(text).ents}


def test_pipeline_is_built_once(nlp):
    assert get_nlp() is nlp
    assert nlp.pipe_names.index("gazetteer_ruler") < nlp.pipe_names.index("ner")


def test_actor_names_demonyms_and_metonyms(nlp):
    found = ents(nlp, "Officials in Tehran and the Kremlin met an Iranian envoy and the Pentagon.")
    assert ("Tehran", "ACTOR", "IRN") in found
    assert ("Kremlin", "ACTOR", "RUS") in found
    assert ("Iranian", "ACTOR", "IRN") in found
    assert ("Pentagon", "ACTOR", "USA") in found


def test_official_title_names_the_state(nlp):
    doc = nlp("The visitor was Russian Defense Minister Sergei Shoigu.")
    assert any(e.label_ == "ACTOR" and e.ent_id_ == "RUS" for e in doc.ents)


def test_weapon_designations_and_generic_terms(nlp):
    found = ents(nlp, "The convoy carried Fateh-110 missiles, guided bombs and artillery shells.")
    assert ("Fateh-110", "WEAPON", "Fateh-110") in found
    assert ("guided bombs", "ARMS", "missile") in found
    assert ("artillery shells", "ARMS", "ammunition") in found


def test_generic_terms_from_data_file():
    generic = load_gazetteer().generic
    assert generic["short-range ballistic missiles"] == "missile"
    assert generic["kamikaze drones"] == "drone"
    assert generic["air defence systems"] == "air_defense"
    assert generic["military electronics"] == "electronics"
    assert generic["fighter jets"] == "aircraft"
    assert generic["military aid"] == "unspecified"


def test_not_weapons_shadow_weapon_words(nlp):
    labels = {e.label_ for e in nlp("Both sides resumed arms control talks.").ents}
    assert "ARMS" not in labels


def test_normalise_keeps_length_and_recases_shouting():
    text = "ROME SAYS IT SOLD RIFLES TO PERU\nAnd a normal line follows here."
    out = normalise(text)
    assert len(out) == len(text)
    assert out.startswith("Rome says it sold rifles to Peru")
    assert out.endswith("And a normal line follows here.")


def test_normalise_unwraps_hard_wrapped_paragraphs():
    text = "The ministry said on Monday that it had approved the sale of\nthirty trucks to the army."
    assert "\n" not in normalise(text)


def test_title_case_headline_with_a_lower_case_quotation_is_recased():
    text = 'Norway Speeding Up Transfer of Patrol Boats to Estonia After "worrying naval incidents"'
    out = normalise(text)
    assert len(out) == len(text)
    assert "speeding up transfer of patrol boats" in out
    prose = 'In May Defence Minister Odd Hansen told the Storting Defence Committee there would be "no more sales"'
    assert normalise(prose) == prose  # a prose line full of names stays as it is


def test_embedded_object_mark_ends_a_line():
    text = "Norway plans to send twelve howitzers to Latvia and four more radar trucks - \ufffcthe minister said it."
    out = normalise(text)
    assert len(out) == len(text) and "\ufffc" not in out and "\n" in out


def test_company_names_in_capitals_are_actors(nlp):
    doc = nlp("NORINCO sold rifles.")
    assert [(e.text, e.ent_id_) for e in doc.ents if e.label_ == "ACTOR"] == [("NORINCO", "CHN")]


def test_a_dateline_dash_ends_the_dateline_keeping_the_length():
    from armstrace.nlp import normalise
    text = "TAIPEI, Taiwan — A source said Norway sold jets to Chile.\nWASHINGTON (Reuters) - Officials said"
    out = normalise(text)
    assert len(out) == len(text)
    assert out.startswith("TAIPEI, Taiwan . A source") and "(Reuters) . Officials" in out
    assert normalise("UK - Ukraine talks - more") == "UK - Ukraine talks - more"


def test_a_state_named_like_a_ship_class_is_the_state():
    """SIPRI has ship classes named Brunei, Berlin and Helsinki: their names were tagged as
    weapons and the state lost ("Brunei sold helicopters to Chile" had no supplier)."""
    from armstrace.extract import extract_document
    from armstrace.extract.pipeline import RULES
    from armstrace.ingest.document import Document
    doc = get_nlp()("Brunei sold helicopters to Chile, and Berlin will send tanks to Helsinki.")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents if e.text in ("Brunei", "Berlin", "Helsinki")] == [
        ("Brunei", "ACTOR", "BRN"), ("Berlin", "ACTOR", "DEU"), ("Helsinki", "ACTOR", "FIN")]
    claims = extract_document(Document(id="t", text="Brunei sold helicopters to Chile."), model=RULES)
    assert {(c.supplier, c.recipient) for c in claims} == {("BRN", "CHL")}
