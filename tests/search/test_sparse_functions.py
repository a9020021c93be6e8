"""The sparse embedding functions real chromadb 1.5.9 exports, under the same names and module
paths: the BM25 ones work offline (and give real's vectors), their configuration round-trips, and
the ones that need a package we do not ship say which."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

from chromadb import SparseVector
from chromadb.utils.embedding_functions import (
    Bm25EmbeddingFunction,
    ChromaBm25EmbeddingFunction,
    ChromaCloudSpladeEmbeddingFunction,
    FastembedSparseEmbeddingFunction,
    HuggingFaceSparseEmbeddingFunction,
    build_sparse_embedding_function,
)


def test_chroma_bm25_gives_the_vectors_real_1_5_9_gives() -> None:
    # Real 1.5.9's ChromaBm25EmbeddingFunction() on this text (run once with the oracle venv):
    # "running" and "fox" stem to "run" and "fox", both once in a 2-term text.
    got = ChromaBm25EmbeddingFunction().embed_query(["running fox"])
    assert got == [SparseVector(indices=[243905464, 1621867415], values=[1.6832038254632398] * 2)]


def test_chroma_bm25_terms_stopwords_and_lengths() -> None:
    ef = ChromaBm25EmbeddingFunction(token_max_length=6, include_tokens=True)
    (vector,) = ef(["The cats, the CATS and a remarkably long word!"])
    assert sorted(vector.labels or []) == ["cat", "long", "word"]  # stopwords, >6 letters out
    counts = dict(zip(vector.labels or [], vector.values))
    assert counts["cat"] > counts["word"]  # twice versus once
    assert ef([""]) == [SparseVector(indices=[], values=[])]
    custom = ChromaBm25EmbeddingFunction(stopwords=["cat"], include_tokens=True)
    assert "the" in (custom(["the cat"])[0].labels or [])


@pytest.mark.parametrize(
    "ef",
    [
        pytest.param(ChromaBm25EmbeddingFunction(k=1.4, b=0.5, stopwords=["x"]), id="chroma_bm25"),
        pytest.param("bm25", id="bm25"),
    ],
)
def test_configuration_round_trips_by_name(ef: object) -> None:
    if ef == "bm25":
        with pytest.warns(DeprecationWarning, match="ChromaBm25EmbeddingFunction"):
            ef = Bm25EmbeddingFunction(k=1.1, avg_len=50, query_config={"task": "query"})
    name, config = ef.name(), ef.get_config()  # type: ignore[attr-defined]
    rebuilt = build_sparse_embedding_function(name, config)
    assert type(rebuilt) is type(ef) and rebuilt.get_config() == config
    text = ["quick brown foxes jumped"]
    assert rebuilt(text) == ef(text)  # type: ignore[operator]


def test_bm25_documents_and_queries() -> None:
    with pytest.warns(DeprecationWarning):
        ef = Bm25EmbeddingFunction(query_config={"task": "query"})
    (doc,) = ef(["foxes run, foxes jump"])
    (query,) = ef.embed_query(["foxes run, foxes jump"])
    assert doc.indices == query.indices
    assert query.values == [1.0] * len(query.indices)  # a query term counts once
    assert doc == ChromaBm25EmbeddingFunction()(["foxes run, foxes jump"])[0]
    with pytest.warns(DeprecationWarning):
        german = Bm25EmbeddingFunction(language="german", disable_stemmer=False)
    assert german(["Häuser"]) == german(["Haus"])
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="Invalid task"):
        Bm25EmbeddingFunction(task="summary")(["x"])  # type: ignore[arg-type]


@pytest.mark.skipif(importlib.util.find_spec("fastembed") is not None, reason="installed")
def test_fastembed_names_the_missing_package() -> None:
    with pytest.raises(ValueError, match="pip install fastembed"):
        FastembedSparseEmbeddingFunction(model_name="prithivida/Splade_PP_en_v1")


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is not None, reason="installed"
)
def test_huggingface_sparse_names_the_missing_package() -> None:
    with pytest.raises(ValueError, match="sentence-transformers"):
        HuggingFaceSparseEmbeddingFunction(model_name="naver/splade-v3", device="cpu")


def test_chroma_cloud_splade_says_it_needs_chroma_cloud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHROMA_API_KEY", raising=False)
    with pytest.raises(ValueError, match="CHROMA_API_KEY"):
        ChromaCloudSpladeEmbeddingFunction()
    monkeypatch.setenv("CHROMA_API_KEY", "key")
    ef = ChromaCloudSpladeEmbeddingFunction()
    assert (
        build_sparse_embedding_function(ef.name(), ef.get_config()).get_config() == ef.get_config()
    )
    with pytest.raises(ValueError, match="HuggingFaceSparseEmbeddingFunction"):
        ef(["text"])


# What real 1.5.9 refuses in a sparse schema or vector, and how: run by each package's python.
CASES = """
import json, sys
from chromadb import Schema, SparseVectorIndexConfig, SparseVector, K
def ef_like():
    class E:
        def __call__(self, input): return []
        @staticmethod
        def name(): return "custom_sparse"
        def get_config(self): return {}
    return E()
