"""The Search API's expressions serialise exactly as real chromadb 1.5.9's do (the body its
official client sends), and parse back. Each expression is built by the same source text in
real Chroma (a subprocess on the oracle venv) and here, and the dicts compared."""

from __future__ import annotations

import json
import subprocess
from typing import Any, Dict, List

import pytest

from chromadb.execution.expression import *  # noqa: F403 (the same names the snippets use)
from chromadb.execution.expression import Rank, Search, Where

# Source text of expressions, evaluated identically in both processes.
EXPRESSIONS: List[str] = [
    "Search().where((K('category') == 'science') & (K('year') >= 2020)).rank(Rrf([Knn(query=[0.1,0.2], return_rank=True, limit=100), Knn(query='sparse', key='sparse_embedding', return_rank=True)], k=60, weights=[0.7,0.3])).limit(10, offset=5).select(K.DOCUMENT, K.SCORE, 'title')",
    "Search(rank=Knn(query=[1.0,2.0]) * 0.5 + Knn(query=[3.0,4.0], default=10.0).abs(), group_by=GroupBy(keys=[K('cat')], aggregate=MinK(keys=[K.SCORE], k=2)))",
    "K.ID.is_in(['a', 'b']) | K.DOCUMENT.contains('x')",
    "(K('a') == 1) & ((K('b') != 2) & (K('c') > 3))",
    "(K('a') < 1) | (K('b') <= 2) | K('c').not_in([1, 2]) | K('d').regex('^x') | K('e').not_regex('y$')",
    "K.DOCUMENT.not_contains('z') & K('tags').contains(3)",
    "Knn(query=[1.0]) + Knn(query=[2.0]) + 3",
    "2 + Knn(query=[1.0])",
    "Knn(query=[1.0]) - 2",
    "2 - Knn(query=[1.0])",
    "Knn(query=[1.0]) * 2 * 3",
    "2 * Knn(query=[1.0])",
    "Knn(query=[1.0]) / 2",
    "2 / Knn(query=[1.0])",
    "-Knn(query=[1.0])",
    "abs(Knn(query=[1.0]))",
    "Knn(query=[1.0]).exp().log()",
    "Knn(query=[1.0]).max(0).min(Val(3))",
    "Knn(query=[1.0]).max(0).max(1)",
    "(Val(1) * Val(2)) * (Val(3) * Val(4))",
    "Knn(query=[1, 2], key='#embedding', limit=5, default=1, return_rank=True)",
    "Knn(query={'indices': [1, 2], 'values': [0.5, 0.5]}, key='sp')",
    "Knn(query=[1.0], key=K.EMBEDDING)",
    "Rrf([Knn(query=[1.0], return_rank=True)])",
    "Rrf([Knn(query=[1.0], return_rank=True), Knn(query=[2.0], return_rank=True)], weights=[1, 3], normalize=True)",
    "Rrf([Knn(query=[1.0], return_rank=True), Knn(query=[2.0], return_rank=True)], k=10, normalize=True)",
    "Limit(offset=3, limit=4)",
    "Limit()",
    "Select(keys=[K.DOCUMENT])",
    "GroupBy(keys=K('a'), aggregate=MaxK(keys=K.SCORE, k=3))",
    "GroupBy(keys=['a', 'b'], aggregate=MinK(keys=['#score', 'x'], k=1))",
    "GroupBy(keys=['a'])",
    "Search()",
    "Search(where={'a': {'$gt': 1}})",
    "Search(where={'$and': [{'a': 1}, {'b': 2}]})",
    "Search(rank={'$knn': {'query': [1.0]}})",
    "Search(limit=5)",
    "Search().where(K('a') == 1).where(K('b') == 2)",
    "Search().limit(3)",
    "Search(where=K('a') == 1, rank=Knn(query=[1.0]), limit=Limit(limit=3), select=Select(keys=[K.ID]))",
    "Search().select_all()",
    "Eq('category', 'science') & Gt('score', 0.5)",
    "And([Eq('a', 1), Or([In('b', [1]), Nin('c', ['x'])])])",
]

ERRORS: List[str] = [
    "Rrf([Knn(query=[1.0], return_rank=True)], weights=[1, 2])",
    "Rrf([Knn(query=[1.0], return_rank=True)], k=-1)",
    "Rrf([])",
    "Rrf([Knn(query=[1.0])], weights=[-1])",
    "Rrf([Knn(query=[1.0])], weights=[0], normalize=True)",
    "Search(where={'a': 1, 'b': 2})",
    "Search(where=3)",
    "Search(rank=3)",
    "Search(select=['a', K.SCORE])",
    "K.DOCUMENT.contains(3)",
]

