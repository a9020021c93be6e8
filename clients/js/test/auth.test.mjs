// Credentials and custom headers reach the server on every request, in the forms Chroma's
// servers read: Authorization: Bearer, X-Chroma-Token, and Basic. The header forms are checked
// with a fetch stand-in that records what would be sent; token auth also against a real server
// of ours that requires a token.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ChromaClient, ChromaUnauthorizedError } from "chromadb";

import { startServer } from "./helpers/server.mjs";

/** A fetch that records requests and answers `answer` (status, JSON body). */
function recorder(status = 200, body = { "nanosecond heartbeat": 1 }) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
  return { calls, fetch };
}

test("a token goes in Authorization: Bearer by default", async () => {
  const { calls, fetch } = recorder();
  const client = new ChromaClient({ path: "http://h:1", fetch, auth: { provider: "token", credentials: "s3cret" } });
  await client.heartbeat();
  assert.equal(calls[0].url, "http://h:1/api/v2/heartbeat");
  assert.equal(calls[0].init.headers.Authorization, "Bearer s3cret");
});

test("a token goes in X-Chroma-Token when asked", async () => {
  const { calls, fetch } = recorder();
  const auth = { provider: "token", credentials: "s3cret", tokenHeaderType: "X_CHROMA_TOKEN" };
  await new ChromaClient({ path: "http://h:1", fetch, auth }).heartbeat();
  assert.equal(calls[0].init.headers["X-Chroma-Token"], "s3cret");
  assert.equal(calls[0].init.headers.Authorization, undefined);
});

test("basic credentials are base64 of user:password", async () => {
  const { calls, fetch } = recorder();
  const auth = { provider: "basic", credentials: { username: "admin", password: "pässword" } };
  await new ChromaClient({ path: "http://h:1", fetch, auth }).heartbeat();
  const encoded = calls[0].init.headers.Authorization.replace(/^Basic /, "");
  assert.equal(new TextDecoder().decode(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0))), "admin:pässword");
});

test("custom headers are sent, and win over auth", async () => {
  const { calls, fetch } = recorder(200, []);
  const client = new ChromaClient({
    host: "example.test",
    port: 9000,
    ssl: true,
    fetch,
    auth: { provider: "token", credentials: "ignored" },
    headers: { Authorization: "Bearer mine", "X-Trace": "42" },
  });
  await client.listCollections();
  assert.equal(calls[0].url, "https://example.test:9000/api/v2/tenants/default_tenant/databases/default_database/collections");
  assert.equal(calls[0].init.headers.Authorization, "Bearer mine");
  assert.equal(calls[0].init.headers["X-Trace"], "42");
});

test("a 401 answer is a ChromaUnauthorizedError with the server's message", async () => {
  const { fetch } = recorder(401, { error: "AuthError", message: "Unauthorized: bad token" });
  const error = await new ChromaClient({ fetch }).heartbeat().catch((e) => e);
  assert.ok(error instanceof ChromaUnauthorizedError);
  assert.equal(error.message, "Unauthorized: bad token");
  assert.equal(error.errorName, "AuthError");
  assert.equal(error.status, 401);
});

describe("against a server that requires a token", () => {
  const TOKEN = "test-token-4711";
  let server;

  before(async () => {
    server = await startServer({ env: { CHROMA_SERVER_AUTH_CREDENTIALS: TOKEN } });
  });

  after(async () => {
    await server?.stop();
  });

  test("without credentials, requests are refused with the server's message", async () => {
    const anonymous = new ChromaClient({ path: server.url });
    assert.ok((await anonymous.heartbeat()) > 0, "heartbeat stays open");
    const error = await anonymous.listCollections().catch((e) => e);
    assert.ok(error instanceof ChromaUnauthorizedError, String(error));
    assert.equal(error.status, 401);
    assert.match(error.message, /token/i);
  });

  test("a wrong token is refused", async () => {
    const wrong = new ChromaClient({ path: server.url, auth: { provider: "token", credentials: "nope" } });
    await assert.rejects(wrong.countCollections(), ChromaUnauthorizedError);
  });

  test("the token works as Bearer and as X-Chroma-Token", async () => {
    const bearer = new ChromaClient({ path: server.url, auth: { provider: "token", credentials: TOKEN } });
    const collection = await bearer.createCollection("guarded");
    await collection.add("a", [1, 2, 3]);
    const header = new ChromaClient({
      path: server.url,
      auth: { provider: "token", credentials: TOKEN, tokenHeaderType: "X_CHROMA_TOKEN" },
    });
    assert.equal(await (await header.getCollection("guarded")).count(), 1);
  });
});