cases = {
 "no_key": lambda: Schema().create_index(config=SparseVectorIndexConfig()),
 "two_indexes": lambda: Schema().create_index(config=SparseVectorIndexConfig(), key="a").create_index(config=SparseVectorIndexConfig(), key="b"),
 "hash_source": lambda: SparseVectorIndexConfig(source_key="#embedding"),
 "source_without_ef": lambda: Schema().create_index(config=SparseVectorIndexConfig(source_key=K.DOCUMENT), key="a"),
 "ef_not_callable": lambda: SparseVectorIndexConfig(embedding_function="x"),
 "unsorted": lambda: SparseVector(indices=[2, 1], values=[1.0, 2.0]),
 "lengths": lambda: SparseVector(indices=[1], values=[1.0, 2.0]),
 "negative": lambda: SparseVector(indices=[-1], values=[1.0]),
 "not_number": lambda: SparseVector(indices=[1], values=["a"]),
 "labels": lambda: SparseVector(indices=[1], values=[1.0], labels=["a", "b"]),
 "from_dict_untagged": lambda: SparseVector.from_dict({"indices": [1], "values": [1.0]}),
 "algorithm_ignored": lambda: SparseVectorIndexConfig(algorithm="wand"),
 "unknown_field": lambda: SparseVectorIndexConfig(foo=1),
 "unknown_fields": lambda: SparseVectorIndexConfig(foo=1, bar=2),
 "same_key_twice_ok": lambda: Schema().create_index(config=SparseVectorIndexConfig(), key="a").create_index(config=SparseVectorIndexConfig(), key="a"),
}
out = {}
for name, f in cases.items():
    try:
        f(); out[name] = None
    except Exception as e:
        out[name] = [type(e).__name__, str(e).splitlines()[:3]]
print(json.dumps(out))
"""


@pytest.mark.compat
def test_schema_and_vector_errors_are_real_1_5_9s(tmp_path: Path) -> None:
    from tests.compat.installers import embedded_chroma

    script = tmp_path / "cases.py"
    script.write_text(CASES)

    def answers(python: str, *flags: str) -> Dict[str, Any]:
        done = subprocess.run(
            [python, *flags, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr[-2000:]
        found: Dict[str, Any] = json.loads(done.stdout)
        return found

    real = answers(str(embedded_chroma("1.5.9")), "-I")
    ours = answers(sys.executable)
    assert ours == real
    assert real["same_key_twice_ok"] is None and real["no_key"][0] == "ValueError"


BM25_SCRIPT = """
import json, sys
sys.path.append(sys.argv[1])  # snowballstemmer (pure Python), which real's venv lacks
from chromadb.utils.embedding_functions import ChromaBm25EmbeddingFunction
texts = json.loads(open(sys.argv[2]).read())
out = []
for ef in (ChromaBm25EmbeddingFunction(), ChromaBm25EmbeddingFunction(k=1.5, b=0.5, avg_doc_length=10, token_max_length=8, stopwords=["fox"], include_tokens=True)):
    out.append([v.to_dict() for v in ef(texts)])
print(json.dumps(out))
"""


@pytest.mark.compat
def test_chroma_bm25_vectors_are_real_1_5_9s_on_varied_text(tmp_path: Path) -> None:
    import random
    import shutil

    import snowballstemmer

    from tests.compat.installers import embedded_chroma

    shutil.copytree(Path(snowballstemmer.__file__).parent, tmp_path / "lib" / "snowballstemmer")
    rng = random.Random(4)
    words = (
        "The quick brown fox's jumping over lazy dogs; running RUNS ran! naïve café don't "
        "e-mail 2024 x_y über Straße coöperate ... -- a an extraordinarily-long-hyphenated".split()
    )
    texts = ["", "   ", "!!!"] + [
        " ".join(rng.choices(words, k=rng.randint(1, 25))) for _ in range(60)
    ]
    (tmp_path / "texts.json").write_text(json.dumps(texts))
    script = tmp_path / "bm25.py"
    script.write_text(BM25_SCRIPT)
    done = subprocess.run(
        [
            str(embedded_chroma("1.5.9")),
            "-I",
            str(script),
            str(tmp_path / "lib"),
            str(tmp_path / "texts.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    real = json.loads(done.stdout)
    ours = [
        [v.to_dict() for v in ef(texts)]
        for ef in (
            ChromaBm25EmbeddingFunction(),
            ChromaBm25EmbeddingFunction(
                k=1.5,
                b=0.5,
                avg_doc_length=10,
                token_max_length=8,
                stopwords=["fox"],
                include_tokens=True,
            ),
        )
    ]
    assert ours == real
