// The Search API: the builders' JSON (the wire format of Chroma's JS client 3.x), their argument
// checks, and collection.search against a real server of ours, every ranking checked against a
// brute-force computation. Where the official 3.x client is in the compat cache (the Python
// compat tests install it), the same builder calls are checked to send the same JSON.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";

import * as ours from "chromadb";
import {
  ChromaClient,
  ChromaClientError,
  ChromaValueError,
  GroupBy,
  K,
  Key,
  Knn,
  Limit,
  MaxK,
  MinK,
  Rrf,
  Search,
  SearchResult,
  Select,
  Sum,
  Val,
  WhereExpression,
} from "chromadb";

import { startServer } from "./helpers/server.mjs";

// -- builders ------------------------------------------------------------------------------------
describe("builders send Chroma's search JSON", () => {
  test("Knn defaults to the dense key and 128 neighbours", () => {
    assert.deepEqual(Knn({ query: new Float32Array([1, 0.5]) }).toJSON(), {
      $knn: { query: [1, 0.5], key: "#embedding", limit: 128 },
    });
    assert.deepEqual(
      Knn({ query: [1], key: K.EMBEDDING, limit: 5, default: 10, returnRank: true }).toJSON(),
      { $knn: { query: [1], key: "#embedding", limit: 5, default: 10, return_rank: true } },
    );
  });

  test("arithmetic nests, and flattens runs of the same operator", () => {
    const knn = Knn({ query: [1] });
    const k = knn.toJSON();
    assert.deepEqual(knn.add(1).add(Val(2)).toJSON(), { $sum: [k, { $val: 1 }, { $val: 2 }] });
    assert.deepEqual(knn.negate().toJSON(), { $mul: [k, { $val: -1 }] });
    assert.deepEqual(knn.subtract(1).divide(2).toJSON(), {
      $div: { left: { $sub: { left: k, right: { $val: 1 } } }, right: { $val: 2 } },
    });
    assert.deepEqual(knn.exp().log().abs().toJSON(), { $abs: { $log: { $exp: k } } });
    assert.deepEqual(knn.max(0).min(9).toJSON(), { $min: [{ $max: [k, { $val: 0 }] }, { $val: 9 }] });
    assert.deepEqual(Sum(knn).toJSON(), k, "an operation on one operand is that operand");
  });

  test("Rrf is sent as -(sum of weight / (rank + k)), weights normalized on request", () => {
    const a = Knn({ query: [1], returnRank: true });
    const b = Knn({ query: [2], returnRank: true });
    const term = (w, r) => ({ $div: { left: { $val: w }, right: { $sum: [r.toJSON(), { $val: 10 }] } } });
    assert.deepEqual(Rrf({ ranks: [a, b], k: 10, weights: [3, 1], normalize: true }).toJSON(), {
      $mul: [{ $sum: [term(0.75, a), term(0.25, b)] }, { $val: -1 }],
    });
  });

  test("filters combine with and / or, flattening nested runs", () => {
    const f = K("a").eq(1).and(K("b").gt(2)).and(K.DOCUMENT.contains("x")).or(K.ID.isIn(["i"]));
    assert.deepEqual(f.toJSON(), {
      $or: [
        { $and: [{ a: { $eq: 1 } }, { b: { $gt: 2 } }, { "#document": { $contains: "x" } }] },
        { "#id": { $in: ["i"] } },
      ],
    });
    assert.deepEqual(WhereExpression.from({ a: 1 }).toJSON(), { a: { $eq: 1 } });
    assert.deepEqual(K("t").notContains(3).toJSON(), { t: { $not_contains: 3 } });
  });

  test("a Search's payload holds only what was set; methods return new searches", () => {
    const base = new Search();
    assert.deepEqual(base.toPayload(), { limit: { offset: 0 }, select: { keys: [] } });
    const full = base
      .where({ year: { $gte: 2020 } })
      .rank(Knn({ query: [1] }))
      .groupBy(new GroupBy([K("cat")], new MinK([K.SCORE], 2)))
      .limit(5, 10)
      .select(K.DOCUMENT, "title", K.DOCUMENT);
    assert.deepEqual(full.toPayload(), {
      filter: { year: { $gte: 2020 } },
      rank: { $knn: { query: [1], key: "#embedding", limit: 128 } },
      group_by: { keys: ["cat"], aggregate: { $min_k: { keys: ["#score"], k: 2 } } },
      limit: { offset: 10, limit: 5 },
      select: { keys: ["#document", "title"] },
    });
    assert.deepEqual(base.toPayload(), { limit: { offset: 0 }, select: { keys: [] } });
    assert.deepEqual(new Search({ limit: { limit: 3 }, select: ["#score"], rank: 2 }).toPayload(), {
      limit: { offset: 0, limit: 3 },
      select: { keys: ["#score"] },
      rank: { $val: 2 },
    });
    assert.deepEqual(base.selectAll().selectConfig.values, ["#document", "#embedding", "#metadata", "#score"]);
    assert.deepEqual(new GroupBy(["c"], { $max_k: { keys: ["n"], k: 1 } }).toJSON(), {
      keys: ["c"],
      aggregate: { $max_k: { keys: ["n"], k: 1 } },
    });
  });

  const misuse = {
    "Knn limit 0": () => Knn({ query: [1], limit: 0 }),
    "Knn query of strings": () => Knn({ query: ["a"] }),
    "Rrf weights of the wrong length": () => Rrf({ ranks: [Knn({ query: [1] })], weights: [1, 2] }),
    "Rrf without ranks": () => Rrf({ ranks: [] }),
    "unknown filter operator": () => WhereExpression.from({ a: { $near: 1 } }),
    "two fields in one filter object": () => new Search({ where: { a: 1, b: 2 } }),
    "empty $in": () => K("a").isIn([]),
    "negative offset": () => new Limit({ offset: -1 }),
    "limit 0": () => new Search().limit(0),
    "MinK k 0": () => new MinK([K.SCORE], 0),
    "GroupBy without keys": () => new GroupBy([], new MaxK(["n"], 1)),
    "select of a number": () => new Select([1]),
    "document contains a number": () => K.DOCUMENT.contains(1),
  };
  for (const [name, call] of Object.entries(misuse)) {
    test(`misuse is a ChromaValueError before any request: ${name}`, () => {
      assert.throws(call, ChromaValueError);
    });
  }
});

