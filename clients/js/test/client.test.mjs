// The client against a real server of ours: collections, records in object and positional
// form, filters, the embedding-function path, and errors carrying the server's message.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";

import {
  ChromaClient,
  ChromaClientError,
  ChromaConnectionError,
  ChromaError,
  ChromaNotFoundError,
  ChromaUniqueError,
  ChromaValueError,
  Collection,
  IncludeEnum,
} from "chromadb";

import { hashEmbedding } from "./helpers/embedding.mjs";
import { startServer } from "./helpers/server.mjs";

let server;
let client;

before(async () => {
  server = await startServer();
  client = new ChromaClient({ path: server.url });
});

after(async () => {
  await server?.stop();
});

beforeEach(async () => {
  await client.reset();
});

/** Vectors equal up to float32 rounding (the server may store float32). */
function assertClose(actual, expected) {
  assert.equal(actual.length, expected.length);
  actual.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < 1e-5, `${actual} != ${expected}`));
}

/** A collection holding three 3-d records with documents and metadata. */
async function threeRecords(name = "things") {
  const collection = await client.createCollection({ name, embeddingFunction: hashEmbedding });
  await collection.add({
    ids: ["a", "b", "c"],
    embeddings: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
    metadatas: [{ colour: "red", n: 1 }, { colour: "blue", n: 2 }, { colour: "red", n: 3 }],
    documents: ["apple pie", "blue sky", "red rose"],
  });
  return collection;
}

describe("server utilities", () => {
  test("heartbeat answers the server's clock in nanoseconds", async () => {
    const beat = await client.heartbeat();
    assert.equal(typeof beat, "number");
    assert.ok(beat > 1e18, `expected nanoseconds since the epoch, got ${beat}`);
  });

  test("version is a string and pre-flight checks name the batch limit", async () => {
    assert.equal(typeof (await client.version()), "string");
    assert.ok((await client.getMaxBatchSize()) > 0);
  });

  test("reset removes every collection", async () => {
    await client.createCollection("doomed");
    assert.equal(await client.reset(), true);
    assert.deepEqual(await client.listCollections(), []);
  });
});

describe("collections", () => {
  test("create, list, count, get and delete", async () => {
    const created = await client.createCollection("first", { topic: "fruit" });
    assert.ok(created instanceof Collection);
    assert.equal(created.name, "first");
    assert.deepEqual(created.metadata, { topic: "fruit" });
    await client.createCollection({ name: "second" });

    const listed = await client.listCollections();
    assert.deepEqual(listed.map((c) => c.name).sort(), ["first", "second"]);
    assert.equal(await client.countCollections(), 2);
    assert.equal((await client.listCollections({ limit: 1 })).length, 1);

    const fetched = await client.getCollection("first");
    assert.equal(fetched.id, created.id);
    assert.deepEqual(fetched.metadata, { topic: "fruit" });

    await client.deleteCollection("first");
    await client.deleteCollection({ name: "second" });
    assert.equal(await client.countCollections(), 0);
  });

  test("getOrCreateCollection returns the existing collection", async () => {
    const first = await client.getOrCreateCollection({ name: "shared" });
    const again = await client.getOrCreateCollection("shared");
    assert.equal(again.id, first.id);
    assert.equal(await client.countCollections(), 1);
  });

  test("modify renames and replaces metadata", async () => {
    const collection = await client.createCollection("old");
    await collection.modify({ name: "new", metadata: { v: 2 } });
    assert.equal(collection.name, "new");
    const fetched = await client.getCollection({ name: "new" });
    assert.deepEqual(fetched.metadata, { v: 2 });
    await assert.rejects(client.getCollection("old"), ChromaNotFoundError);
  });

  test("a taken name is a ChromaUniqueError carrying the server's message", async () => {
    await client.createCollection("taken");
    const error = await client.createCollection("taken").catch((e) => e);
    assert.ok(error instanceof ChromaUniqueError);
    assert.ok(error instanceof ChromaError);
    assert.equal(error.status, 409);
    assert.equal(error.errorName, "UniqueConstraintError");
    assert.match(error.message, /taken/);
  });

  test("a missing collection is a ChromaNotFoundError", async () => {
    const error = await client.getCollection("nowhere").catch((e) => e);
    assert.ok(error instanceof ChromaNotFoundError, String(error));
    assert.equal(error.status, 404);
    assert.match(error.message, /nowhere/);
    await assert.rejects(client.deleteCollection("nowhere"), ChromaNotFoundError);
  });
});

