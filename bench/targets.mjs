// The three Workers the benchmark compares, each in its own workerd (Miniflare) so that their
// memory can be read apart; only one is under load at a time.
//
//   ours   js-shim + build/wasm/alphogen.wasm, as the integration tests start it, except that
//          workerd's output (the access lines) is drained unread, as production ships it away
//          instead of parsing it next to the load generator
//   alt    the same with another build of the core (--alt-wasm), to compare builds
//   bare   bench/workers/bare/worker.js: the runtime's floor for /health
//   hono   bench/workers/hono/index.ts: TypeScript, Hono, jose, stripe (the 002 seed's stack);
//          hono-contract the same under ours' response contract, hono-pg that on node-postgres
// and, compared with nothing, the probe of ours' request steps (bench/workers/steps).
//
// Each start resolves to {name, url, pid, fetch(path, init), stop()}; `pid` is the workerd
// process serving it (for RSS readings; the probe has none).

import { execFile, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Log, LogLevel, Miniflare } from "miniflare";
import {
  buildBundle,
  bundleModules,
  drainRuntimeOutput,
  startWorker,
  wasmPath,
  wranglerSettings,
} from "../tests/integration/harness/worker.mjs";
import { ROOT } from "./paths.mjs";

const run = promisify(execFile);
const WORKERS = path.join(ROOT, "bench/workers");

/** /proc/PID/stat as {comm, fields}: fields[0] is the state (the 3rd field), fields[1] the ppid. */
function procStat(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'
  return {
    comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
    fields: stat.slice(stat.lastIndexOf(")") + 2).split(" "),
  };
}