// -- against the server --------------------------------------------------------------------------
const N = 40;
const DIM = 4;
const CATS = ["a", "b", "c"];

/** A small seeded generator (mulberry32), so the records are the same on every run. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(7);
const vector = () => Array.from({ length: DIM }, () => Math.fround(next() * 2 - 1));
const records = Array.from({ length: N }, (_, i) => ({
  id: `r${String(i).padStart(2, "0")}`,
  embedding: vector(),
  metadata: { cat: CATS[i % 3], n: i },
  document: `record ${i} is ${["red", "green", "blue"][(i * 5) % 3]}`,
}));
const queries = { q1: vector(), q2: vector() };

/** Squared L2 distance (the default space), in float64 from the stored float32 values. */
const distance = (a, b) => a.reduce((sum, x, i) => sum + (x - b[i]) ** 2, 0);

/** Positions of the records nearest to `query`, nearest first, among those `keep` admits. */
function nearest(query, limit, keep = () => true) {
  return records
    .map((r, i) => [distance(r.embedding, query), i])
    .filter(([, i]) => keep(records[i]))
    .sort((x, y) => x[0] - y[0])
    .slice(0, limit)
    .map(([, i]) => i);
}

const idsOf = (positions) => positions.map((i) => records[i].id);

function assertClose(actual, expected, tolerance = 1e-5) {
  assert.equal(actual.length, expected.length);
  actual.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) <= tolerance, `${actual} != ${expected}`));
}

