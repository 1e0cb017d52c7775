"""Extraction rules, one construction per test, on sentences written for these tests."""

from __future__ import annotations

import pytest

from armstrace.extract import Claim, extract_document, extract_documents
from armstrace.extract.pipeline import RULES
from armstrace.ingest.document import Document
from armstrace.nlp import get_nlp


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def run(text, title=None, published=None):
    """The rules' claims: these tests pin down the candidate layer; the learned model that judges
    them is tested in test_train.py and test_quality.py."""
    return extract_document(Document(id="t", text=text, title=title, published=published), model=RULES)


def triples(text, **kw):
    return {(c.supplier, c.recipient, c.category) for c in run(text, **kw)}


def quads(text, **kw):
    return {(c.supplier, c.recipient, c.category, c.status) for c in run(text, **kw)}


# -- constructions -----------------------------------------------------------------------

def test_active_verb_with_to_recipient():
    assert quads("Norway delivered forty armoured personnel carriers to Lithuania last year.") == {
        ("NOR", "LTU", "armored_vehicle", "delivered")}


def test_passive_with_agent():
    assert triples("Two hundred rifles were sold to Chile by Brazil.") == {("BRA", "CHL", "small_arms")}


def test_ditransitive_supply_with():
    assert quads("Japan is supplying Vietnam with patrol boats.") == {("JPN", "VNM", "naval", "ongoing")}


def test_ditransitive_double_object():
    assert triples("Italy sent Egypt two frigates.") == {("ITA", "EGY", "naval")}


def test_nominal_sale_of_to():
    got = quads("Lawmakers debated the sale of fighter jets to Qatar by France during the session.")
    assert ("FRA", "QAT", "aircraft", "delivered") in {q for q in got} or ("FRA", "QAT", "aircraft") in {
        q[:3] for q in got}


def test_nominal_possessive_supplier():
    assert ("CHN", "PAK", "naval") in triples("China's delivery of submarines to Pakistan worried India.")


def test_recipient_subject_bought_from():
    assert quads("Egypt bought attack helicopters from Russia in 2015.") == {("RUS", "EGY", "aircraft", "delivered")}


def test_recipient_subject_received_from():
    assert triples("Ukraine received howitzers from Canada.") == {("CAN", "UKR", "artillery")}


def test_coordination_split_one_claim_per_category():
    got = triples("Belarus has transferred drones, guided bombs, and artillery shells to Armenia.")
    assert got == {("BLR", "ARM", "drone"), ("BLR", "ARM", "missile"), ("BLR", "ARM", "ammunition")}


def test_designation_from_model_name():
    claims = run("Turkey delivered Bayraktar TB2 drones to Poland.")
    assert [(c.category, c.designation) for c in claims] == [("drone", "Bayraktar TB2")]


def test_umbrella_weapons_including_specific_is_one_claim():
    got = triples("Sweden sent weapons, including anti-tank missiles, to Estonia.")
    assert got == {("SWE", "EST", "missile")}


# -- status ---------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, status", [
    ("Peru is preparing to provide Bolivia with rifles.", "planned"),
    ("Peru will send rifles to Bolivia.", "planned"),
    ("Peru is contemplating the provision of rifles to Bolivia.", "considered"),
    ("Peru could send rifles to Bolivia.", "considered"),
    ("Peru has already transferred rifles to Bolivia.", "delivered"),
    ("Peru keeps sending rifles to Bolivia.", "ongoing"),
    ("Bolivia wants to purchase rifles from Peru.", "sought"),
    ("Peru displayed rifles to Bolivian officers.", "offered"),
    ("Peru offered rifles to Bolivia.", "offered"),
    ("Peru suspended the delivery of rifles to Bolivia.", "halted"),
    ("Peru refused to sell rifles to Bolivia.", "halted"),
    ("Peru signed a deal to sell rifles to Bolivia.", "agreed"),
    ("Peru approved the sale of rifles to Bolivia.", "agreed"),
])
def test_status_cues(sentence, status):
    assert quads(sentence) == {("PER", "BOL", "small_arms", status)}


def test_denied_status():
    got = quads("Peru denied that it had sold rifles to Bolivia.")
    assert ("PER", "BOL", "small_arms", "denied") in got


def test_headline_simple_present_is_delivered():
    assert quads("", title="Austria delivers armoured vehicles to Slovenia") == {
        ("AUT", "SVN", "armored_vehicle", "delivered")}


def test_headline_infinitive_is_planned():
    assert quads("", title="Greece to send tanks to Cyprus") == {("GRC", "CYP", "armored_vehicle", "planned")}


def test_wants_to_purchase_but_not_yet_is_sought():
    got = quads("Officials say Kenya wants to purchase radars from Israel, but the supply has not happened.")
    assert got == {("ISR", "KEN", "electronics", "sought")}


# -- attribution and context -------------------------------------------------------------

def test_attribution_chain_of_reporters():
    claims = run("Canadian officials believe that Peru is preparing to provide Bolivia with rifles, "
                 "The Daily Planet reported on Monday.")
    assert len(claims) == 1
    assert claims[0].attribution == ["Canadian officials", "The Daily Planet"]


def test_according_to_attribution():
    claims = run("According to media reports, Peru sold rifles to Bolivia.")
    assert claims[0].attribution == ["media reports"]


def test_accused_of_supplying():
    claims = run("Chile accused Peru of supplying rifles to Bolivia.")
    assert [(c.supplier, c.recipient, c.status) for c in claims] == [("PER", "BOL", "delivered")]
    assert claims[0].attribution == ["Chile"]


def test_unattributed_claim_has_empty_attribution():
    assert run("Peru sold rifles to Bolivia.")[0].attribution == []


def test_the_country_resolves_to_the_other_state():
    got = triples("Brazil is helping Chile build a naval base and is supplying the country with submarines.")
    assert ("BRA", "CHL", "naval") in got


def test_metonym_in_a_later_sentence():
    got = triples("Officials met in Lima on Monday. Later, Moscow agreed to sell helicopters to Lima.")
    assert ("RUS", "PER", "aircraft") in got