describe("records", () => {
  test("add and get in object form", async () => {
    const collection = await threeRecords();
    assert.equal(await collection.count(), 3);

    const all = await collection.get();
    assert.deepEqual(all.ids, ["a", "b", "c"]);
    assert.deepEqual(all.documents, ["apple pie", "blue sky", "red rose"]);
    assert.equal(all.embeddings, null, "embeddings are not included by default");

    const some = await collection.get({
      ids: ["c", "a"],
      include: [IncludeEnum.Embeddings, IncludeEnum.Metadatas],
    });
    // As real Chroma answers: in the order the records were added, not the order asked for.
    assert.deepEqual(some.ids, ["a", "c"]);
    assert.deepEqual(some.embeddings, [
      [1, 0, 0],
      [0, 0, 1],
    ]);
    assert.deepEqual(some.metadatas, [{ colour: "red", n: 1 }, { colour: "red", n: 3 }]);
    assert.equal(some.documents, null);
  });

  test("get filters by where, whereDocument, limit and offset", async () => {
    const collection = await threeRecords();
    assert.deepEqual((await collection.get({ where: { colour: "red" } })).ids, ["a", "c"]);
    assert.deepEqual((await collection.get({ where: { n: { $gte: 2 } } })).ids, ["b", "c"]);
    assert.deepEqual((await collection.get({ whereDocument: { $contains: "sky" } })).ids, ["b"]);
    assert.deepEqual((await collection.get({ limit: 1, offset: 1 })).ids, ["b"]);
    // The positional order of the original JS client: ids, where, limit, offset, include.
    assert.deepEqual((await collection.get(undefined, { colour: "red" }, 1)).ids, ["a"]);
    assert.deepEqual((await collection.get("b")).ids, ["b"]);
  });

  test("peek returns the first records with embeddings", async () => {
    const collection = await threeRecords();
    const first = await collection.peek();
    assert.deepEqual(first.ids, ["a", "b", "c"]);
    assert.equal(first.embeddings.length, 3);
    assert.deepEqual((await collection.peek(2)).ids, ["a", "b"]);
    assert.deepEqual((await collection.peek({ limit: 1 })).ids, ["a"]);
  });

  test("query finds the nearest records, filtered", async () => {
    const collection = await threeRecords();
    const result = await collection.query({
      queryEmbeddings: [
        [0.9, 0.1, 0],
        [0, 0.1, 0.9],
      ],
      nResults: 2,
      include: ["distances", "documents"],
    });
    assert.deepEqual(result.ids, [
      ["a", "b"],
      ["c", "b"],
    ]);
    assert.equal(result.distances.length, 2);
    assert.ok(result.distances[0][0] <= result.distances[0][1], "nearest first");
    assert.deepEqual(result.documents[0], ["apple pie", "blue sky"]);

    const filtered = await collection.query({
      queryEmbeddings: [0, 1, 0],
      nResults: 5,
      where: { colour: "red" },
      whereDocument: { $contains: "rose" },
    });
    assert.deepEqual(filtered.ids, [["c"]]);
  });

  test("queryTexts and text-only adds go through the embedding function", async () => {
    const collection = await client.createCollection({
      name: "texts",
      embeddingFunction: hashEmbedding,
    });
    await collection.add({ ids: ["x", "y"], documents: ["hello world", "goodbye moon"] });
    const stored = await collection.get({ ids: ["x"], include: ["embeddings"] });
    assertClose(stored.embeddings[0], hashEmbedding.generate(["hello world"])[0]);
    const result = await collection.query({ queryTexts: "goodbye moon", nResults: 1 });
    assert.deepEqual(result.ids, [["y"]]);
    assert.ok(Math.abs(result.distances[0][0]) < 1e-6);
  });

  test("update, upsert and delete", async () => {
    const collection = await threeRecords();
    await collection.update({ ids: "a", metadatas: { colour: "green", n: 1 } });
    await collection.update(["b"], [[0, 2, 0]], undefined, ["bluer sky"]);
    await collection.upsert({
      ids: ["c", "d"],
      embeddings: [
        [0, 0, 2],
        [2, 2, 2],
      ],
      documents: ["red tulip", "new one"],
    });
    const got = await collection.get({ include: ["documents", "metadatas", "embeddings"] });
    assert.deepEqual(got.ids, ["a", "b", "c", "d"]);
    assert.deepEqual(got.metadatas[0], { colour: "green", n: 1 });
    assert.deepEqual(got.documents, ["apple pie", "bluer sky", "red tulip", "new one"]);
    assert.deepEqual(got.embeddings[1], [0, 2, 0]);

    await collection.delete(["d"]);
    await collection.delete({ where: { colour: "green" } });
    assert.deepEqual((await collection.get()).ids, ["b", "c"]);
    await collection.delete();
    assert.equal(await collection.count(), 0);
  });

  test("typed arrays are accepted as embeddings", async () => {
    const collection = await client.createCollection("typed");
    await collection.add({ ids: ["t"], embeddings: [new Float32Array([0.5, 1.5, 2.5])] });
    const got = await collection.get({ include: ["embeddings"] });
    assert.deepEqual(got.embeddings, [[0.5, 1.5, 2.5]]);
  });
});