SCRIPT = """
import json, sys
from chromadb.execution.expression import *
out = []
for text in json.loads(sys.argv[1]):
    try:
        out.append({"ok": eval(text).to_dict()})
    except Exception as e:
        out.append({"error": type(e).__name__, "message": str(e)})
print(json.dumps(out))
"""


def _ours(text: str) -> Dict[str, Any]:
    try:
        return {"ok": json.loads(json.dumps(eval(text).to_dict()))}
    except Exception as e:
        return {"error": type(e).__name__, "message": str(e)}


def _normalised(answer: Dict[str, Any]) -> Any:
    # Real keeps selected keys in a set, so their order varies with the hash seed: compare them
    # as sets.
    value = answer.get("ok")
    if isinstance(value, dict) and isinstance(value.get("select"), dict):
        value = dict(value, select={"keys": sorted(value["select"]["keys"])})
    if isinstance(value, dict) and set(value) == {"keys"} and isinstance(value["keys"], list):
        value = {"keys": sorted(map(str, value["keys"]))}
    return {**answer, "ok": value} if "ok" in answer else answer


@pytest.fixture(scope="module")
def real_answers() -> List[Dict[str, Any]]:
    from tests.compat.installers import embedded_chroma

    python = embedded_chroma("1.5.9")
    texts = EXPRESSIONS + ERRORS
    # -I and a neutral cwd, so that our own package does not shadow real chromadb.
    run = subprocess.run(
        [str(python), "-I", "-c", SCRIPT, json.dumps(texts)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return list(json.loads(run.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("index", range(len(EXPRESSIONS)))
def test_to_dict_matches_real(index: int, real_answers: List[Dict[str, Any]]) -> None:
    text = EXPRESSIONS[index]
    assert _normalised(_ours(text)) == _normalised(real_answers[index]), text


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_rejects_what_real_rejects(index: int, real_answers: List[Dict[str, Any]]) -> None:
    text = ERRORS[index]
    real = real_answers[len(EXPRESSIONS) + index]
    ours = _ours(text)
    assert "error" in real, (text, real)
    assert (ours.get("error"), ours.get("message")) == (real["error"], real["message"]), text


@pytest.mark.parametrize("text", [t for t in EXPRESSIONS if t.startswith("Search")])
def test_search_round_trips_through_from_dict(text: str) -> None:
    wire = eval(text).to_dict()
    assert Search.from_dict(json.loads(json.dumps(wire))).to_dict() == wire


@pytest.mark.parametrize(
    "body",
    [
        {"$knn": {"query": [1.0], "limit": 0}},
        {"$knn": {"limit": 3}},
        {"$sum": [{"$val": 1}]},
        {"$div": {"left": {"$val": 1}}},
        {"$rrf": {}},
        {"$val": "x"},
        {"$knn": {"query": {"#type": "sparse_vector", "indices": [1]}}},
        {"$knn": {"query": {"indices": [1]}}},
    ],
)
def test_bad_rank_bodies_are_rejected(body: Dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        Rank.from_dict(body)


def test_sparse_queries_parse_tagged_and_bare() -> None:
    # The Python clients tag a sparse query with #type; npm chromadb 3.x sends it bare.
    tagged = {"#type": "sparse_vector", "indices": [1, 4], "values": [0.5, 2.0]}
    bare = {"indices": [1, 4], "values": [0.5, 2.0]}
    for query in (tagged, bare):
        knn = Rank.from_dict({"$knn": {"query": query, "key": "sp"}})
        assert knn.to_dict()["$knn"]["query"] == tagged


def test_where_from_dict_shapes() -> None:
    assert Where.from_dict({"a": 1}).to_dict() == {"a": {"$eq": 1}}
    assert Where.from_dict({"$and": [{"a": {"$eq": 1}}]}).to_dict() == {"a": {"$eq": 1}}
    with pytest.raises(ValueError, match="Unknown operator"):
        Where.from_dict({"a": {"$foo": 1}})
    with pytest.raises(ValueError, match="cannot be empty"):
        Where.from_dict({})


def test_top_level_names() -> None:
    import chromadb

    assert chromadb.Search is Search
    assert chromadb.K is chromadb.Key
    assert chromadb.Knn(query=[1.0]).to_dict()["$knn"]["key"] == "#embedding"
    assert chromadb.Rrf is not None
