// Runs the test files (test/*.test.mjs|cjs) with Node's test runner. Listing them here keeps
// the helpers in test/helpers/ from being run as tests, on every Node from 18 on.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

const dir = new URL("../test/", import.meta.url);
const files = readdirSync(dir)
  .filter((name) => /\.test\.(mjs|cjs)$/.test(name))
  .sort()
  .map((name) => `test/${name}`);
const result = spawnSync(process.execPath, ["--test", ...files, ...process.argv.slice(2)], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