describe("collection.search against the server", () => {
  let server;
  let collection;
  // Text queries name a query vector, so the test knows exactly what was searched.
  const lookup = { generate: (texts) => texts.map((t) => queries[t]) };

  before(async () => {
    server = await startServer();
    const client = new ChromaClient({ path: server.url });
    collection = await client.createCollection({ name: "search_test", embeddingFunction: lookup });
    await collection.add({
      ids: records.map((r) => r.id),
      embeddings: records.map((r) => r.embedding),
      metadatas: records.map((r) => r.metadata),
      documents: records.map((r) => r.document),
    });
  });

  after(async () => {
    await server?.stop();
  });

  test("dense Knn ranks by distance, nearest first, with the selected fields", async () => {
    const result = await collection.search(
      new Search().rank(Knn({ query: queries.q1, limit: 20 })).limit(8).select(K.DOCUMENT, K.SCORE),
    );
    assert.ok(result instanceof SearchResult);
    const top = nearest(queries.q1, 8);
    assert.deepEqual(result.ids, [idsOf(top)]);
    assertClose(result.scores[0], top.map((i) => distance(records[i].embedding, queries.q1)));
    assert.deepEqual(result.documents, [top.map((i) => records[i].document)]);
    assert.deepEqual(result.metadatas, [null]);
    assert.deepEqual(result.select, [["#document", "#score"]]);
    const rows = result.rows()[0];
    assert.deepEqual(Object.keys(rows[0]).sort(), ["document", "id", "score"]);
    assert.equal(rows[0].id, records[top[0]].id);
  });

  test("where filters before ranking; limit and offset page the ranking", async () => {
    const where = K("cat").eq("b").and(K("n").gte(6));
    const result = await collection.search(
      new Search({ where, rank: Knn({ query: queries.q2 }), limit: { limit: 4, offset: 2 } }),
    );
    const kept = nearest(queries.q2, N, (r) => r.metadata.cat === "b" && r.metadata.n >= 6);
    assert.deepEqual(result.ids, [idsOf(kept.slice(2, 6))]);
    assert.deepEqual(result.rows()[0], idsOf(kept.slice(2, 6)).map((id) => ({ id })));
  });

  test("filters on #id and #document without a rank", async () => {
    const result = await collection.search(
      new Search()
        .where(K.DOCUMENT.contains("blue").and(K.ID.notIn(["r01"])))
        .select(K.DOCUMENT, "n"),
    );
    const matching = records.filter((r) => r.document.includes("blue") && r.id !== "r01");
    assert.deepEqual(result.ids[0], matching.map((r) => r.id));
    assert.deepEqual(result.metadatas[0], matching.map((r) => ({ n: r.metadata.n })));
  });

  test("Rrf of two Knns matches the formula", async () => {
    const [k, weights, fallback] = [60, [1, 2], 500];
    const result = await collection.search(
      new Search()
        .rank(
          Rrf({
            ranks: ["q1", "q2"].map((q) =>
              Knn({ query: queries[q], limit: 15, returnRank: true, default: fallback }),
            ),
            k,
            weights,
          }),
        )
        .limit(10)
        .select(K.SCORE),
    );
    const ranks = ["q1", "q2"].map((q) => new Map(nearest(queries[q], 15).map((i, pos) => [i, pos])));
    const candidates = [...new Set([...ranks[0].keys(), ...ranks[1].keys()])];
    const fused = (i) => -weights.reduce((s, w, j) => s + w / (k + (ranks[j].get(i) ?? fallback)), 0);
    const expected = candidates.sort((x, y) => fused(x) - fused(y) || (records[x].id < records[y].id ? -1 : 1));
    assert.deepEqual(result.ids, [idsOf(expected.slice(0, 10))]);
    assertClose(result.scores[0], expected.slice(0, 10).map(fused), 1e-12);
  });

  test("group_by keeps the best k of each group (MinK on the score, MaxK on a key)", async () => {
    const [byScore, byN] = (
      await collection.search([
        new Search()
          .rank(Knn({ query: queries.q1, limit: 30 }))
          .groupBy(new GroupBy([K("cat")], new MinK([K.SCORE], 2)))
          .select(K.SCORE, "cat"),
        new Search()
          .rank(Knn({ query: queries.q1, limit: 30 }))
          .groupBy(new GroupBy([K("cat")], new MaxK([K("n")], 1)))
          .select(K.METADATA),
      ])
    ).rows();
    const top = nearest(queries.q1, 30);
    const firstTwo = top.filter((i) => top.filter((j) => records[j].metadata.cat === records[i].metadata.cat).indexOf(i) < 2);
    assert.deepEqual(byScore.map((r) => r.id), idsOf(firstTwo));
    assert.deepEqual(byScore.map((r) => r.metadata), firstTwo.map((i) => ({ cat: records[i].metadata.cat })));
    const largest = CATS.map((cat) => Math.max(...top.filter((i) => records[i].metadata.cat === cat)));
    assert.deepEqual(byN.map((r) => r.id), idsOf(top.filter((i) => largest.includes(i))));
    assert.deepEqual(byN[0].metadata, records[Number(byN[0].id.slice(1))].metadata);
  });

  test("several searches in one call answer like one call each; text queries are embedded", async () => {
    const searches = [
      new Search().rank(Knn({ query: "q1", limit: 10 })).limit(5).select(K.SCORE, K.EMBEDDING),
      { rank: Knn({ query: queries.q2 }), limit: 3 },
      new Search().where(K("n").lt(3)),
    ];
    const together = await collection.search(searches, { readLevel: ours.ReadLevel.INDEX_ONLY });
    const alone = await Promise.all(searches.map((s) => collection.search(s)));
    assert.deepEqual(together.ids, alone.map((r) => r.ids[0]));
    assert.deepEqual(together.rows(), alone.map((r) => r.rows()[0]));
    assert.deepEqual(together.ids[0], idsOf(nearest(queries.q1, 5)));
    assertClose(together.embeddings[0][0], records[nearest(queries.q1, 1)[0]].embedding);
    assert.deepEqual(together.ids[2], ["r00", "r01", "r02"]);
  });

  test("the server's refusals are ChromaClientErrors with its message; bad arguments send nothing", async () => {
    const error = await collection.search(new Search().rank(Knn({ query: [1, 2] }))).catch((e) => e);
    assert.ok(error instanceof ChromaClientError, String(error));
    assert.equal(error.status, 400);
    assert.match(error.message, /dimension/i);
    await assert.rejects(collection.search([]), ChromaValueError);
    await assert.rejects(collection.search(new Search().rank(Knn({ query: "x", key: "sparse" }))), ChromaValueError);
    const bare = await new ChromaClient({ path: server.url }).getCollection({ name: "search_test" });
    await assert.rejects(bare.search(new Search().rank(Knn({ query: "q1" }))), /no embedding function/);
  });
});

