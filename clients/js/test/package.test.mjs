// The package as users install it: ESM and CommonJS entry points with type declarations, no
// runtime dependencies, and built code that needs nothing Node-only (so it runs in browsers).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";

import * as esm from "chromadb";

const root = new URL("../", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));

test("ESM import and CommonJS require give the same API", () => {
  const cjs = createRequire(import.meta.url)("chromadb");
  const names = (mod) => Object.keys(mod).filter((k) => k !== "default" && k !== "__esModule").sort();
  assert.deepEqual(names(cjs), names(esm));
  for (const name of ["ChromaClient", "Collection", "ChromaError", "ChromaNotFoundError", "IncludeEnum"]) {
    assert.ok(esm[name], `ESM exports ${name}`);
    assert.ok(cjs[name], `CJS exports ${name}`);
  }
  assert.equal(typeof new cjs.ChromaClient().heartbeat, "function");
});

test("every export condition points at a built file with declarations beside it", () => {
  const conditions = pkg.exports["."];
  for (const format of ["import", "require"]) {
    for (const file of [conditions[format].types, conditions[format].default]) {
      assert.ok(existsSync(new URL(file, root)), `${format}: ${file} exists`);
    }
  }
  assert.ok(existsSync(new URL(pkg.types, root)));
});

test("the package is not named like Chroma's own, and is imported as chromadb", () => {
  // `chromadb` on the npm registry is the other project's client: ours installs under the alias
  // (npm install chromadb@file:<tarball>), so code keeps `from "chromadb"` (see README.md).
  assert.notEqual(pkg.name, "chromadb");
  assert.equal(pkg.devDependencies.chromadb, "file:.", "the tests import the package as users do");
  assert.match(pkg.scripts.prepack, /npm run build/, "npm pack builds dist/ first");
  assert.ok(pkg.files.includes("dist"));
});

test("no runtime dependencies", () => {
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), []);
  assert.deepEqual(Object.keys(pkg.peerDependencies ?? {}), []);
});

test("the built code imports only its own files (nothing Node-only)", () => {
  for (const folder of ["dist/esm/", "dist/cjs/"]) {
    const dir = new URL(folder, root);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
      // Comments are left out: the doc examples show `import ... from "chromadb"`.
      const code = readFileSync(new URL(file, dir), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      const specifiers = [
        ...code.matchAll(/\bfrom\s+["']([^"']+)["']/g),
        ...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
        ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
      ].map((m) => m[1]);
      for (const specifier of specifiers) {
        assert.ok(specifier.startsWith("./"), `${folder}${file} imports ${specifier}`);
      }
      assert.doesNotMatch(code, /\bprocess\.|\bBuffer\b|__dirname/, `${folder}${file} uses Node globals`);
    }
  }
});