describe("errors", () => {
  test("adding an existing id keeps the stored record, as real Chroma does", async () => {
    const collection = await threeRecords();
    await collection.add({ ids: ["a", "z"], embeddings: [[1, 1, 1], [0, 1, 1]] });
    assert.equal(await collection.count(), 4, "the new id is added, the existing one skipped");
    const a = await collection.get({ ids: "a", include: [IncludeEnum.Embeddings] });
    assert.deepEqual(a.embeddings, [[1, 0, 0]]);
  });

  test("a wrong dimension is a client error naming the dimensions", async () => {
    const collection = await threeRecords();
    const error = await collection.add("z", [1, 2]).catch((e) => e);
    assert.ok(error instanceof ChromaClientError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.errorName, "InvalidDimension");
    assert.match(error.message, /2/);
    assert.match(error.message, /3/);
  });

  test("a bad filter is a client error carrying the server's message", async () => {
    const collection = await threeRecords();
    const error = await collection.get({ where: { n: { $bogus: 1 } } }).catch((e) => e);
    assert.ok(error instanceof ChromaClientError, String(error));
    assert.ok(error.message.length > 0);
  });

  test("argument mistakes are ChromaValueErrors raised before any request", async () => {
    let requests = 0;
    const counting = new ChromaClient({
      path: server.url,
      fetch: (...args) => {
        requests++;
        return fetch(...args);
      },
    });
    const collection = await counting.createCollection("checked");
    requests = 0;
    await assert.rejects(collection.add(["a", "b"], [[1, 2, 3]]), ChromaValueError);
    await assert.rejects(collection.add({ ids: ["a"] }), ChromaValueError);
    await assert.rejects(collection.add({ ids: ["a"], documents: ["no ef"] }), /embedding function/);
    await assert.rejects(collection.query({ nResults: 1 }), ChromaValueError);
    await assert.rejects(collection.query({ queryTexts: ["no ef"] }), ChromaValueError);
    await assert.rejects(collection.add({ ids: [1] }), ChromaValueError);
    await assert.rejects(counting.getCollection(undefined), ChromaValueError);
    await assert.rejects(counting.createCollection({ metadata: {} }), ChromaValueError);
    assert.equal(requests, 0);
  });

  test("an unreachable server is a ChromaConnectionError", async () => {
    const nowhere = new ChromaClient({ path: "http://127.0.0.1:9" });
    const error = await nowhere.heartbeat().catch((e) => e);
    assert.ok(error instanceof ChromaConnectionError, String(error));
    assert.ok(error.cause, "the network error is kept as the cause");
  });

  test("an unknown tenant is a ChromaError from the server", async () => {
    const stranger = new ChromaClient({ path: server.url, tenant: "no_such_tenant" });
    const error = await stranger.listCollections().catch((e) => e);
    assert.ok(error instanceof ChromaError, String(error));
    assert.ok(error.status >= 400 && error.status < 500);
  });
});