// -- sparse vectors ------------------------------------------------------------------------------
const SPARSE_SCHEMA = {
  defaults: {},
  keys: { sp: { sparse_vector: { sparse_vector_index: { enabled: true, config: {} } } } },
};
// Values in quarters are exact in float32, so the dot products below are exact too.
const sparseOf = (i) =>
  i % 5 === 4 ? null : { indices: [i % 7, 7 + (i % 3)], values: [((i % 4) + 1) / 4, ((i % 3) + 1) / 2] };
const SPARSE_QUERY = { indices: [1, 3, 8], values: [2, 1, 0.5] };

/** `1 - dot` with the query, or undefined when no term is shared (such records do not score). */
function sparseScore(vector) {
  if (!vector) return undefined;
  const q = new Map(SPARSE_QUERY.indices.map((j, k) => [j, SPARSE_QUERY.values[k]]));
  if (!vector.indices.some((j) => q.has(j))) return undefined;
  return 1 - vector.indices.reduce((sum, j, k) => sum + vector.values[k] * (q.get(j) ?? 0), 0);
}

describe("sparse vectors: metadata, sparse Knn and hybrid Rrf against the server", () => {
  let server;
  let collection;

  before(async () => {
    server = await startServer();
    const client = new ChromaClient({ path: server.url });
    collection = await client.createCollection({ name: "sparse_test", schema: SPARSE_SCHEMA });
    await collection.add({
      ids: records.map((r) => r.id),
      embeddings: records.map((r) => r.embedding),
      metadatas: records.map((r, i) => (sparseOf(i) ? { ...r.metadata, sp: sparseOf(i) } : r.metadata)),
    });
  });

  after(async () => {
    await server?.stop();
  });

  test("sparse vectors in metadata come back as {indices, values} from get, query and search", async () => {
    const got = await collection.get({ ids: ["r01", "r04"], include: ["metadatas"] });
    assert.deepEqual(got.metadatas, [{ ...records[1].metadata, sp: sparseOf(1) }, records[4].metadata]);
    const found = await collection.query({ queryEmbeddings: [records[1].embedding], nResults: 1 });
    assert.deepEqual(found.metadatas, [[{ ...records[1].metadata, sp: sparseOf(1) }]]);
    const searched = await collection.search(new Search().where(K.ID.eq("r01")).select(K.METADATA));
    assert.deepEqual(searched.rows()[0], [{ id: "r01", metadata: { ...records[1].metadata, sp: sparseOf(1) } }]);
  });

  test("a sparse Knn ranks by 1 - dot product, ties by id", async () => {
    const result = await collection.search(
      new Search().rank(Knn({ query: SPARSE_QUERY, key: "sp", limit: 10 })).limit(10).select(K.SCORE),
    );
    const expected = records
      .map((r, i) => [sparseScore(sparseOf(i)), r.id])
      .filter(([score]) => score !== undefined)
      .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1))
      .slice(0, 10);
    assert.deepEqual(result.ids, [expected.map(([, id]) => id)]);
    assertClose(result.scores[0], expected.map(([score]) => score), 1e-6);
  });

  test("Rrf fuses a dense and a sparse Knn by the formula", async () => {
    const [k, fallback] = [60, 50];
    const result = await collection.search(
      new Search()
        .rank(
          Rrf({
            ranks: [
              Knn({ query: queries.q1, limit: 12, returnRank: true, default: fallback }),
              Knn({ query: SPARSE_QUERY, key: K("sp"), limit: 12, returnRank: true, default: fallback }),
            ],
            k,
          }),
        )
        .limit(8)
        .select(K.SCORE),
    );
    const dense = new Map(nearest(queries.q1, 12).map((i, pos) => [records[i].id, pos]));
    const sparseOrder = records
      .map((r, i) => [sparseScore(sparseOf(i)), r.id])
      .filter(([score]) => score !== undefined)
      .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1))
      .slice(0, 12);
    const sparse = new Map(sparseOrder.map(([, id], pos) => [id, pos]));
    const fused = (id) => -(1 / (k + (dense.get(id) ?? fallback)) + 1 / (k + (sparse.get(id) ?? fallback)));
    const expected = [...new Set([...dense.keys(), ...sparse.keys()])]
      .sort((a, b) => fused(a) - fused(b) || (a < b ? -1 : 1))
      .slice(0, 8);
    assert.deepEqual(result.ids, [expected]);
    assertClose(result.scores[0], expected.map(fused), 1e-12);
  });

  test("a sparse Knn over a key without a sparse index is refused by the server", async () => {
    const error = await collection.search(new Search().rank(Knn({ query: SPARSE_QUERY, key: "cat" }))).catch((e) => e);
    assert.ok(error instanceof ChromaClientError, String(error));
    assert.match(error.message, /cat/);
  });
});

