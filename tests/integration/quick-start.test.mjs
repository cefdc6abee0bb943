// The README's quick start, as written: its commands are read from README.md (the first bash
// block under "## Quick start"), never copied here. The first must be `scripts/dev`, which the
// harness starts on ports and a data folder of its own (so `http://127.0.0.1:8787` in the
// commands becomes that server's URL: the one difference of another PORT); the others run, in
// order, in one bash in an empty folder, as a newcomer's second terminal would. The file they
// download must be the PNG the quick start promises.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startDevServer } from "./harness/dev-server.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// A guard against hanging (a dev server that never comes up, a job that never ends), not a
// measure: a cold start may install ffmpeg first.
const HANG_MS = 5 * 60_000;

/** The quick start's commands: lines of its first bash block, continuations joined. */
function quickStart() {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("Quick start"));
  assert.ok(section, "README.md has no Quick start section");
  const block = section.match(/```bash\n([\s\S]*?)```/);
  assert.ok(block, "the Quick start has no bash block");
  const commands = [];
  let current = "";
  for (const line of block[1].split("\n")) {
    if (!current && (line.trim() === "" || line.trim().startsWith("#"))) continue;
    current += (current ? "\n" : "") + line;
    if (!/(\\|&&|\|)\s*$/.test(line)) {
      commands.push(current);
      current = "";
    }
  }
  return commands;
}

function bash(script, { cwd, env }) {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

let dev;
let work;

before(async () => {
  // the README's defaults (.dev.vars.example), nothing else
  dev = await startDevServer();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "ag-quick-start-"));
  fs.symlinkSync(path.join(ROOT, "scripts"), path.join(work, "scripts"));
}, { timeout: HANG_MS });

after(async () => {
  await dev?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test("the README's five quick-start commands end with a PNG on disk", { timeout: HANG_MS }, async () => {
  const commands = quickStart();
  assert.equal(commands.length, 5, commands.join("\n---\n"));
  assert.equal(commands[0], "scripts/dev");
  const script = commands.slice(1).join("\n").replaceAll("http://127.0.0.1:8787", dev.url);
  const { code, output } = await bash(script, {
    cwd: work,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DEV_DATA_DIR: dev.dataDir },
  });
  assert.equal(code, 0, `${output}\n--- scripts/dev:\n${dev.output()}`);
  assert.match(output, /^{"status":"completed",/m);

  const png = fs.readFileSync(path.join(work, "lighthouse.png"));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.subarray(12, 16).toString("ascii"), "IHDR");
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [512, 512]);
});
