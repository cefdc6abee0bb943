// `scripts/dev` itself, as a developer runs it, on ports and a data folder of its own and with
// an emptied environment: only PATH, HOME and what the test names reach it (its .dev.vars or
// .dev.vars.example fill the rest; the environment wins).
//
//   const dev = await startDevServer({ env: { APP_ADMIN_TOKEN: "t" } });
//   dev.url          // "http://127.0.0.1:PORT", once GET /health answers 200
//   dev.ports        // {api, db, gen}: gen is where RUNPOD_API_BASE points (the local generation server)
//   dev.output()     // what scripts/dev printed so far
//   await dev.stop() // SIGTERM, as Ctrl-C would; removes the data folder
//
// The wasm must be built (scripts/test builds it first): the dev server runs with
// AG_DEV_SKIP_BUILD=1.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { closedPort } from "./loopback-server.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

async function healthy(url) {
  try {
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function startDevServer({ env = {} } = {}) {
  const free = new Set();
  while (free.size < 3) free.add(await closedPort());
  const [api, db, gen] = free;
  const ports = { api, db, gen };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ag-dev-server-"));
  const child = spawn(path.join(ROOT, "scripts/dev"), [], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(ports.api),
      DEV_DB_PORT: String(ports.db),
      DEV_DATA_DIR: dataDir,
      AG_DEV_SKIP_BUILD: "1",
      RUNPOD_API_BASE: `http://127.0.0.1:${ports.gen}`,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let running = true;
  exited.then(() => (running = false));

  const dev = {
    url: `http://127.0.0.1:${ports.api}`,
    ports,
    output: () => output,
    async stop() {
      if (running) child.kill("SIGTERM");
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  while (!(await healthy(dev.url))) {
    if (!running) {
      await dev.stop();
      throw new Error(`scripts/dev exited before serving:\n${output}`);
    }
    await sleep(500);
  }
  return dev;
}