// -- the official 3.x client, where the compat tests installed it --------------------------------
const OFFICIAL = join(
  process.env.CHROMADB_COMPAT_CACHE || join(homedir(), ".cache", "chromadb-compat"),
  "npm-chromadb-3.5.0",
  "node_modules",
  "chromadb",
  "dist",
  "chromadb.mjs",
);
const SEARCH_NAMES = [
  "Abs", "Aggregate", "DOCUMENT_KEY", "Div", "EMBEDDING_KEY", "Exp", "GroupBy", "K", "Key", "Knn",
  "Limit", "Log", "Max", "MaxK", "Min", "MinK", "Mul", "RankExpression", "ReadLevel", "Rrf",
  "Search", "SearchResult", "Select", "Sub", "Sum", "Val", "WhereExpression", "toSearch",
];

/** Builder calls written once and run with either package. */
const RECIPES = {
  knn: (m) => new m.Search().rank(m.Knn({ query: [0.5, 1], limit: 7, default: 3 })).limit(2, 1),
  arithmetic: (m) =>
    new m.Search().rank(m.Knn({ query: [1] }).multiply(2).add(1, m.Val(3)).exp().log().abs().max(0).min(5).negate()),
  functions: (m) =>
    new m.Search({ rank: m.Div(m.Sub(m.Sum(1, 2), m.Mul(3, 4)), m.Max(m.Abs(1), m.Exp(2), m.Log(3), m.Min(4, 5))) }),
  rrf: (m) =>
    new m.Search().rank(
      m.Rrf({
        ranks: [m.Knn({ query: [1], returnRank: true }), m.Knn({ query: [2], returnRank: true, limit: 9 })],
        k: 30,
        weights: [1, 3],
        normalize: true,
      }),
    ),
  where: (m) =>
    new m.Search().where(
      m.K("a").gte(1).and(m.K("b").isIn(["x", "y"])).or(m.K.DOCUMENT.notContains("z").and(m.K.ID.ne("q"))),
    ),
  whereJson: (m) => new m.Search({ where: { $and: [{ a: 1 }, { b: { $regex: "^x" } }, { c: { $nin: [1, 2] } }] } }),
  group: (m) => new m.Search().groupBy(new m.GroupBy([m.K("c"), m.K("d")], m.Aggregate.maxK([m.K.SCORE, "n"], 3))),
  select: (m) => new m.Search().select([m.K.DOCUMENT, "x", m.K.SCORE, "x"]).limit({ limit: 4 }),
  selectAll: (m) => new m.Search({ select: m.Select.all(), limit: 5 }),
  plain: (m) => m.toSearch({ rank: { $knn: { query: [1] } }, limit: 2, select: { keys: ["#id"] } }),
  nestedJson: (m) =>
    new m.Search({ where: { $or: [{ $and: [{ a: { $lt: 1 } }, { b: true }] }, { "#id": { $in: ["x"] } }] } }),
  iterables: (m) =>
    new m.Search()
      .where(m.K("tag").isIn(new Set(["p", "q"])).and(m.K("tag").notIn(["r"])))
      .select(new Set([m.K.METADATA, "tag"])),
  replaced: (m) =>
    new m.Search()
      .where(m.K("a").eq(1))
      .where(m.K("b").eq(2))
      .rank(m.Val(1))
      .rank(m.Knn({ query: new Float64Array([0.25, 0.5]), key: m.K.EMBEDDING }))
      .limit(new m.Limit({ offset: 3 }))
      .select({ keys: [m.K.SCORE] }),
  sparseQuery: (m) => new m.Search().rank(m.Knn({ query: { indices: [1, 9], values: [0.5, 2] }, key: "sp", limit: 4 })),
  textQuery: (m) => new m.Search().rank(m.Knn({ query: "some text", returnRank: true })),
  minK: (m) => new m.Search().groupBy({ keys: ["g"], aggregate: { $min_k: { keys: ["#score"], k: 1 } } }),
};