/** workerd processes that are children of this node process. */
function workerdChildren() {
  const pids = new Set();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { comm, fields } = procStat(entry);
      if (Number(fields[1]) === process.pid && comm.startsWith("workerd")) pids.add(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Runs `start` and returns its result with the pid of the workerd it spawned. */
async function withPid(start) {
  const before = workerdChildren();
  const target = await start();
  const spawned = [...workerdChildren()].filter((pid) => !before.has(pid));
  if (spawned.length !== 1) throw new Error(`expected one new workerd process, saw ${spawned.length}`);
  return { ...target, pid: spawned[0] };
}

async function startMiniflare(name, modules, { vars = {}, r2Persist = false, inspectorPort, drainOutput = false } = {}) {
  const { compatibilityDate, compatibilityFlags } = await wranglerSettings();
  const mf = new Miniflare({
    modules,
    modulesRoot: path.dirname(modules[0].path),
    compatibilityDate,
    compatibilityFlags,
    bindings: vars,
    r2Buckets: ["ASSETS"],
    r2Persist,
    host: "127.0.0.1",
    port: 0,
    log: new Log(process.env.AG_BENCH_VERBOSE ? LogLevel.INFO : LogLevel.WARN),
    logRequests: false, // as the integration harness starts ours
    ...(inspectorPort ? { inspectorPort } : {}),
    ...(drainOutput ? { handleRuntimeStdio: drainRuntimeOutput } : {}),
    telemetry: { enabled: false },
    cf: false,
  });
  try {
    const url = await mf.ready;
    return { name, url: url.href, fetch: (pathname, init) => fetch(new URL(pathname, url), init), stop: () => mf.dispose() };
  } catch (err) {
    await mf.dispose().catch(() => {});
    throw err;
  }
}

/** Our Worker, through the integration harness (same bundle, same bindings). */
export function startOurs({ vars, r2Persist = false, wasm, name = "ours", inspectorPort }) {
  return withPid(async () => {
    // Without the static assets' router: on Cloudflare it routes a request before the Worker
    // runs and its time is not the Worker's; in workerd it would be counted as ours (BENCHMARKS.md).
    const worker = await startWorker({
      vars, r2Persist, inspectorPort, keepLogs: false, staticAssets: false, ...(wasm ? { wasm } : {}),
    });
    return { name, url: worker.url, fetch: worker.fetch, stop: worker.stop };
  });
}

/** The bare Worker; with `oursHeaders`, the "bare-headers" target (see its worker.js). */
export function startBare({ r2Persist = false, inspectorPort, oursHeaders = false } = {}) {
  const entry = path.join(WORKERS, "bare/worker.js");
  const modules = [{ type: "ESModule", path: entry, contents: fs.readFileSync(entry) }];
  const [name, vars] = oursHeaders ? ["bare-headers", { OURS_HEADERS: "1" }] : ["bare", {}];
  return withPid(() => startMiniflare(name, modules, { r2Persist, inspectorPort, vars }));
}

/** The probe of ours' request steps (bench/steps.mjs), bundled beside js-shim; its logged
 *  steps print thousands of lines, which are drained unread. */
export async function startStepsProbe({ vars }) {
  const dir = await buildBundle(wasmPath(), path.join(WORKERS, "steps"));
  return startMiniflare("steps", bundleModules(dir), { vars, drainOutput: true });
}

let honoBundle = null;

/**
 * `wrangler deploy --dry-run` of the Hono Worker, once per source and lock file, from a staged
 * copy (wrangler writes its state next to the config).
 */
function bundleHono() {
  honoBundle ??= (async () => {
    const src = path.join(WORKERS, "hono");
    const files = fs.readdirSync(src).sort();
    const hash = crypto.createHash("sha256");
    for (const f of files) hash.update(f).update(fs.readFileSync(path.join(src, f)));
    hash.update(fs.readFileSync(path.join(ROOT, "package-lock.json")));
    const cache = path.join(os.tmpdir(), "alphogen-bench-hono");
    const out = path.join(cache, hash.digest("hex").slice(0, 20));
    if (!fs.existsSync(path.join(out, "index.js"))) {
      fs.mkdirSync(cache, { recursive: true });
      const stage = fs.mkdtempSync(path.join(cache, "stage-"));
      try {
        for (const f of files) fs.copyFileSync(path.join(src, f), path.join(stage, f));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(stage, "node_modules"), "dir");
        await run(
          process.execPath,
          [path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", "dist"],
          { cwd: stage, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" }, maxBuffer: 16 << 20 },
        ).catch((err) => {
          throw new Error(`wrangler could not bundle the Hono Worker:\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
        });
        fs.rmSync(out, { recursive: true, force: true });
        fs.renameSync(path.join(stage, "dist"), out);
      } finally {
        fs.rmSync(stage, { recursive: true, force: true });
      }
    }
    return path.join(out, "index.js");
  })();
  return honoBundle;
}

/** The Hono Worker; with `contract`, the "hono-contract" target (see its index.ts), whose
 *  access lines are drained unread as ours' are; with `driver: "pg"` as well, the "hono-pg"
 *  target: the same on node-postgres, ours' driver, instead of postgres.js. */
export function startHono({ vars, inspectorPort, contract = false, driver = "postgres.js" }) {
  return withPid(async () => {
    const entry = await bundleHono();
    const modules = [{ type: "ESModule", path: entry, contents: fs.readFileSync(entry) }];
    if (!contract) return startMiniflare("hono", modules, { vars, inspectorPort });
    const [name, driverVars] = driver === "pg" ? ["hono-pg", { HONO_DRIVER: "pg" }] : ["hono-contract", {}];
    const options = { vars: { ...vars, ...driverVars, HONO_CONTRACT: "1" }, inspectorPort, drainOutput: true };
    return startMiniflare(name, modules, options);
  });
}

/** Resident set size of a process, in bytes: {rss, peak}; peak is the high-water mark. */
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" })) || 100;

/** CPU seconds (user + system, every thread) a process has used so far. */
export function processCpuSeconds(pid) {
  const { fields } = procStat(pid);
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
}

export function processMemory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}
