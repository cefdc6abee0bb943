// The deployed environments of wrangler.toml: `wrangler deploy --dry-run --env <env>` must
// build and bundle the Worker (the build step makes the wasm) and bind what the core needs.
// Nothing is uploaded; a broken environment fails here instead of in the deploy workflow.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

for (const [env, bucket, base, worker] of [
  ["staging", "alphogen-assets-staging", "https://api-staging.alphogen.com", "alphogen-api-staging"],
  ["production", "alphogen-assets", "https://api.alphogen.com", "alphogen-api"],
]) {
  test(`wrangler deploy --dry-run --env ${env} bundles the Worker with its bindings`, async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `ag-dry-${env}-`));
    try {
      const { stdout } = await run(
        process.execPath,
        [path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--env", env, "--outdir", outdir],
        { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" }, maxBuffer: 16 << 20 },
      );
      assert.match(stdout, /--dry-run: exiting now/);
      assert.match(stdout, /env\.HYPERDRIVE \(/);
      assert.match(stdout, new RegExp(`env\\.ASSETS \\(${bucket}\\)`));
      // the fetch effect's own invocation: this environment's Worker, not another's
      assert.match(stdout, new RegExp(`env\\.OUTBOUND \\(${worker}#Outbound\\)`));
      assert.match(stdout, new RegExp(`env\\.PUBLIC_BASE_URL \\("${base.replace(/[.]/g, "\\.")}"\\)`));
      const bundle = fs.readdirSync(outdir);
      assert.ok(bundle.includes("worker.js"), `bundle: ${bundle.join(", ")}`);
      assert.ok(bundle.some((f) => f.endsWith(".wasm")), `no wasm in the bundle: ${bundle.join(", ")}`);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
}
