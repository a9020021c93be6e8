// The Search API of npm `chromadb` 3.x, unmodified, against our server.
//
// Usage: node search_v3.mjs <install-dir> <server-url> <plan.json>
// The plan names a collection the test has filled and the query vectors; each
// search below is built with the client's own builders (Search, K, Knn, Rrf,
// GroupBy, MinK, MaxK) and sent through collection.search. Prints one JSON line:
// per case, the payload the client built, the column-major result and rows().
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [installDir, serverUrl, planPath] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planPath, "utf8"));

async function loadChroma() {
  const pkgDir = path.join(installDir, "node_modules", "chromadb");
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  const entry = pkg.exports["."].import.default ?? pkg.exports["."].import;
  return { version: pkg.version, ...(await import(pathToFileURL(path.join(pkgDir, entry)).href)) };
}

// String Knn queries are embedded by the client: this function looks the text up
// among the plan's named query vectors, so the test knows the vector exactly.
class PlanEmbeddingFunction {
  async generate(texts) {
    return texts.map((t) => plan.queries[t]);
  }
}

function columns(result) {
  return {
    ids: result.ids,
    documents: result.documents,
    embeddings: result.embeddings,
    metadatas: result.metadatas,
    scores: result.scores,
    select: result.select,
  };
}

async function main() {
  const chroma = await loadChroma();
  const { ChromaClient, Search, K, Knn, Rrf, GroupBy, MinK, MaxK, Schema, SparseVectorIndexConfig } =
    chroma;
  const url = new URL(serverUrl);
  const client = new ChromaClient({ host: url.hostname, port: Number(url.port), ssl: false });
  const collection = await client.getCollection({
    name: plan.collection,
    embeddingFunction: new PlanEmbeddingFunction(),
  });
  const { q1, q2 } = plan.queries;
  const sparse = plan.sparse_query;

  const cases = {
    knn: new Search()
      .rank(Knn({ query: q1, limit: 20 }))
      .limit(10)
      .select(K.DOCUMENT, K.SCORE, K.METADATA),
    where_offset: new Search()
      .where(K("cat").eq("a").and(K("n").gte(10)))
      .rank(Knn({ query: q1, limit: 200 }))
      .limit(5, 3)
      .select(K.SCORE),
    where_document_or_ids: new Search({
      where: K.DOCUMENT.contains("red").or(K.ID.isIn(plan.some_ids)),
      limit: { limit: 6 },
      select: [K.DOCUMENT],
    }),
    select_keys: new Search()
      .rank(Knn({ query: q2, limit: 5 }))
      .select(K.EMBEDDING, "cat", K.ID),
    rrf: new Search()
      .rank(
        Rrf({
          ranks: [
            Knn({ query: q1, limit: 30, returnRank: true, default: 1000 }),
            Knn({ query: q2, limit: 30, returnRank: true, default: 1000 }),
          ],
          k: 60,
          weights: [2, 1],
          normalize: true,
        }),
      )
      .limit(10)
      .select(K.SCORE),
    group_min_k: new Search()
      .rank(Knn({ query: q1, limit: 40 }))
      .groupBy(new GroupBy([K("cat")], new MinK([K.SCORE], 2)))
      .limit(6)
      .select(K.SCORE, "cat"),
    group_max_k: new Search()
      .rank(Knn({ query: q2, limit: 40 }))
      .groupBy(new GroupBy([K("cat")], new MaxK([K("n")], 1)))
      .select(K.SCORE, K.METADATA),
    string_query: new Search().rank(Knn({ query: "q1", limit: 20 })).limit(10).select(K.SCORE),
    // Sparse queries go out as a bare {indices, values} (the Python clients tag them).
    sparse_knn: new Search()
      .rank(Knn({ query: sparse, key: "sp", limit: 15 }))
      .limit(12)
      .select(K.SCORE, K.METADATA),
    hybrid_rrf: new Search()
      .where(K("n").lt(80))
      .rank(
        Rrf({
          ranks: [
            Knn({ query: q1, limit: 25, returnRank: true, default: 100 }),
            Knn({ query: sparse, key: K("sp"), limit: 25, returnRank: true, default: 100 }),
          ],
          weights: [1, 2],
        }),
      )
      .limit(10)
      .select(K.SCORE),
  };

  const out = { client_version: chroma.version, cases: {} };
  for (const [name, search] of Object.entries(cases)) {
    const result = await collection.search(search);
    out.cases[name] = { payload: search.toPayload(), result: columns(result), rows: result.rows() };
  }
  const many = await collection.search([cases.knn, cases.rrf, cases.group_min_k]);
  out.many = { result: columns(many), rows: many.rows() };

  // The same records in collections of the other spaces: scores are their distances.
  out.spaces = {};
  for (const [space, name] of Object.entries(plan.space_collections)) {
    const other = await client.getCollection({
      name,
      embeddingFunction: new PlanEmbeddingFunction(),
    });
    const result = await other.search(
      new Search().rank(Knn({ query: q2, limit: 10 })).select(K.SCORE),
    );
    out.spaces[space] = columns(result);
  }

  // A collection this client creates with a sparse index in its own Schema, and sparse
  // vectors it writes (as {indices, values} metadata), are indexed.
  const writes = await client.createCollection({
    name: plan.writes_collection,
    schema: new Schema().createIndex(new SparseVectorIndexConfig({}), "sp"),
    embeddingFunction: new PlanEmbeddingFunction(),
  });
  await writes.add({
    ids: ["w1", "w2", "w3"],
    embeddings: [q1, q2, q1],
    metadatas: [{ sp: { indices: [1, 4], values: [1, 2] } }, { sp: { indices: [4], values: [0.5] } }, { tag: "none" }],
  });
  const written = await writes.search(
    new Search().rank(Knn({ query: { indices: [4], values: [1] }, key: "sp" })).select(K.SCORE, K.METADATA),
  );
  const reread = await client.getCollection({
    name: plan.writes_collection,
    embeddingFunction: new PlanEmbeddingFunction(),
  });
  out.writes = {
    rows: written.rows(),
    sparse_index: reread.schema?.keys?.sp?.sparseVector?.sparseVectorIndex ?? null,
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
