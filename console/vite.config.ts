// The console's build: `npx vite build --config console/vite.config.ts` writes the static site
// to build/static/console/, served by the Worker's static assets under /console/.
// Before bundling, the API client's types are generated from the OpenAPI document the Worker
// serves (src/api/openapi.json) and the whole console is type-checked against them: a drift
// between the document and the code fails the build.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { defineConfig, type Plugin } from "vite";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const DOCUMENT = path.join(ROOT, "src/api/openapi.json");
const SCHEMA = path.join(HERE, "src/api/schema.d.ts");

/** Generates src/api/schema.d.ts from the OpenAPI document, then runs tsc --noEmit. */
function typedAgainstTheDocument(): Plugin {
  return {
    name: "alphogen-openapi-types",
    async buildStart() {
      // an object the document leaves open (a job's `input`) takes any values
      const ast = await openapiTS(new URL(`file://${DOCUMENT}`), { emptyObjectsUnknown: true });
      const header = "// Generated from src/api/openapi.json by console/vite.config.ts. Do not edit.\n";
      fs.writeFileSync(SCHEMA, header + astToString(ast));
      execFileSync(path.join(ROOT, "node_modules/.bin/tsc"), ["--noEmit", "-p", path.join(HERE, "tsconfig.json")], {
        stdio: "inherit",
      });
    },
  };
}

export default defineConfig({
  root: HERE,
  base: "/console/",
  plugins: [typedAgainstTheDocument()],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: path.join(ROOT, "build/static/console"),
    emptyOutDir: true,
    target: "es2022",
    // every file under 200 KB gzip together; no source maps in what ships
    sourcemap: false,
    // the type check above is most of the build's time, by design: no report about it
    rolldownOptions: { checks: { pluginTimings: false } },
  },
});