describe("the same calls as the official 3.x client", { skip: !existsSync(OFFICIAL) && "npm chromadb 3.5.0 not in the compat cache (pytest tests/compat installs it)" }, () => {
  let official;
  before(async () => {
    official = await import(pathToFileURL(OFFICIAL).href);
  });

  test("exports every Search API name it exports", () => {
    for (const name of SEARCH_NAMES) {
      assert.ok(name in official, `3.x exports ${name}`);
      assert.ok(name in ours, `we export ${name}`);
      assert.equal(typeof ours[name], typeof official[name], name);
    }
    assert.deepEqual(ours.ReadLevel, official.ReadLevel);
  });

  for (const [name, recipe] of Object.entries(RECIPES)) {
    test(`builds the same payload: ${name}`, () => {
      assert.deepEqual(JSON.parse(JSON.stringify(recipe(ours).toPayload())), JSON.parse(JSON.stringify(recipe(official).toPayload())));
    });
  }

  test("reads the same rows out of the same answer", () => {
    const response = {
      ids: [["a", "b"], []],
      documents: [["x", null], null],
      embeddings: [null, null],
      metadatas: [[{ k: 1 }, null], null],
      scores: [[0.5, 1], null],
      select: [["#document", "#metadata", "#score"], []],
    };
    const mine = new ours.SearchResult(response);
    const theirs = new official.SearchResult(response);
    assert.deepEqual(mine.rows(), theirs.rows());
    for (const field of ["ids", "documents", "embeddings", "metadatas", "scores", "select"]) {
      assert.deepEqual(mine[field], theirs[field], field);
    }
  });
});

void Key;
