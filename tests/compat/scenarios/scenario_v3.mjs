// The compatibility scenario for npm `chromadb` 3.x (ES module build).
//
// Usage: node scenario_v3.mjs <install-dir> <server-url> <tag>
// <install-dir> holds node_modules/chromadb; <tag> makes collection names
// unique. Prints one JSON line of results on stdout; any failure exits 1.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [installDir, serverUrl, tag] = process.argv.slice(2);

// Import the package's own ESM entry, as an application would.
async function loadChroma() {
  const pkgDir = path.join(installDir, "node_modules", "chromadb");
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  const entry = pkg.exports["."].import.default ?? pkg.exports["."].import;
  return { version: pkg.version, ...(await import(pathToFileURL(path.join(pkgDir, entry)).href)) };
}

// A tiny deterministic embedding: one axis per keyword. Passing it always keeps
// 3.x from reaching for @chroma-core/default-embed.
class KeywordEmbeddingFunction {
  async generate(texts) {
    return texts.map((t) => [
      t.includes("apple") ? 1 : 0,
      t.includes("banana") ? 1 : 0,
      t.includes("cherry") ? 1 : 0,
    ]);
  }
}

function records(r) {
  return { ids: r.ids, documents: r.documents, metadatas: r.metadatas, embeddings: r.embeddings };
}

async function main() {
  const { ChromaClient, version } = await loadChroma();
  const url = new URL(serverUrl);
  const client = new ChromaClient({
    host: url.hostname,
    port: Number(url.port),
    ssl: url.protocol === "https:",
  });
  const ef = new KeywordEmbeddingFunction();
  const mainName = `js_${tag}`;
  const otherName = `js_${tag}_other`;
  const renamed = `js_${tag}_renamed`;
  const names = async () => (await client.listCollections()).map((c) => c.name).sort();
  const out = { client_version: version };

  out.heartbeat = await client.heartbeat();
  out.version = await client.version();

  await client.createCollection({
    name: mainName,
    metadata: { topic: "fruit" },
    embeddingFunction: ef,
  });
  await client.createCollection({ name: otherName, embeddingFunction: ef });
  out.list_after_create = await names();
  out.count_collections = await client.countCollections();

  const col = await client.getCollection({ name: mainName, embeddingFunction: ef });
  out.got_collection = { name: col.name, metadata: col.metadata };

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
  });
  // Documents only: the client embeds them with the embedding function.
  await col.add({
    ids: ["d"],
    documents: ["apple banana smoothie"],
    metadatas: [{ kind: "drink", n: 4 }],
  });
  out.count_after_add = await col.count();

  out.get_by_ids = records(await col.get({ ids: ["b", "a"], include: ["documents", "metadatas"] }));
  out.get_where_eq = (await col.get({ where: { kind: "fruit" } })).ids;
  out.get_where_gte = (await col.get({ where: { n: { $gte: 3 } } })).ids;
  out.get_where_document = (await col.get({ whereDocument: { $contains: "apple" } })).ids;
  out.get_embedding = (await col.get({ ids: ["d"], include: ["embeddings"] })).embeddings;
  out.get_page = (await col.get({ limit: 2, offset: 1 })).ids;

  const qe = await col.query({
    queryEmbeddings: [[1, 0, 0]],
    nResults: 2,
    include: ["documents", "metadatas", "distances"],
  });
  out.query_embeddings = {
    ids: qe.ids,
    distances: qe.distances,
    documents: qe.documents,
    metadatas: qe.metadatas,
  };
  const qt = await col.query({ queryTexts: ["banana"], nResults: 2 });
  out.query_texts = { ids: qt.ids, distances: qt.distances };
  const qw = await col.query({
    queryEmbeddings: [[0, 0, 1]],
    nResults: 3,
    where: { kind: "fruit" },
  });
  out.query_where = { ids: qw.ids, distances: qw.distances };

  await col.update({ ids: ["a"], documents: ["apple crumble"], metadatas: [{ kind: "dessert", n: 10 }] });
  out.after_update = records(
    await col.get({ ids: ["a"], include: ["documents", "metadatas", "embeddings"] }),
  );

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
  });
  out.count_after_upsert = await col.count();
  out.after_upsert = records(
    await col.get({ ids: ["b", "e"], include: ["documents", "metadatas", "embeddings"] }),
  );

  out.deleted_by_ids = (await col.delete({ ids: ["c"] })).deleted;
  out.count_after_delete_ids = await col.count();
  await col.delete({ where: { kind: "jam" } });
  out.count_after_delete_where = await col.count();
  out.ids_after_delete = (await col.get()).ids;

  out.peek = (await col.peek({ limit: 2 })).ids;

  await col.modify({ name: renamed, metadata: { topic: "renamed" } });
  const mod = await client.getCollection({ name: renamed, embeddingFunction: ef });
  out.modified = { name: mod.name, metadata: mod.metadata, count: await mod.count() };
  try {
    await client.getCollection({ name: mainName, embeddingFunction: ef });
    out.old_name_missing = false;
  } catch (e) {
    out.old_name_missing = true;
  }
  out.list_after_modify = await names();

  await client.deleteCollection({ name: otherName });
  out.list_after_delete_collection = await names();

  await client.reset();
  out.list_after_reset = await names();

  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((err) => {
  process.stderr.write(`scenario failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