# -- negatives -------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "The Pentagon deploys air defense systems to the Middle East.",
    "Iran unveiled a new jet-powered drone on Tuesday.",
    "Russia launched dozens of drones at Kyiv overnight.",
    "The European Union imposed sanctions on Iran over its drone program.",
    "Japan sent humanitarian aid and blankets to Turkey after the earthquake.",
    "Germany produced more artillery shells this year.",
    "Both countries resumed arms control talks in Geneva.",
    "Asked whether he would send tanks to Kyiv, the minister declined to answer.",
])
def test_no_claim(sentence):
    assert run(sentence) == []


# -- the record and the API --------------------------------------------------------------------

def test_claim_fields_and_offsets():
    doc = Document(id="d1", title="A headline about nothing", text="Intro line.\n\nPeru sold rifles to Bolivia in 2019.",
                   published="2020-02-01")
    claims = extract_document(doc)
    assert len(claims) == 1
    data = claims[0].to_dict()
    for key in ("doc", "supplier", "recipient", "category", "status", "designation", "item", "attribution",
                "time", "quantity", "purpose", "evidence", "start", "end", "confidence", "rule"):
        assert key in data
    assert data["doc"] == "d1"
    assert doc.full_text[data["start"]:data["end"]] == data["evidence"]
    assert data["time"] == "2019"
    assert 0 < data["confidence"] <= 1


def test_quantity_and_purpose():
    claims = run("Peru delivered 18 drones to Bolivia to use against smugglers.")
    assert claims[0].quantity == "18"
    assert claims[0].purpose.startswith("to use against")


def test_repeats_collapse():
    claims = run("Peru sold rifles to Bolivia. Peru sold rifles to Bolivia again.")
    assert len(claims) == 1


def test_extract_documents_batches():
    docs = [Document(id=str(i), text=t) for i, t in enumerate(
        ["Peru sold rifles to Bolivia.", "Nothing here.", "Chile bought tanks from Germany."])]
    out = list(extract_documents(docs, batch_size=2))
    assert [d.id for d, _ in out] == ["0", "1", "2"]
    assert [len(c) for _, c in out] == [1, 0, 1]
    assert all(isinstance(c, Claim) for _, cs in out for c in cs)


def test_spacy_component(nlp):
    """`nlp.add_pipe("arms_transfers")` puts the claims on `doc._.transfers`."""
    nlp.add_pipe("arms_transfers", last=True)
    try:
        doc = nlp("Peru sold rifles to Bolivia.")
        assert [(c.supplier, c.recipient, c.category) for c in doc._.transfers] == [("PER", "BOL", "small_arms")]
    finally:
        nlp.remove_pipe("arms_transfers")


