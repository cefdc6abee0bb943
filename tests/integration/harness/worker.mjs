// The built Worker (js-shim + the core's wasm) in real workerd, through Miniflare's API.
//
//   const worker = await startWorker({ vars: { APP_ADMIN_TOKEN: "t" }, db: testDb.url });
//   const res = await worker.fetch("/health", { headers: {...} });
//   worker.logs   // [{level, message}] what the Worker logged
//   await worker.scheduled("*/5 * * * *")   // one cron run: {outcome, noRetry}
//   await worker.stop();
//
// Options:
//   vars         string bindings (vars and secrets), exactly these: wrangler.toml's [vars] are
//                not added, so a test states the configuration it depends on
//   db           a Postgres URL for the HYPERDRIVE binding (with a password), or null for none
//                (then the shim falls back to vars.DATABASE_URL)
//   r2Persist    a directory to keep R2 objects in (default: in memory, per worker); the
//                bucket's objects are in its folder worker.r2Bucket
//   wasm         the core to serve (default: build/wasm/alphogen.wasm, or $AG_TEST_WASM)
//   inspectorPort  opens workerd's V8 inspector there (the benchmark's CPU profiles)
//   keepLogs     false: workerd's output is drained unread and worker.logs stays empty (the
//                benchmark, whose load generator shares the node process and the CPUs)
//
// The bundle: `wrangler deploy --dry-run` of js-shim with the wasm, made once per set of
// inputs (shim sources, wasm, wrangler.toml, lock file) and cached under the OS temp dir, so
// parallel test files share it. The wasm: build/wasm/alphogen.wasm, or $AG_TEST_WASM.
// buildBundle(wasm, entryDir) bundles another entry instead (entryDir/worker.js, staged beside
// js-shim/ and build/wasm/, so that it imports them as `../js-shim/...`): the benchmark's
// probe of the shim's steps.

import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { Miniflare, Log, LogLevel } from "miniflare";
import { waitForWorkerSessions } from "./postgres.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const run = promisify(execFile);

export function wasmPath() {
  return process.env.AG_TEST_WASM ? path.resolve(process.env.AG_TEST_WASM) : path.join(ROOT, "build/wasm/alphogen.wasm");
}

function listFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

/**
 * What Miniflare takes from wrangler.toml, as `wrangler dev` reads it: compatibility date and
 * flags, the R2 buckets, the Queue and the static assets (folder, run_worker_first routing;
 * Miniflare reads the folder's _headers itself). Vars, secrets and the database are not taken:
 * a test states those. Read in a child process (wrangler takes ~2 s to load) and kept beside
 * the bundle, whose cache key includes wrangler.toml.
 */
function readWranglerOptions(outFile) {
  const script = `
    const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
    const o = unstable_getMiniflareWorkerOptions(process.argv[1]).workerOptions;
    const keep = ["compatibilityDate", "compatibilityFlags", "r2Buckets", "queueProducers", "queueConsumers", "assets"];
    process.stdout.write(JSON.stringify(Object.fromEntries(keep.map((k) => [k, o[k]]))));`;
  return run(process.execPath, ["--input-type=module", "-e", script, path.join(ROOT, "wrangler.toml")], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  }).then(({ stdout }) => fs.writeFileSync(outFile, stdout));
}

/** wrangler.toml's Miniflare options (readWranglerOptions) for the bundle in `dir`. */
export function wranglerOptions(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, "miniflare-options.json"), "utf8"));
}

/** wrangler.toml's compatibility date and flags (the benchmark's twins run on them too). */
export async function wranglerSettings() {
  const { compatibilityDate, compatibilityFlags } = wranglerOptions(await buildBundle());
  return { compatibilityDate, compatibilityFlags };
}

const bundlePromises = new Map();

