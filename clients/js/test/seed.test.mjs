// The seed document's JavaScript examples (seeds/003, "API Reference", JavaScript tab), every
// line as written, against a real server of ours. Lines from the seed are marked "seed:"; the
// rest is harness. How the seed's lines run unchanged:
//
// - `new ChromaClient()` addresses http://localhost:8000, where the seed's server listens. Our
//   test server listens on a free port instead, so while this file runs, globalThis.fetch
//   forwards http://localhost:8000 to it. The client looks fetch up on every call, so the
//   seed's client really talks to our server. The forwarder also keeps the last JSON answer,
//   so the harness can check what a seed line got back without changing the line.
// - The seed's collection snippet declares `const collection` twice, which JavaScript rejects
//   in one scope, so each declaration runs in a block of its own.
// - The seed's methods snippet uses a `collection` made elsewhere. Its "including just
//   documents" add has no embeddings, so the harness makes that collection with a small
//   embedding function: createCollection({name, embeddingFunction}).
// - The seed adds "uri9"/"uri10" twice into one collection; ids must be new (a second add is a
//   409), so the harness deletes the two records between those adds.
// - The seed's query is written in Python's keyword style: `query_embeddings=[[...]]`. In
//   JavaScript that is an assignment expression whose value is the array, so the call passes
//   (queryEmbeddings, nResults, where) positionally, which `query` accepts. This file is an ES
//   module (strict mode), where assigning an undeclared name throws, so the three names are
//   declared with `let` just before the call; in a sloppy-mode script they would be globals.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { hashEmbedding } from "./helpers/embedding.mjs";
import { startServer } from "./helpers/server.mjs";

// seed: Initialize client - JS
import { ChromaClient } from 'chromadb'
const chroma_client = new ChromaClient();

// The seed's method snippets call the same client `client`.
const client = chroma_client;

const SEED_ADDRESS = "http://localhost:8000";
const realFetch = globalThis.fetch;
let server;
let lastAnswer;

before(async () => {
  server = await startServer();
  globalThis.fetch = async (input, init) => {
    const response = await realFetch(String(input).replace(SEED_ADDRESS, server.url), init);
    lastAnswer = response.clone().json().catch(() => undefined);
    return response;
  };
  await client.reset();
});

after(async () => {
  globalThis.fetch = realFetch;
  await server?.stop();
});

test("the seed's client addresses the seed's server", async () => {
  assert.equal(chroma_client.path, SEED_ADDRESS);
  assert.ok((await chroma_client.heartbeat()) > 0);
});

test("Methods related to Collections", async () => {
  // seed: list all collections
  await client.listCollections()
  assert.deepEqual(await lastAnswer, []);

  {
    // seed: make a new collection
    const collection = await client.createCollection("testname")
    assert.equal(collection.name, "testname");
  }
  {
    // seed: get an existing collection
    const collection = await client.getCollection("testname")
    assert.equal(collection.name, "testname");
    assert.deepEqual((await client.listCollections()).map((c) => c.id), [collection.id]);
  }

  // seed: delete a collection
  await client.deleteCollection("testname")
  assert.equal(await client.countCollections(), 0);
});

test("Utility methods", async () => {
  await client.createCollection("to_be_reset");

  // seed: resets entire database - this *cant* be undone!
  await client.reset()

  assert.deepEqual(await client.listCollections(), []);
});

test("Methods on Collection", async () => {
  const collection = await client.createCollection({
    name: "seed_methods",
    embeddingFunction: hashEmbedding,
  });

  // seed: get the number of items in a collection
  await collection.count()
  assert.equal(await lastAnswer, 0);

  // seed: add new items to a collection
  // either one at a time
  await collection.add(
      "id1",
      [1.5, 2.9, 3.4],
      {"source": "my_source"},
      "This is a document",
  ) 
  // seed: or many, up to 100k+!
  await collection.add(
      ["uri9", "uri10"],
      [[1.5, 2.9, 3.4], [9.8, 2.3, 2.9]],
      [{"style": "style1"}, {"style": "style2"}],
      ["This is a document", 'that is a document']
  )
  assert.equal(await collection.count(), 3);
  const many = await collection.get({ ids: ["uri10"], include: ["documents", "metadatas"] });
  assert.deepEqual(many.documents, ["that is a document"]);
  assert.deepEqual(many.metadatas, [{ style: "style2" }]);

  // The seed adds uri9/uri10 once more; ids must be new, so remove the first two.
  await collection.delete({ ids: ["uri9", "uri10"] });

  // seed: including just documents
  await collection.add(
      ["uri9", "uri10"], 
      undefined,
      [{"style": "style1"}, {"style": "style2"}],
      ["doc1000101", "doc288822"],
  )
  const embedded = await collection.get({ ids: ["uri9"], include: ["embeddings", "documents"] });
  assert.deepEqual(embedded.documents, ["doc1000101"]);
  assert.equal(embedded.embeddings[0].length, 3, "embedded by the collection's function");

  // seed: get items from a collection
  await collection.get()
  assert.deepEqual((await lastAnswer).ids, ["id1", "uri9", "uri10"]);
  assert.deepEqual((await lastAnswer).documents, ["This is a document", "doc1000101", "doc288822"]);

  // seed: convenience, get first 5 items from a collection
  await collection.peek()
  assert.deepEqual((await lastAnswer).ids, ["id1", "uri9", "uri10"]);
  assert.equal((await lastAnswer).embeddings.length, 3);

  // Python-style keyword arguments are JavaScript assignments; see the note at the top.
  let query_embeddings, n_results, where;
  // seed: do nearest neighbor search to find similar embeddings or documents, supports filtering
  await collection.query(
      query_embeddings=[[1.1, 2.3, 3.2], [5.1, 4.3, 2.2]],
      n_results=2,
      where={"style": "style2"}
  )
  // Only uri10 has style2, so each of the two queries finds just it.
  assert.deepEqual((await lastAnswer).ids, [["uri10"], ["uri10"]]);
  assert.deepEqual((await lastAnswer).metadatas, [[{ style: "style2" }], [{ style: "style2" }]]);

  // seed: delete items
  await collection.delete()

  assert.equal(await collection.count(), 0);
});
