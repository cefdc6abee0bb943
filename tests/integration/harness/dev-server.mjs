// `scripts/dev` itself, as a developer runs it, on ports and a data folder of its own and with
// an emptied environment: only PATH, HOME and what the test names reach it (its .dev.vars or
// .dev.vars.example fill the rest; the environment wins).
//
//   const dev = await startDevServer({ env: { APP_ADMIN_TOKEN: "t" } });
//   dev.url          // "http://127.0.0.1:PORT", once GET /health answers 200
//   dev.ports        // {api, db, gen, auth, inspector}: gen is where RUNPOD_API_BASE and OPENAI_API_BASE
//                    // point (the local generation server), auth where SUPABASE_URL does (the local
//                    // Supabase Auth)
//   dev.dataDir      // its data folder (DEV_DATA_DIR)
//   dev.output()     // what scripts/dev printed so far
//   await dev.waitForOutput(/re/) // until it prints a match; throws if scripts/dev exits first
//   await dev.stop() // SIGTERM, as Ctrl-C would; removes the data folder it made
//
// The wasm must be built (scripts/test builds it first): the dev server runs with
// AG_DEV_SKIP_BUILD=1.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import http from "node:http";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// A guard against hanging, not a measure: a cold start may install ffmpeg first.
const SETTLE_MS = 10 * 60_000;

/**
 * A loopback port nothing listens on, below the kernel's ephemeral range (32768 and up): a port
 * the kernel hands out meanwhile (a connection's, another test's listen(0)) cannot be it, so it
 * is still free when scripts/dev's database, stand-ins and Worker start on it a moment later.
 */
async function quietPort(taken) {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (taken.has(port)) continue;
    const server = http.createServer();
    const free = await new Promise((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function healthy(url) {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts scripts/dev without waiting for it: `await dev.settled()` is "serving" once GET /health
 * answers 200, or "exited" (dev.exitCode) if it stops first. `dataDir` shares a data folder
 * (left in place by stop); by default each server has its own, removed by stop.
 */
export async function launchDevServer({ env = {}, dataDir } = {}) {
  const free = new Set();
  while (free.size < 5) free.add(await quietPort(free));
  const [api, db, gen, auth, inspector] = free;
  const ports = { api, db, gen, auth, inspector };
  const ownData = !dataDir;
  const data = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "ag-dev-server-"));
  const child = spawn(path.join(ROOT, "scripts/dev"), [], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(ports.api),
      DEV_DB_PORT: String(ports.db),
      // wrangler's default 9229 is one port for every dev server: two starting at once race for it
      DEV_INSPECTOR_PORT: String(ports.inspector),
      DEV_DATA_DIR: data,
      AG_DEV_SKIP_BUILD: "1",
      RUNPOD_API_BASE: `http://127.0.0.1:${ports.gen}`,
      OPENAI_API_BASE: `http://127.0.0.1:${ports.gen}/v1`,
      SUPABASE_URL: `http://127.0.0.1:${ports.auth}`,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // a process group of its own, for stop()'s last resort
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let running = true;

  const dev = {
    url: `http://127.0.0.1:${ports.api}`,
    ports,
    dataDir: data,
    exitCode: null,
    output: () => output,
    async settled() {
      const deadline = Date.now() + SETTLE_MS;
      while (!(await healthy(dev.url))) {
        if (!running) return "exited";
        if (Date.now() > deadline) return "hung";
        await sleep(500);
      }
      return "serving";
    },
    /** Resolves once the output matches `re`; throws if scripts/dev exits first. */
    async waitForOutput(re) {
      while (!re.test(output)) {
        if (!running) throw new Error(`scripts/dev exited (${dev.exitCode}) before printing ${re}:\n${output}`);
        await sleep(200);
      }
    },
    async stop() {
      if (running) child.kill("SIGTERM");
      // scripts/dev's trap stops its children; one that hangs (and them) is killed as a group
      const killer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 30_000);
      await exited;
      clearTimeout(killer);
      if (ownData) fs.rmSync(data, { recursive: true, force: true });
    },
  };
  exited.then((code) => {
    running = false;
    dev.exitCode = code;
  });
  return dev;
}

/** Starts scripts/dev and resolves once it serves (see launchDevServer). */
export async function startDevServer(options = {}) {
  const dev = await launchDevServer(options);
  const state = await dev.settled();
  if (state !== "serving") {
    await dev.stop();
    throw new Error(`scripts/dev ${state} before serving:\n${dev.output()}`);
  }
  return dev;
}
