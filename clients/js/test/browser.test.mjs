// The built ESM client in a real browser: headless Chromium loads a page that imports
// dist/esm/index.js and talks to a real server of ours across origins (CORS), then the test
// reads what the page wrote (create, add, query, get, search and a typed error). Skipped, with
// the reason, where no Chromium is installed (Debian: `apt-get install chromium`; or set
// CHROMIUM to a browser binary).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

import { startServer } from "./helpers/server.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BROWSER = [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (path) => path && existsSync(path),
);

const PAGE = (serverUrl) => `<!doctype html>
<html><body><pre id="out">pending</pre>
<script type="module">
import { ChromaClient, K, Knn, Search } from "/dist/esm/index.js";
const out = document.getElementById("out");
// A tiny deterministic embedding function: letters a-c counted.
const embedder = { generate: async (texts) => texts.map((t) => [...t].reduce((v, ch) => {
  const i = "abc".indexOf(ch); if (i >= 0) v[i] += 1; return v; }, [0.1, 0.1, 0.1])) };
try {
  const client = new ChromaClient({ path: ${JSON.stringify(serverUrl)} });
  const beat = await client.heartbeat();
  const collection = await client.createCollection({ name: "browser-test", embeddingFunction: embedder });
  await collection.add({ ids: ["a", "b", "c"], documents: ["aaa", "bbb", "ccc"],
                         metadatas: [{ n: 1 }, { n: 2 }, { n: 3 }] });
  const hits = await collection.query({ queryTexts: ["bb"], nResults: 1 });
  const some = await collection.get({ where: { n: { $gte: 2 } } });
  const searched = await collection.search(
    new Search().where(K("n").gte(2)).rank(Knn({ query: "cc", limit: 3 })).limit(1).select(K.DOCUMENT));
  let error = null;
  try { await client.getCollection({ name: "no-such-collection", embeddingFunction: embedder }); }
  catch (e) { error = e.constructor.name; }
  out.textContent = JSON.stringify({ beat: typeof beat, count: await collection.count(),
    nearest: hits.ids[0], filtered: some.ids, searched: searched.rows()[0], error });
} catch (e) {
  out.textContent = JSON.stringify({ failed: String(e && e.stack || e) });
}
</script></body></html>`;

const TYPES = { ".js": "text/javascript", ".html": "text/html", ".map": "application/json" };

let server;
let page;

before(async () => {
  if (!BROWSER) return;
  page = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(PAGE(server.url));
      return;
    }
    const file = normalize(join(ROOT, path));
    if (!file.startsWith(join(ROOT, "dist")) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((r) => page.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${page.address().port}`;
  server = await startServer({
    env: { CHROMA_SERVER_CORS_ALLOW_ORIGINS: JSON.stringify([origin]) },
  });
});

after(async () => {
  if (page) await new Promise((r) => page.close(r));
  if (server) await server.stop();
});

test("the ESM build works in headless Chromium against our server", { skip: !BROWSER && "no Chromium installed" }, async () => {
  const url = `http://127.0.0.1:${page.address().port}/`;
  // Asynchronous: the page is served by this very process, whose event loop must keep running.
  const run = await promisify(execFile)(
    BROWSER,
    [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--user-data-dir=${join(ROOT, "node_modules", ".chromium-profile")}`,
      "--virtual-time-budget=20000", "--dump-dom", url,
    ],
    { encoding: "utf8", timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const match = /<pre id="out">([^<]*)<\/pre>/.exec(run.stdout ?? "");
  assert.ok(match, `no result in the page: ${run.stderr?.slice(-2000)}`);
  const result = JSON.parse(match[1].replaceAll("&quot;", '"').replaceAll("&amp;", "&"));
  assert.deepEqual(result, {
    beat: "number",
    count: 3,
    nearest: ["b"],
    filtered: ["b", "c"],
    searched: [{ id: "c", document: "ccc" }],
    error: "ChromaNotFoundError",
  });
});