/** Bundles the Worker with `wasm` once per input set; resolves to the directory holding worker.js. */
export function buildBundle(wasm = wasmPath(), entryDir = null) {
  const key = `${wasm}\0${entryDir ?? ""}`;
  if (!bundlePromises.has(key)) bundlePromises.set(key, bundle(wasm, entryDir));
  const promise = bundlePromises.get(key);
  promise.catch(() => bundlePromises.delete(key));
  return promise;
}

async function bundle(wasm, entryDir) {
  if (!fs.existsSync(wasm)) {
    throw new Error(`no wasm at ${wasm}: build it first (scripts/build wasm), or set AG_TEST_WASM`);
  }
  const staticDir = path.join(ROOT, "build/static");
  if (!fs.existsSync(staticDir)) {
    throw new Error(`no ${staticDir}, the Worker's static assets: build them first (scripts/build static)`);
  }
  const shimDir = path.join(ROOT, "js-shim");
  const hash = crypto.createHash("sha256");
  // The cache is shared by every checkout on the machine, and a bundle's Miniflare options name
  // its checkout's static assets folder by absolute path: one checkout's bundle is not another's.
  hash.update(staticDir);
  for (const f of listFiles(shimDir)) hash.update(path.relative(shimDir, f)).update(fs.readFileSync(f));
  hash.update(fs.readFileSync(wasm));
  hash.update(fs.readFileSync(path.join(ROOT, "wrangler.toml")));
  for (const f of entryDir ? listFiles(entryDir) : []) hash.update(path.relative(entryDir, f)).update(fs.readFileSync(f));
  const lock = path.join(ROOT, "package-lock.json");
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  const cacheRoot = path.join(os.tmpdir(), "alphogen-bundles");
  const final = path.join(cacheRoot, hash.digest("hex").slice(0, 20));
  if (fs.existsSync(path.join(final, "dist/worker.js"))) return path.join(final, "dist");

  // Stage a copy of the layout worker.js expects (../build/wasm/alphogen.wasm), bundle it,
  // then rename into place: a concurrent builder's result is as good as ours.
  fs.mkdirSync(cacheRoot, { recursive: true });
  const stage = fs.mkdtempSync(path.join(cacheRoot, "stage-"));
  try {
    fs.cpSync(shimDir, path.join(stage, "js-shim"), { recursive: true });
    fs.mkdirSync(path.join(stage, "build/wasm"), { recursive: true });
    fs.copyFileSync(wasm, path.join(stage, "build/wasm/alphogen.wasm"));
    fs.copyFileSync(path.join(ROOT, "wrangler.toml"), path.join(stage, "wrangler.toml"));
    fs.symlinkSync(staticDir, path.join(stage, "build/static"), "dir");
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(stage, "node_modules"), "dir");
    if (entryDir) fs.cpSync(entryDir, path.join(stage, "entry"), { recursive: true });
    await run(
      process.execPath,
      [path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", "dist",
       ...(entryDir ? ["entry/worker.js"] : [])],
      {
        cwd: stage,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((err) => {
      throw new Error(`wrangler bundle failed:\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
    });
    await readWranglerOptions(path.join(stage, "dist/miniflare-options.json"));
    try {
      fs.renameSync(stage, final);
    } catch (err) {
      if (!fs.existsSync(path.join(final, "dist/worker.js"))) throw err;
      fs.rmSync(stage, { recursive: true, force: true });
    }
  } catch (err) {
    fs.rmSync(stage, { recursive: true, force: true });
    throw err;
  }
  // keep the cache small: drop bundles older than a day
  for (const e of fs.readdirSync(cacheRoot)) {
    const p = path.join(cacheRoot, e);
    if (p !== final && Date.now() - fs.statSync(p).mtimeMs > 86_400_000) fs.rmSync(p, { recursive: true, force: true });
  }
  return path.join(final, "dist");
}

/** The modules of a bundle directory for Miniflare, the entry (worker.js) first. */
export function bundleModules(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".js") || f.endsWith(".mjs") || f.endsWith(".wasm"));
  files.sort((a, b) => (b === "worker.js") - (a === "worker.js")); // the entry module first
  return files.map((f) => ({
    type: f.endsWith(".wasm") ? "CompiledWasm" : "ESModule",
    path: path.join(dir, f),
    contents: fs.readFileSync(path.join(dir, f)),
  }));
}

/** Miniflare's handleRuntimeStdio that reads workerd's output and drops it. */
export function drainRuntimeOutput(stdout, stderr) {
  stdout.resume();
  stderr.resume();
}

/**
 * Starts the Worker in Miniflare with wrangler.toml's options. `staticAssets: false` leaves out
 * the static assets and their router (the benchmark: Cloudflare routes a request before the
 * Worker runs, where Miniflare's router runs as workers in the same workerd process).
 */
export async function startWorker({ vars = {}, db = null, r2Persist = false, wasm = wasmPath(), inspectorPort, keepLogs = true,
                                    staticAssets = true } = {}) {
  const dir = await buildBundle(wasm);
  const { assets, ...options } = wranglerOptions(dir);
  const logs = [];
  const verbose = Boolean(process.env.AG_TEST_VERBOSE);
  const bindings = {};
  for (const [k, v] of Object.entries(vars)) if (v !== undefined && v !== null) bindings[k] = String(v);
  const mf = new Miniflare({
    modules: bundleModules(dir),
    modulesRoot: dir,
    ...options,
    ...(staticAssets ? { assets } : {}),
    bindings,
    r2Persist,
    // the Queue's batches sent at once rather than after wrangler.toml's timeout
    queueConsumers: Object.fromEntries(
      Object.entries(options.queueConsumers).map(([queue, c]) => [queue, { ...c, maxBatchTimeout: 0 }]),
    ),
    ...(db ? { hyperdrives: { HYPERDRIVE: db } } : {}),
    host: "127.0.0.1",
    port: 0,
    log: new Log(verbose ? LogLevel.INFO : LogLevel.WARN),
    logRequests: false,
    ...(inspectorPort ? { inspectorPort } : {}),
    telemetry: { enabled: false },
    cf: false, // the placeholder Request.cf: no fetch of the real one (offline)
    ...(keepLogs
      ? {
          handleStructuredLogs: ({ level, message }) => {
            logs.push({ level, message });
            if (verbose) process.stderr.write(`[worker ${level}] ${message}\n`);
          },
        }
      : { handleRuntimeStdio: drainRuntimeOutput }),
  });
  let url;
  try {
    url = await mf.ready;
  } catch (err) {
    await mf.dispose().catch(() => {});
    throw err;
  }
  const base = url.href;
  return {
    url: base,
    logs,
    mf,
    /** The R2 bucket behind the ASSETS binding (its folder under r2Persist). */
    r2Bucket: options.r2Buckets.ASSETS.id,
    async fetch(pathname, init) {
      const url = new URL(pathname, base);
      try {
        return await fetch(url, init);
      } catch (err) {
        // workerd closes a keep-alive connection idle for a few seconds; a request sent on it
        // just then was never read. Sent again once when it is safe to repeat.
        const method = (init?.method ?? "GET").toUpperCase();
        const stale = err?.cause?.code === "UND_ERR_SOCKET" && /other side closed/.test(err.cause.message);
        if (!stale || !["GET", "HEAD", "OPTIONS"].includes(method)) throw err;
        return fetch(url, init);
      }
    },
    /** Runs the scheduled() handler once, as the cron trigger would: {outcome, noRetry}. */
    async scheduled(cron = "*/5 * * * *") {
      const w = await mf.getWorker();
      return w.scheduled({ cron, scheduledTime: new Date() });
    },
    /** Lets background work that still holds a database session finish, then disposes. */
    async stop() {
      const database = db ?? vars.DATABASE_URL;
      if (database) await waitForWorkerSessions(database).catch(() => {});
      await mf.dispose();
    },
  };
}
