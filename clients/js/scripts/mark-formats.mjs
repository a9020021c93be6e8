// Tell Node (and TypeScript) which module format each build folder holds. The package root has
// no "type", so without these markers dist/esm/*.js would be read as CommonJS.
import { writeFileSync } from "node:fs";

const marks = { esm: "module", cjs: "commonjs" };
for (const [folder, type] of Object.entries(marks)) {
  const file = new URL(`../dist/${folder}/package.json`, import.meta.url);
  writeFileSync(file, JSON.stringify({ type }, null, 2) + "\n");
}
