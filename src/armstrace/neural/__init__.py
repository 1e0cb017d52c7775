"""The claim encoder: a fine-tuned transformer that reads candidate windows and decides the claims.

A stage of its own between `nlp` and `extract`: windows (`windows.py`) -> encoder (ONNX
Runtime, int8, `runtime.py`) -> scored (supplier, recipient, category, status) cells that
extraction turns into claims. It imports only spaCy's parsed documents, numpy, tokenizers and
onnxruntime; `armstrace train` fits it with torch (`fit.py`, the `train` extra).
"""
