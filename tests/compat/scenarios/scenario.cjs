// The compatibility scenario for npm `chromadb` 1.x and 2.x (CommonJS build).
//
// Usage: node scenario.cjs <install-dir> <server-url> <tag>
// <install-dir> holds node_modules/chromadb; <tag> makes collection names
// unique. Prints one JSON line of results on stdout; any failure exits 1.
"use strict";

const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const [installDir, serverUrl, tag] = process.argv.slice(2);
const clientRequire = createRequire(path.join(installDir, "package.json"));
const { ChromaClient } = clientRequire("chromadb");

// A tiny deterministic embedding: one axis per keyword, so documents and
// query texts embed without any model download.
class KeywordEmbeddingFunction {
  async generate(texts) {
    return texts.map((t) => [
      t.includes("apple") ? 1 : 0,
      t.includes("banana") ? 1 : 0,
      t.includes("cherry") ? 1 : 0,
    ]);
  }
}

// 1.x clients hand some server errors back as {error: ...} instead of
// throwing: turn those into failures so no step passes silently.
function ok(step, value) {
  if (value && typeof value === "object" && !Array.isArray(value) && value.error) {
    throw new Error(`${step}: ${JSON.stringify(value.error)}`);
  }
  return value;
}

function names(list) {
  return list.map((c) => (typeof c === "string" ? c : c.name)).sort();
}

function records(r) {
  return { ids: r.ids, documents: r.documents, metadatas: r.metadatas, embeddings: r.embeddings };
}

async function main() {
  const client = new ChromaClient({ path: serverUrl });
  const ef = new KeywordEmbeddingFunction();
  const mainName = `js_${tag}`;
  const otherName = `js_${tag}_other`;
  const renamed = `js_${tag}_renamed`;
  const out = {
    // package.json is not exported: read it from the install folder.
    client_version: JSON.parse(
      fs.readFileSync(path.join(installDir, "node_modules", "chromadb", "package.json"), "utf8"),
    ).version,
  };

  out.heartbeat = ok("heartbeat", await client.heartbeat());
  out.version = ok("version", await client.version());

  let col = await client.createCollection({
    name: mainName,
    metadata: { topic: "fruit" },
    embeddingFunction: ef,
  });
  await client.createCollection({ name: otherName, embeddingFunction: ef });
  out.list_after_create = names(ok("list", await client.listCollections()));
  out.count_collections =
    typeof client.countCollections === "function"
      ? ok("countCollections", await client.countCollections())
      : null;

  col = await client.getCollection({ name: mainName, embeddingFunction: ef });
  out.got_collection = { name: col.name, metadata: col.metadata };

  ok(
    "add",
    await col.add({
      ids: ["a", "b", "c"],
      embeddings: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      documents: ["apple pie", "banana split", "cherry tart"],
      metadatas: [
        { kind: "fruit", n: 1 },
        { kind: "fruit", n: 2 },
        { kind: "dessert", n: 3 },
      ],
    }),
  );
  // Documents only: the client embeds them with the embedding function.
  ok(
    "add-documents",
    await col.add({
      ids: ["d"],
      documents: ["apple banana smoothie"],
      metadatas: [{ kind: "drink", n: 4 }],
    }),
  );
  out.count_after_add = ok("count", await col.count());

  out.get_by_ids = records(
    ok("get-ids", await col.get({ ids: ["b", "a"], include: ["documents", "metadatas"] })),
  );
  out.get_where_eq = ok("get-where", await col.get({ where: { kind: "fruit" } })).ids;
  out.get_where_gte = ok("get-gte", await col.get({ where: { n: { $gte: 3 } } })).ids;
  out.get_where_document = ok(
    "get-where-document",
    await col.get({ whereDocument: { $contains: "apple" } }),
  ).ids;
  out.get_embedding = ok(
    "get-embedding",
    await col.get({ ids: ["d"], include: ["embeddings"] }),
  ).embeddings;
  out.get_page = ok("get-page", await col.get({ limit: 2, offset: 1 })).ids;

  const qe = ok(
    "query-embeddings",
    await col.query({
      queryEmbeddings: [[1, 0, 0]],
      nResults: 2,
      include: ["documents", "metadatas", "distances"],
    }),
  );
  out.query_embeddings = {
    ids: qe.ids,
    distances: qe.distances,
    documents: qe.documents,
    metadatas: qe.metadatas,
  };
  const qt = ok("query-texts", await col.query({ queryTexts: ["banana"], nResults: 2 }));
  out.query_texts = { ids: qt.ids, distances: qt.distances };
  const qw = ok(
    "query-where",
    await col.query({ queryEmbeddings: [[0, 0, 1]], nResults: 3, where: { kind: "fruit" } }),
  );
  out.query_where = { ids: qw.ids, distances: qw.distances };

  ok(
    "update",
    await col.update({
      ids: ["a"],
      documents: ["apple crumble"],
      metadatas: [{ kind: "dessert", n: 10 }],
    }),
  );
  out.after_update = records(
    ok(
      "get-updated",
      await col.get({ ids: ["a"], include: ["documents", "metadatas", "embeddings"] }),
    ),
  );

  ok(
    "upsert",
    await col.upsert({
      ids: ["b", "e"],
      embeddings: [
        [0, 2, 0],
        [0, 0, 2],
      ],
      documents: ["banana bread", "elderberry jam"],
      metadatas: [
        { kind: "bread", n: 20 },
        { kind: "jam", n: 5 },
      ],
    }),
  );
  out.count_after_upsert = ok("count", await col.count());
  out.after_upsert = records(
    ok(
      "get-upserted",
      await col.get({ ids: ["b", "e"], include: ["documents", "metadatas", "embeddings"] }),
    ),
  );

  ok("delete-ids", await col.delete({ ids: ["c"] }));
  out.count_after_delete_ids = ok("count", await col.count());
  ok("delete-where", await col.delete({ where: { kind: "jam" } }));
  out.count_after_delete_where = ok("count", await col.count());
  out.ids_after_delete = ok("get-all", await col.get()).ids;

  out.peek = ok("peek", await col.peek({ limit: 2 })).ids;

  ok("modify", await col.modify({ name: renamed, metadata: { topic: "renamed" } }));
  const mod = await client.getCollection({ name: renamed, embeddingFunction: ef });
  out.modified = { name: mod.name, metadata: mod.metadata, count: ok("count", await mod.count()) };
  try {
    const gone = await client.getCollection({ name: mainName, embeddingFunction: ef });
    out.old_name_missing = !gone || !gone.id;
  } catch (e) {
    out.old_name_missing = true;
  }
  out.list_after_modify = names(ok("list", await client.listCollections()));

  ok("delete-collection", await client.deleteCollection({ name: otherName }));
  out.list_after_delete_collection = names(ok("list", await client.listCollections()));

  out.reset = ok("reset", await client.reset());
  out.list_after_reset = names(ok("list", await client.listCollections()));

  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((err) => {
  process.stderr.write(`scenario failed: ${err && err.stack ? err.stack : err}\n`);
  if (err && err.cause) process.stderr.write(`cause: ${JSON.stringify(err.cause)}\n`);
  process.exit(1);
});