def test_spacy_finds_the_component_without_importing_armstrace():
    """The factory is registered through the `spacy_factories` entry point of the installed package."""
    import subprocess
    import sys
    code = ("import spacy, sys; nlp = spacy.blank('en'); nlp.add_pipe('arms_transfers'); "
            "print(nlp.pipe_names)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['arms_transfers']"


# -- constructions added in the second pass ---------------------------------------------------

def test_region_name_is_not_a_state():
    got = triples("The officials said Venezuela has sold rifles to South America, particularly to Guyana.")
    assert ("VEN", "GUY", "small_arms") in got
    assert not any(r == "USA" for _s, r, _c in got)


def test_finite_coordinated_clause_keeps_its_own_status():
    got = quads("Chile cannot complain while it trains pilots and sells rifles to Bolivia.")
    assert ("CHL", "BOL", "small_arms", "ongoing") in got


def test_headline_progressive_without_auxiliary_is_ongoing():
    assert quads("Norway supplying Latvia with patrol boats", title=None) == {("NOR", "LVA", "naval", "ongoing")}
    assert quads("Spain says sending Estonia more howitzers") == {("ESP", "EST", "artillery", "ongoing")}


def test_if_clause_is_considered():
    got = quads("Minsk will respond harshly if cruise missiles supplied to Lithuania: Lukashenko")
    assert {q[3] for q in got} == {"considered"}


def test_request_to_stop_selling_is_ongoing():
    got = quads("Iraq has asked Brazil to stop selling rifles to Iran.")
    assert got == {("BRA", "IRN", "small_arms", "ongoing")}


def test_aim_to_cut_supplies_without_supplier_is_no_claim():
    assert run("Peru had sold nothing. A better way to cut weapons supplies to Chad was to audit budgets.") == []


def test_stop_someone_from_delivering():
    got = triples("Lima urged Washington to stop Chile and Bolivia from delivering rifles to the rebels.")
    assert {("CHL", "other-group", "small_arms"), ("BOL", "other-group", "small_arms")} <= got


def test_name_misparsed_as_infinitive_verb():
    got = triples("THE KENYAN AUTHORITIES STOPPED SUPPLYING WEAPONS TO UNITA LAST MAY.")
    assert got == {("KEN", "unita", "unspecified")}


def test_two_unnamed_groups_can_trade():
    got = triples("The rebels continue to receive rifles from criminal gangs.")
    assert got == {("other-group", "other-group", "small_arms")}


def test_named_other_group_and_company_and_group_leader():
    assert triples("Ferranti sold radars to Chile.") == {("GBR", "CHL", "electronics")}
    assert triples("Nicaragua sent rifles to the FMLN.") == {("NIC", "other-group", "small_arms")}
    assert ("ITA", "peshmerga", "unspecified") in triples("Italy decided to provide military aid to Massoud Barzani.")


def test_quoted_question_is_not_a_claim():
    assert run('"Why would Peru not sell missiles to Chile?" he asked.') == []


def test_struck_shipment_bound_for_group_is_halted_without_supplier():
    got = quads("Jordan said it had bombed weapons shipments bound for the Houthis twice.")
    assert got == {(None, "houthis", "unspecified", "halted")}


def test_sales_from_to_with_misattached_recipient():
    got = triples("Reports of rifle sales from the Bolivian army to Peruvian criminal gangs continue.")
    assert got == {("BOL", "other-group", "small_arms")}


def test_group_smuggling_from_a_state_receives():
    text = "The ELN controls the border. Police said the group smuggles explosives into the country from Peru."
    assert quads(text) == {("PER", "eln", "ammunition", "ongoing")}


def test_trafficker_smuggling_from_a_state_drops_out():
    got = triples("Police said the traffickers had smuggled pistols into Canada from the United States.")
    assert got == {("USA", "CAN", "small_arms")}


def test_existential_supply_is_no_transfer():
    assert run("Peru sold rifles to Bolivia, where there is an ample supply of explosives.") == [
        run("Peru sold rifles to Bolivia, where there is an ample supply of explosives.")[0]]
    assert len(run("Peru sold rifles to Bolivia, where there is an ample supply of explosives.")) == 1


def test_guerrillas_in_another_country_are_a_new_group():
    text = "The ELN is strong. Cuba kept delivering rifles to the guerrillas in Honduras."
    assert triples(text) == {("CUB", "other-group", "small_arms")}


def test_buyer_in_relative_clause_receives():
    assert triples("Chile sold most of the tanks that Peru bought last year.") == {("CHL", "PER", "armored_vehicle")}


def test_he_she_stand_for_a_named_leader():
    text = "Boris Pistorius spoke in Berlin on Monday. He said he had approved the sale of howitzers to Latvia."
    assert ("DEU", "LVA", "artillery") in triples(text)


def test_coordinated_aid_noun_keeps_its_governor_and_no_half_claim():
    text = "Theresa May spoke. She has called for not only more economic aid but more military aid to Ukraine."
    got = triples(text.replace("Theresa May", "Keir Starmer"))
    assert got == {("GBR", "UKR", "unspecified")}


def test_spare_parts_count_as_their_platform():
    assert quads("Oman would provide spare parts for its naval fleet to Kenya.") == {("OMN", "KEN", "naval", "planned")}
    assert triples("Japan sold spare parts for F-16 fighters to Taiwan.") == {("JPN", "TWN", "aircraft")}


# -- status and attribution of found claims ------------------------------------------------

def test_according_to_a_report_names_its_publisher():
    claims = run("Belarus has sold most of the rifles Mali has bought since 2015, according to a study "
                 "published by the Small Arms Survey.")
    assert {(c.supplier, c.recipient) for c in claims} == {("BLR", "MLI")}
    assert any("Small Arms Survey" in a for c in claims for a in c.attribution)


def test_he_said_is_attributed_to_the_person_named_before():
    claims = run("Maria Lopez, a defence analyst, spoke on Tuesday. Norway has sold radars to Chile, she said.")
    assert [c.attribution for c in claims] == [["Maria Lopez"]]


def test_call_for_a_transfer_is_only_considered_and_attributed():
    claims = run("Senator Jane Doe spoke on Monday. She called for more military aid to Moldova.")
    assert {(c.supplier, c.recipient, c.status) for c in claims} <= {(None, "MDA", "considered")}
    claims = run("Finland sent rifles to Estonia. A senator called for the sale of more rifles to Estonia by Finland.")
    assert ("FIN", "EST", "small_arms", "considered") in {(c.supplier, c.recipient, c.category, c.status) for c in claims}
    assert quads("The lawmaker calls for revenge for giving Latvia tanks, the paper said.") <= {
        (None, "LVA", "armored_vehicle", "delivered")}


def test_purchase_noun_is_a_deal():
    assert ("USA", "GRC", "aircraft", "agreed") in quads(
        "The offset covers Greece's purchase of six American transport aircraft.")


def test_its_navy_is_the_owner_named_before():
    assert quads("Peru needs ships, and Spain would provide patrol boats for its navy.") == {
        ("ESP", "PER", "naval", "planned")}


def test_group_named_in_a_following_apposition():
    assert triples("Police say the ring sold rifles to Colombia's largest guerrilla group, the Revolutionary "
                   "Armed Forces of Colombia (FARC), for years.") == {("other-group", "farc", "small_arms")}


def test_involved_in_selling_takes_the_tense_of_involved():
    assert quads("The cartel is involved in selling rifles to the FARC.") == {
        ("other-group", "farc", "small_arms", "ongoing")}


# -- no transfer: policies, fields, other goods, places -------------------------------------

def test_policy_and_field_mentions_are_no_claims():
    assert run("Critics say the Dutch arms exports code is too weak.") == []
    assert run("The embargo on arms sales to Myanmar will be reviewed next year.") == []
    assert run("The sheer size of the Belgian arms trade is rarely discussed.") == []
    assert run("Weapons acquisition by gangs is common in the region.") == []


def test_other_goods_trafficking_is_no_claim():
    assert run("Peru is fighting the heroin-trafficking networks in its jungle.") == []
    assert run("Police in Chile arrested ten people for drug smuggling to Bolivia.") == []


def test_deployment_to_a_base_is_no_claim():
    assert run("Qatar will send fighter jets to the Incirlik air base to support the campaign.") == []


def test_reporting_source_does_not_supply_what_was_acquired():
    claims = run("A Dutch official said on Monday that Syria had acquired new missiles.")
    assert all(c.supplier != "NLD" for c in claims)


def test_group_acquiring_weapons_has_no_guessed_supplier():
    assert run("Since 2012 officials in Brazil have said that gangs could acquire rifles online.") == []


def test_countries_like_x_are_the_recipients():
    assert triples("Norinco has been accused of selling missiles to countries like Sudan and Iran.") == {
        ("CHN", "SDN", "missile"), ("CHN", "IRN", "missile")}
    assert run("We know that Italy has given military aid to several African countries.") == []


def test_participle_before_a_transfer_noun_gives_the_status():
    assert quads("Norway speeding up delivery of patrol boats to Estonia") == {("NOR", "EST", "naval", "planned")}
    assert quads("The proposed sale of tanks to Egypt by Germany was discussed.") == {
        ("DEU", "EGY", "armored_vehicle", "offered")}


def test_speaker_of_a_quotation_spanning_sentences():
    claims = run('"Denmark has sent rifles to Latvia. It will also send tanks," Anna Berg said on Monday.')
    assert {(c.category, tuple(c.attribution)) for c in claims} >= {("small_arms", ("Anna Berg",))}
    claims = run('The minister Anna Berg said: "We have trained many soldiers. Denmark has sent rifles to Latvia."'
                 ' Sweden sold jets to Chile.')
    got = {(c.supplier, c.recipient, tuple(c.attribution)) for c in claims}
    assert ("DNK", "LVA", ("minister Anna Berg",)) in got and ("SWE", "CHL", ()) in got


def test_goods_for_guns_trade_with_a_group():
    text = "The FARC is strong. Officials accused members of the Peruvian army of running an oil-for-guns trade with the rebels."
    assert ("PER", "farc", "small_arms") in triples(text)


def test_network_accused_of_smuggling_is_not_named_by_its_clients():
    claims = run("Police accuse Perez's network of smuggling some 300 rifles into Colombia for the FARC rebel group, "
                 "reported La Voz.")
    assert {(c.supplier, c.recipient, c.category) for c in claims} == {("other-group", "farc", "small_arms")}
    assert set(claims[0].attribution) == {"Police", "La Voz"}


def test_ring_smuggling_from_army_stocks_to_a_group_known_as():
    text = ("Police broke up a trafficking ring which smuggled rifles from the Peruvian army to an ex-FARC "
            "faction known as the Oliver Sinisterra Front.")
    assert triples(text) == {("PER", "other-group", "small_arms")}


def test_suspended_deal_is_halted():
    assert quads("Austria and Sweden suspended military aid and weapons deals with Kenya.") == {
        ("AUT", "KEN", "unspecified", "halted"), ("SWE", "KEN", "unspecified", "halted")}


def test_title_case_headline_verb_tagged_as_noun():
    assert triples("Norway Supply Estonia With New Armoured Personnel Carriers, Night-Vision Goggles\n") == {
        ("NOR", "EST", "armored_vehicle"), ("NOR", "EST", "electronics")}


def test_object_coordinated_with_the_verb():
    text = 'Spain plans to deliver armoured personnel carriers to Latvia "as soon as possible", and 4 more howitzers.'
    assert triples(text) == {("ESP", "LVA", "armored_vehicle"), ("ESP", "LVA", "artillery")}


def test_colon_after_a_speech_act_attributes_the_claim():
    claims = run("Norway has sent a warning to Chile: if Chile buys the jets from Sweden, talks will end.")
    assert [(c.supplier, c.recipient, c.attribution) for c in claims] == [("SWE", "CHL", ["Norway"])]


def test_in_exchange_continues_the_reported_passage():
    claims = run("According to rumours among analysts, Latvia will soon donate 50 tanks to Estonia. It is a big step. "
                 "In exchange, Latvia will get 60 new tanks from Norway. Sweden sold jets to Chile.")
    got = {(c.supplier, c.recipient, tuple(c.attribution)) for c in claims}
    assert ("NOR", "LVA", ("rumours among analysts",)) in got and ("SWE", "CHL", ()) in got


def test_news_teller_is_no_supplier_and_people_are_no_aircraft():
    assert run("Tension rose after Dutch officials broke the news that Syria had acquired new cruise missiles.") == []
    assert run("A British minister said that Sudan must hand over the alleged bombers of the airliner.") == []
    assert triples("Russia delivered bombers to Algeria.") == {("RUS", "DZA", "aircraft")}


def test_a_persons_government_is_not_guessed_from_context():
    claims = run("Norway is a donor. The paper called it evidence of Danish military support for Olsen's government.")
    assert all(c.recipient is None for c in claims)


def test_supplier_in_a_participle_compound():
    assert quads("Norway is angry while US-supplied rifles reach the front. Chinese-made rifles were found.") == {
        ("USA", None, "small_arms", "delivered")}


def test_half_claim_completed_from_the_document():
    text = ("Critics say the sale of arms to Chad was a mistake. Norway sold arms to Chad in 1990. "
            "Profits from sales of arms to Chad were hidden.")
    assert {(c.supplier, c.recipient) for c in run(text)} == {("NOR", "TCD")}


def test_no_more_transfers_is_halted():
    assert quads('The minister said there would be "no more transfers of Norwegian military equipment to Iran".') == {
        ("NOR", "IRN", "unspecified", "halted")}


def test_civil_aircraft_are_no_claim():
    assert run("Meanwhile, flag carrier Air Malta is considering to buy 12 new aircraft from Boeing.") == []
    assert triples("Egypt bought 20 passenger aircraft from Boeing. Egypt bought 20 fighter aircraft from France.") == {
        ("FRA", "EGY", "aircraft")}


def test_model_name_before_a_generic_term_is_the_designation():
    claims = run("Norway will send twelve KX-7 Falkor armoured vehicles to Latvia.")
    assert {(c.supplier, c.recipient, c.category, c.designation) for c in claims} == {
        ("NOR", "LVA", "armored_vehicle", "KX-7 Falkor")}
    claims = run("Spain sold Model 41B radars to Chile.")
    assert {c.designation for c in claims} == {"Model 41B"}


def test_service_names_and_quantities_are_no_designation():
    claims = run("Brazil sold 40 Army helicopters to Chile.")
    assert {(c.supplier, c.recipient, c.category, c.designation) for c in claims} == {
        ("BRA", "CHL", "aircraft", None)}


def test_aid_to_an_armed_group_misparsed_as_infinitive():
    assert quads("THE GOVERNMENT OF CHILE WILL CONTINUE TO PROVIDE ASSISTANCE TO UNITA.") == {
        ("CHL", "unita", "unspecified", "planned")}


def test_plans_are_underway_to_transfer_is_planned():
    assert quads("Plans are underway to sell four helicopters to Chile.") == {
        (None, "CHL", "aircraft", "planned")}


def test_country_name_before_arms_noun_is_the_buyer():
    assert triples("Lawmakers debated the Chile arms deal for hours.") == {(None, "CHL", "unspecified")}
    assert triples("Norwegian arms sales rose sharply.") == {("NOR", None, "unspecified")}


def test_bare_technology_trade_is_civilian():
    assert run("Critics opposed Norwegian technology exports to Chile.") == []
    assert run("Acme signed a technology transfer agreement with Chile.") == []
    assert triples("Norway transferred missile technology to Chile.") == {("NOR", "CHL", "technology")}


def test_into_the_hands_of_names_the_recipient():
    assert triples("Norway delivered the rifles into the hands of the Chilean army.") == {("NOR", "CHL", "small_arms")}


def test_a_group_handing_its_arms_to_the_un_is_disarmament():
    assert run("The ELN handed over its rifles to the United Nations.") == []


def test_company_name_in_capitals_is_its_state():
    assert triples("BAYKAR sold drones to Chile.") == {("TUR", "CHL", "drone")}


def test_a_place_of_arrest_is_not_a_party():
    claims = run("The smugglers were arrested in Norway. They had sold rifles to the gang.")
    assert all(c.supplier != "NOR" and c.recipient != "NOR" for c in claims)


def test_asking_a_state_for_aid_makes_the_asker_the_recipient():
    assert quads("Chile has asked Norway for military aid, a newspaper said.") == {
        ("NOR", "CHL", "unspecified", "sought")}
    assert [c.attribution for c in run("Chile has asked Norway for military aid, a newspaper said.")] == [["newspaper"]]


def test_headline_ending_in_a_dash_is_the_next_lines_speakers():
    claims = run("Norway plans to send twelve howitzers to Latvia and four more radar trucks - \ufffc"
                 "Def Min Kari Nordmann Norway is also weighing more aid.")
    assert {(c.supplier, c.recipient, c.category) for c in claims if c.attribution == ["Def Min Kari Nordmann"]} >= {
        ("NOR", "LVA", "artillery")}


# -- transfers named without parties, denials, speakers ---------------------------------------

def test_a_transfer_named_without_parties_takes_the_documents_one_pair():
    got = quads("Norway sold eight attack helicopters to Chile in May. "
                "Officials said plans are now underway to transfer four more helicopters next year.")
    assert ("NOR", "CHL", "aircraft", "planned") in got


def test_a_bare_generic_word_takes_up_the_narrower_category_named_before():
    got = quads("Norway supplied anti-aircraft missiles to Chile, the paper reported. "
                "The supply of missiles was discussed at two meetings in March.")
    assert ("NOR", "CHL", "air_defense", "considered") in got
    assert not any(q[2] == "missile" for q in got)


def test_a_bare_transfer_is_dropped_when_the_document_has_two_pairs():
    got = quads("Norway sold helicopters to Chile. Spain sold helicopters to Peru. "
                "Plans are underway to transfer more helicopters.")
    assert got == {("NOR", "CHL", "aircraft", "delivered"), ("ESP", "PER", "aircraft", "delivered")}


def test_bare_weapons_and_agentless_passives_are_not_completed():
    got = quads("Norway sold helicopters and rifles to Chile. Most of the weapons had been legally imported. "
                "Officials want the ban lifted in order to buy more weapons.")
    assert got == {("NOR", "CHL", "aircraft", "delivered"), ("NOR", "CHL", "small_arms", "delivered")}


def test_dismissing_the_claims_denies_the_transfer_reported_before():
    claims = run("An opposition lawmaker said the Norwegian government had sold rifles to the Contra rebels. "
                 "Deputy Minister Kari Nordmann dismissed the claims as fanciful.")
    denied = [c for c in claims if c.status == "denied"]
    assert [(c.recipient, c.category, c.attribution) for c in denied] == [
        ("contras", "small_arms", ["Deputy Minister Kari Nordmann"])]


def test_a_denial_without_earlier_alleged_claims_adds_nothing():
    assert run("The minister dismissed the claims as fanciful.") == []


def test_a_described_source_takes_the_name_a_later_sentence_gives():
    claims = run("A senior member of the opposition Green Party said Norway sold rifles to Chile. "
                 "Green defence spokesman Ola Hansen told parliament the deal was secret.")
    assert claims and claims[0].attribution == ["Ola Hansen, senior member of the opposition Green Party"]


def test_there_is_evidence_is_no_source():
    claims = run("Investigators said there was strong evidence Norway sold rifles to Chile.")
    assert [c.attribution for c in claims] == [["Investigators"]]


def test_an_interview_speaker_tag_attributes_the_answer():
    text = ("What do you say about the offensive?\n\n"
            "   (Hansen) The offensive will go on.  We know that Norway gave rifles to the Chilean army.\n\n"
            "   Do you expect talks?\n\n"
            "   Norway will send more rifles to Chile in May.")
    claims = run(text)
    by_sentence = {c.evidence.split()[0]: c.attribution for c in claims}
    assert by_sentence["We"] == ["Hansen"]
    assert by_sentence["Norway"] == []


# -- constructions found on a hand-labelled sample of the pool ---------------------------------

def test_a_model_name_the_parser_hangs_outside_its_phrase_still_names_the_item():
    assert ("SVK", "UKR", "aircraft", "planned") in quads("Slovakia is planning to send MiG-29 fighter jets to Ukraine.")
    assert {c.designation for c in run("Slovakia is planning to send MiG-29 fighter jets to Ukraine.")} == {"MiG-29"}


def test_coordinated_premodifiers_name_two_items():
    assert triples("Norway sent anti-tank and anti-aircraft missiles to Chile.") == {
        ("NOR", "CHL", "missile"), ("NOR", "CHL", "air_defense")}
    assert triples("Norway sent ballistic and cruise missiles to Chile.") == {("NOR", "CHL", "missile")}


def test_a_state_named_on_the_transfer_noun_supplies_not_the_verbs_subject():
    assert triples("Chile condemned Norwegian arms sales to Peru.") == {("NOR", "PER", "unspecified")}
    assert quads("Germany blocks Estonian arms exports to Latvia") == {("EST", "LVA", "unspecified", "halted")}
    assert triples("The U.S. approved Taiwan arms sales.") == {("USA", "TWN", "unspecified")}


def test_where_a_shipment_arrives_is_its_recipient():
    assert triples("90 tons of military aid from Norway arrived in Chile on Monday.") == {("NOR", "CHL", "unspecified")}
    assert run("A shipment of rifles arrived in the port of Valparaiso.") == []


def test_anti_armour_missiles_are_missiles_and_anti_tank_weapons_small_arms():
    assert triples("Norway sent anti-armour missiles to Chile.") == {("NOR", "CHL", "missile")}
    assert triples("Norway sent anti-tank weapons to Chile.") == {("NOR", "CHL", "small_arms")}


def test_a_dateline_is_not_the_source():
    claims = run("OSLO, Norway — A defence industry source indicates Chile is seeking to buy F-16 fighter jets from Norway.")
    assert [c.attribution for c in claims] == [["defence industry source"]]


def test_a_state_armed_or_trained_by_another_receives_unsaid_goods_and_training():
    assert quads("Iran trained and armed the Houthis.") == {
        ("IRN", "houthis", "technology", "delivered"), ("IRN", "houthis", "unspecified", "delivered")}
    assert triples("The war pitted the army against Houthi rebels armed and trained by Iran.") == {
        ("IRN", "houthis", "unspecified"), ("IRN", "houthis", "technology")}
    assert quads("The guerrillas are armed by Cuba.") == {("CUB", "other-group", "unspecified", "ongoing")}
    assert run("Fighters armed with rifles attacked the base.") == []


def test_a_carrier_named_by_its_state_supplies():
    assert triples("British transport aircraft are delivering weapons to Chile") == {("GBR", "CHL", "unspecified")}


def test_a_recipient_hung_inside_the_object_phrase():
    assert triples("Norway sent 100 armoured patrol vehicles and a team of engineers to Chile.") == {
        ("NOR", "CHL", "armored_vehicle")}
    assert quads("Norway is willing to provide ammunition alongside food aid to Chile.") == {
        ("NOR", "CHL", "ammunition", "planned")}


def test_the_state_on_the_noun_supplies_when_the_recipient_is_an_anaphor():
    claims = run("Norwegian arms sales to his country might generate an article.")
    assert {(c.supplier, c.recipient) for c in claims} == {("NOR", None)}


def test_a_negated_transfer_is_halted():
    assert quads("Norway will not send tanks to Chile.") == {("NOR", "CHL", "armored_vehicle", "halted")}
    assert quads("The Norwegian defence minister does not see room for sending tanks to Chile.") == {
        ("NOR", "CHL", "armored_vehicle", "halted")}


def test_only_the_clause_that_asks_is_a_question():
    assert quads('"Sadly, Norway is again blocking military aid to Chile..." Can you help?') == {
        ("NOR", "CHL", "unspecified", "halted")}
    assert run("Will Norway send tanks to Chile?") == []


def test_a_state_before_its_successor_existed():
    claims = extract_document(Document(id="t", text="Egypt bought fighter jets from Moscow.", published="1987-03-01"))
    assert {(c.supplier, c.recipient) for c in claims} == {("SUN", "EGY")}
    claims = extract_document(Document(id="t", text="Egypt bought fighter jets from Moscow.", published="2015-03-01"))
    assert {(c.supplier, c.recipient) for c in claims} == {("RUS", "EGY")}


def test_helping_to_stop_weapons_is_no_transfer():
    assert run("Norway is helping Chile stop weapons from entering the country.") == []


def test_whoever_reacts_to_a_transfer_is_no_party():
    assert triples("The Chilean senate called for sanctions due to the supply of rocket launchers to Peru") == {
        (None, "PER", "artillery")}
    assert triples("Chile protested over the sale of jets to Peru.") == {(None, "PER", "aircraft")}


def test_a_purchase_for_a_state_makes_the_buyer_the_supplier():
    assert quads("Norway approved the purchase of rifles for the Chilean army.") == {
        ("NOR", "CHL", "small_arms", "agreed")}


def test_a_recipient_and_items_parsed_as_one_phrase():
    claims = run("Denmark will transfer to Estonia 4 MLRS M270 launchers.")
    assert {(c.supplier, c.recipient, c.category) for c in claims} == {("DNK", "EST", "artillery")}
    assert {c.designation for c in claims} == {None, "M270"}


def test_goods_supplied_to_whoever_uses_them():
    assert triples("Chile could carry out the attack with newly supplied Harpoon missiles.") == {
        (None, "CHL", "missile")}


def test_blocking_shipments_from_named_sources_to_a_group():
    got = quads("Peacekeepers took positions on the border to block arms shipments to Hezbollah from its "
                "two main backers, Iran and Syria.")
    assert got == {("IRN", "hezbollah", "unspecified", "ongoing"), ("SYR", "hezbollah", "unspecified", "ongoing")}


def test_gerund_nouns_and_acronym_plurals():
    assert quads("The Chilean navy is considering the buying of used frigates from Norway.") == {
        ("NOR", "CHL", "naval", "considered")}
    assert triples("Norway sent APCs and UAVs to Chile.") == {("NOR", "CHL", "armored_vehicle"), ("NOR", "CHL", "drone")}


def test_bought_goods_made_in_a_state_came_from_it():
    assert triples("Chile has acquired Norwegian-made rifles.") == {("NOR", "CHL", "small_arms")}
    assert run("Chile fired Norwegian-made rockets.") == []


def test_an_umbrella_with_including_hung_on_the_trigger_and_a_report_does_not_set_the_status():
    claims = run("Chile asked the council to report Peruvian shipments of weapons, including surface-to-air "
                 "missiles, to the Shining Path guerrillas.")
    assert {(c.supplier, c.category, c.status) for c in claims} == {("PER", "air_defense", "delivered")}


def test_a_leader_named_before_stands_for_the_state_in_context():
    claims = run("Premier Erdogan faced questions on Monday. The scandal over secret arms sales to Chile grew.")
    assert {(c.supplier, c.recipient) for c in claims} == {("TUR", "CHL")}


def test_a_buyers_announced_plan_is_sought_and_each_item_comes_from_its_own_source():
    got = quads("The Chilean government announced plans to purchase helicopters from the U.S., as well as "
                "Super Tucano aircraft from Brazil.")
    assert got == {("USA", "CHL", "aircraft", "sought"), ("BRA", "CHL", "aircraft", "sought")}
    assert {c.designation for c in run("Peruvian President Ana Torres announced plans to purchase 10 Super "
                                       "Tucano aircraft.")} == {"Super Tucano"}
    assert triples("Peruvian President Ana Torres announced plans to purchase 10 Super Tucano aircraft.") == {
        ("BRA", "PER", "aircraft")}


def test_context_never_makes_a_speaker_or_an_owner_a_party():
    assert triples("Former NATO commander Jan Olsen said Chile could strike with newly supplied Harpoon missiles.") == {
        (None, "CHL", "missile")}
    assert run("Chile will not let Peru use the missiles. Norway has offered its warships to escort tankers.") == []


def test_a_trade_relation_named_by_a_role_noun():
    assert quads("Talks stalled over Chile's closeness to Norway, its chief arms supplier.") == {
        ("NOR", "CHL", "unspecified", "ongoing")}
    assert quads("Norway was Chile's main arms supplier in the 1990s.") == {("NOR", "CHL", "unspecified", "delivered")}
    assert triples("Peru is the biggest buyer of Norwegian arms.") == {("NOR", "PER", "unspecified")}
    assert run("Norway is the biggest supplier of salmon to Chile.") == []


def test_a_passive_with_a_retained_object_names_the_recipient():
    assert quads("Chile was sold two frigates by Norway.") == {("NOR", "CHL", "naval", "delivered")}


def test_an_aid_programme_and_part_of_it():
    assert quads("Norway suspended part of a military aid program for Chile, a newspaper reported.") == {
        ("NOR", "CHL", "unspecified", "halted")}
    assert run("Iran expanded its weapons program.") == []


def test_training_a_number_of_soldiers_and_goods_delivered_to_it():
    assert quads("Norway is training hundreds of Chilean soldiers.") == {("NOR", "CHL", "technology", "ongoing")}
    assert {(c.supplier, c.recipient) for c in run(
        "Norway will share data with Chile for strikes with the help of the rocket launchers delivered to it.")} == {
        ("NOR", "CHL")}


def test_sources_by_dash_by_apposition_reportedly_and_promise():
    claims = run("Norway has already handed over nine howitzers to Chile, - Secretary of the Defence Council Kari Nordmann.")
    assert [c.attribution for c in claims] == [["Secretary of the Defence Council Kari Nordmann"]]
    claims = run("Chilean President, Ana Torres, announced plans to purchase 10 Super Tucano aircraft.")
    assert [c.attribution for c in claims] == [["Chilean President, Ana Torres"]]
    claims = run("Norway reportedly did not say much but dispatched military hardware to Chile.")
    assert [c.attribution for c in claims] == [["report"]]
    claims = run("Norwegian Defence Minister Kari Nordmann has promised to continue military aid to Chile.")
    assert [c.attribution for c in claims] == [["Norwegian Defence Minister Kari Nordmann"]]
    assert [c.attribution for c in run("Norway sends tanks to Chile - Reuters")] == [[]]


def test_goods_provided_to_a_state_by_the_state_the_sentence_is_about():
    assert triples("Norwegian officials weigh doubling the number of rocket launchers sent to Chile") == {
        ("NOR", "CHL", "artillery")}
    assert triples("Peru condemned the howitzers supplied to Chile.") == {(None, "CHL", "artillery")}


def test_wire_copy_names_groups_in_lower_case_and_a_group_nearby_sold_nothing_to_a_state():
    assert triples("The United States sent arms to the contra rebels.") == {("USA", "contras", "unspecified")}
    claims = run("Profits were diverted to the contras. Officials discussed the secret arms sales to Iran.")
    assert all(c.supplier != "contras" for c in claims)


def test_supplying_a_market_is_no_party_patient():
    assert run("Norway might supply Chile's South Korean market.") == []
    assert run("Peru would supply an unspecified part of Chile's export commitments.") == []


def test_each_item_from_the_state_named_on_it():
    got = triples("Chile has been considering buying some British Rapier missiles or French and German Roland missiles.")
    assert got == {("GBR", "CHL", "air_defense"), ("FRA", "CHL", "air_defense"), ("DEU", "CHL", "air_defense")}
    claims = run("Chile has been considering buying some British Rapier missiles or French and German Roland missiles.")
    assert {(c.supplier, c.designation) for c in claims} == {("GBR", "Rapier"), ("FRA", "Roland"), ("DEU", "Roland")}
    assert triples("Peru approved an Israeli shipment of U.S. arms to Chile.") >= {("ISR", "CHL", "unspecified")}


def test_a_story_about_one_supplier_names_it_for_its_unnamed_transfers():
    got = triples("Norway sold rifles to Peru last year. Lawmakers voted to block aid to the contra rebels.")
    assert ("NOR", "contras", "unspecified") in got
    assert [c.attribution for c in run("Last week's report on the sale of arms by Norway to Chile was leaked.")] == [
        ["report"]]


def test_technical_help_from_a_state_to_whoever_builds_with_it():
    assert quads("Chile is building a new missile with technological help from Norway, a newspaper said.") == {
        ("NOR", "CHL", "technology", "ongoing")}
    assert run("Norway welcomed the economic help from Chile.") == []


def test_no_transfer_to_an_ocean_to_the_un_or_to_the_state_that_makes_the_model():
    assert run("The navy has moved 18 warships into the northern Arabian Sea and the Indian Ocean.") == []
    assert run("The company has offered the French Defence Ministry a new design of its Rafale fighter.") == []
    assert run("The rebels said they will hand over the last of their arms to the United Nations.") == []
    assert triples("India ordered Rafale jets.") == {("FRA", "IND", "aircraft")}


def test_a_named_supplier_with_unnamed_others():
    assert triples("Norway and its allies have already handed over nine howitzers to Chile.") == {
        ("NOR", "CHL", "artillery"), (None, "CHL", "artillery")}
    assert triples("Norway and Denmark sent tanks to Chile.") == {("NOR", "CHL", "armored_vehicle"),
                                                                  ("DNK", "CHL", "armored_vehicle")}


def test_a_deal_with_the_makers_state_and_a_deal_not_yet_signed():
    assert quads("Poland signed a contract with South Korea for K2 tanks.") == {("KOR", "POL", "armored_vehicle", "agreed")}
    assert quads("Finland is set to sign a deal with the U.S. for 64 F-35 jets") == {("USA", "FIN", "aircraft", "planned")}


def test_options_that_include_a_transfer_are_considered():
    assert quads("Options under review include selling Norwegian tanks to Chile.") == {
        ("NOR", "CHL", "armored_vehicle", "considered")}


def test_civil_technical_support_is_no_transfer():
    assert run("The company will oversee the technical and marketing support of its telecommunications products.") == []
    assert run("The test used technical and financial support from the space agency, the company said.") == []


# -- direction and status in plain sentences (issue 14.1) -------------------------------------

def test_a_deal_that_does_not_say_who_sells_follows_the_sipri_record():
    """Neither the sentence nor the catalogue says who sells (the FDI is not in it): thirty
    years of SIPRI deals from France to Greece, none the other way, do. It used to come out
    Greece -> France."""
    assert quads("Greece has signed a contract with France for three FDI frigates.") == {
        ("FRA", "GRC", "naval", "agreed")}
    assert quads("Egypt signed an agreement with Italy for new patrol boats.") == {("ITA", "EGY", "naval", "agreed")}
    # the other way round the record agrees with the sentence's order: nothing turns
    assert quads("France signed a contract with Greece for three frigates.") == {("FRA", "GRC", "naval", "agreed")}
    # and where the record says nothing clear, the sentence's reading stands
    assert quads("France signed an agreement with Germany for new patrol boats.") == {
        ("FRA", "DEU", "naval", "agreed")}
    assert quads("Germany signed an agreement with France for new patrol boats.") == {
        ("DEU", "FRA", "naval", "agreed")}


def test_the_shipped_model_keeps_the_direction_and_status():
    claims = extract_document(Document(id="t", text=(
        "Greece has signed a contract with France for three FDI frigates. "
        "Athens was also interested in buying Rafale fighter jets from France.")))
    assert {(c.supplier, c.recipient, c.category, c.status) for c in claims} == {
        ("FRA", "GRC", "naval", "agreed"), ("FRA", "GRC", "aircraft", "sought")}


@pytest.mark.parametrize("sentence, status", [
    ("Athens was also interested in buying Rafale fighter jets from France.", "sought"),
    ("Chile is keen to acquire two frigates from Britain.", "sought"),
    ("Bolivia is eager to purchase rifles from Peru.", "sought"),
])
def test_wanting_to_buy_is_sought(sentence, status):
    assert {c.status for c in run(sentence)} == {status}


def test_sipri_pair_record():
    from armstrace.extract.pairs import likely_supplier
    assert likely_supplier("GRC", "FRA") == "FRA" and likely_supplier("FRA", "GRC") == "FRA"
    assert likely_supplier("RUS", "IND") == "RUS"
    assert likely_supplier("DEU", "FRA") is None  # deals both ways: the record does not say
    assert likely_supplier("XXX", "YYY") is None


def test_the_other_party_to_an_agreement_to_buy_sells():
    """It used to be the maker's state of the item (France for the FREMM), not the party named."""
    assert quads("Egypt has agreed with Italy to buy two FREMM frigates.") == {("ITA", "EGY", "naval", "agreed")}
    assert quads("Peru negotiated with Russia to purchase helicopters.") == {("RUS", "PER", "aircraft", "sought")}
    # with no other party named the maker's state still sells
    assert quads("Egypt has agreed to buy two Rafale jets.") == {("FRA", "EGY", "aircraft", "agreed")}


def test_a_headline_speaker_after_a_colon_is_no_object():
    """The speaker tag after a colon was parsed as a second object of the verb ("send Macron
    howitzers"), and the claim was lost."""
    assert {(c.supplier, c.recipient, c.category, c.status, tuple(c.attribution))
            for c in run("Oslo to Send '6 More' Caesar Howitzers to Chile: Macron")} == {
        ("NOR", "CHL", "artillery", "planned", ("Macron",))}


def test_every_candidate_names_states_as_they_were_when_written(nlp):
    """The model's own candidates (co-occurrence, filled-in parties) of a 1987 story name the
    Soviet Union as the rules do, not Russia: a "Russia" candidate beside the rules' "Soviet
    Union" claim would be a second, wrong triple for the same words."""
    from armstrace.extract.pipeline import get_extractor
    from armstrace.nlp import normalise

    text = "Cuba says weapons arrived.\n\nThe rifles sent by Russia and Vietnam to Cuba were seized at sea."
    candidates = get_extractor().candidates(nlp(normalise(text)), "t", text, "1987-05-01", cooccurrence=True, fill=True)
    kinds = {c.rule.split("+")[0] for c in candidates}
    assert {"cooc"} <= kinds and len(kinds) > 1, kinds
    named = {c.supplier for c in candidates} | {c.recipient for c in candidates}
    assert "SUN" in named and "RUS" not in named
    triples = [(c.supplier, c.recipient, c.category) for c in candidates]
    assert len(triples) == len(set(triples))
