// The benchmark (scripts/bench runs it after building): our Worker against a bare JS Worker and
// a Hono Worker, on the same workerd, Postgres and stand-ins. Progress goes to stderr; the
// Markdown report to stdout and <out>/report.md, the raw figures to <out>/results.json
// (out: build/bench).
//
//   node bench/run.mjs [--quick] [--sections=load,startup,memory,work,latency,profile,steps] [--out=DIR]
//                      [--alt-wasm=PATH] [--rtt-ms=20]
//   node bench/run.mjs latency [--rtt-ms=N]     the same as --sections=work,latency
//
// --rtt-ms is the round trip the latency section adds between the pooler and Postgres.
// --alt-wasm adds a fourth target to the load section: our Worker with another build of the
// core, run interleaved with the others, to compare builds (-Os against -O3, ...) under the
// same drift of the machine's load.
//
// Needs AG_TEST_PG_URL (a Postgres 15 server; the integration harness makes a database on it).

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startPgCounter } from "../tests/integration/harness/pg-counter.mjs";
import { endpoints, jobEndpoints } from "./endpoints.mjs";
import { startFixture } from "./fixture.mjs";
import { measureLatency } from "./latency.mjs";
import { measureLoad, planAll } from "./load.mjs";
import { memoryAcrossRequests, mixedPlan, uploadPeak } from "./memory.mjs";
import { ROOT } from "./paths.mjs";
import { freePort, profileUnderLoad } from "./profile.mjs";
import { renderReport } from "./report.mjs";
import { firstRequest, healthCpuMicros, instantiateTimes, wasmSize } from "./startup.mjs";
import { measureSteps } from "./steps.mjs";
import { startBare, startHono, startOurs } from "./targets.mjs";
import { workPerRequest } from "./work.mjs";

const SECTIONS = ["load", "startup", "memory", "work", "latency", "profile", "steps"];
// What the latency section measures, in this order (ids of endpoints() and jobEndpoints()).
const LATENCY_ENDPOINTS = ["jobs-create", "job-get", "me-hs256", "credits", "webhook", "runpod-callback"];
// The endpoints whose CPU the profile section splits up.
const PROFILED = ["health", "me-hs256", "webhook"];
const MB = 1024 * 1024;

const SETTINGS = {
  full: {
    rounds: 3, duration: 8, warmup: 2, connections: 8,
    startRepeats: 5, instantiateRepeats: 20, cpuBatches: 5, cpuPerBatch: 4000,
    memoryCheckpoints: [1_000, 100_000], uploads: [10 * MB, 100 * MB],
    profileSeconds: 8,
    stepIterations: 4000, stepRepeats: 9,
    latencyRounds: 3, latencyRequests: 60, latencyWarmup: 3,
  },
  quick: {
    rounds: 1, duration: 1, warmup: 0.5, connections: 4,
    startRepeats: 1, instantiateRepeats: 3, cpuBatches: 1, cpuPerBatch: 500,
    memoryCheckpoints: [200, 1_000], uploads: [MB, 10 * MB],
    profileSeconds: 1,
    stepIterations: 50, stepRepeats: 1,
    latencyRounds: 1, latencyRequests: 3, latencyWarmup: 1,
  },
};

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

function machine() {
  const workerd = execFileSync(path.join(ROOT, "node_modules/.bin/workerd"), ["--version"], { encoding: "utf8" }).trim();
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown CPU",
    memory: os.totalmem(),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    workerd,
    loadBefore: os.loadavg(),
  };
}

async function withTargets(fx, altWasm, fn) {
  const targets = {};
  try {
    targets.ours = await startOurs({ vars: fx.varsFor("ours") });
    if (altWasm) targets.alt = await startOurs({ vars: fx.varsFor("ours"), wasm: altWasm, name: "alt" });
    targets.bare = await startBare();
    targets["bare-headers"] = await startBare({ oursHeaders: true });
    targets.hono = await startHono({ vars: fx.varsFor("hono") });
    targets["hono-contract"] = await startHono({ vars: fx.varsFor("hono"), contract: true });
    return await fn(targets);
  } finally {
    for (const t of Object.values(targets)) await t.stop().catch(() => {});
  }
}

async function startupFigures(fx, s) {
  log("size and start-up");
  const fresh = {};
  fresh.ours = await firstRequest(() => startOurs({ vars: fx.varsFor("ours") }), { repeats: s.startRepeats });
  fresh.bare = await firstRequest(() => startBare(), { repeats: s.startRepeats });
  fresh.hono = await firstRequest(() => startHono({ vars: fx.varsFor("hono") }), { repeats: s.startRepeats });
  return {
    size: wasmSize(),
    instantiate: instantiateTimes(fx.varsFor("ours"), { repeats: s.instantiateRepeats }),
    healthCpuMicros: await healthCpuMicros(fx.varsFor("ours"), { batches: s.cpuBatches, perBatch: s.cpuPerBatch }),
    fresh,
  };
}

// Every endpoint runs in the memory mix, but those that open a database connection per request
// (a few ms of Postgres work each, locally) are diluted so that 100k requests fit in minutes.
const HEALTH_PER_CYCLE = 40;

async function memoryFigures(fx, list, s) {
  log(`linear memory across ${s.memoryCheckpoints.at(-1)} requests`);
  const ours = await startOurs({ vars: fx.varsFor("ours") });
  let linear;
  try {
    const plans = await planAll(list.map((e) => ({ ...e, targets: ["ours"] })), { ours });
    const weighted = list.map((e) => [plans.get(`${e.id}/ours`), e.id === "health" ? HEALTH_PER_CYCLE : 1]);
    linear = await memoryAcrossRequests(ours, mixedPlan(weighted), fx.secrets.admin, {
      checkpoints: s.memoryCheckpoints,
      connections: s.connections,
    });
  } finally {
    await ours.stop();
  }
  const uploads = [];
  const admin = { authorization: `Bearer ${fx.secrets.admin}`, "content-type": "application/octet-stream" };
  for (const size of s.uploads) {
    log(`upload of ${size / MB} MiB`);
    const oursStart = (dir) => startOurs({ vars: fx.varsFor("ours"), r2Persist: dir });
    uploads.push({ target: "ours", ...(await uploadPeak(oursStart, size, { headers: admin, adminToken: fx.secrets.admin })) });
    uploads.push({ target: "bare", ...(await uploadPeak((dir) => startBare({ r2Persist: dir }), size)) });
  }
  const mix = list.map((e) => (e.id === "health" ? `${HEALTH_PER_CYCLE} × ${e.label}` : e.label));
  return { mix, linear, uploads };
}

async function workFigures(fx, list) {
  log("work per request");
  const counter = await startPgCounter(fx.db.url);
  try {
    const start = (name) => {
      if (name === "ours") return startOurs({ vars: fx.varsFor("ours", counter.url) });
      const vars = fx.varsFor("hono", counter.url);
      return name === "hono-pg" ? startHono({ vars, contract: true, driver: "pg" }) : startHono({ vars });
    };
    // the fresh-token variant costs the same work as me-es256
    return await workPerRequest(list.filter((e) => e.id !== "me-es256-fresh"), start, counter, [fx.auth, fx.runpod]);
  } finally {
    await counter.close();
  }
}

async function profileFigures(fx, list, s) {
  const starters = {
    ours: (inspectorPort) => startOurs({ vars: fx.varsFor("ours"), inspectorPort }),
    bare: (inspectorPort) => startBare({ inspectorPort }),
    hono: (inspectorPort) => startHono({ vars: fx.varsFor("hono"), inspectorPort }),
  };
  const out = [];
  for (const ep of list.filter((e) => PROFILED.includes(e.id))) {
    for (const target of ep.targets.filter((t) => t in starters)) {
      log(`CPU profile of ${target} under ${ep.label} load`);
      const plan = await ep.plan();
      const profile = await profileUnderLoad(starters[target], plan, {
        port: await freePort(),
        seconds: s.profileSeconds,
        warmup: s.warmup,
        connections: s.connections,
      });
      out.push({ endpoint: ep.id, target, path: plan.path, ...profile });
    }
  }
  return out;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: "boolean", default: false },
      sections: { type: "string", default: SECTIONS.join(",") },
      out: { type: "string", default: path.join(ROOT, "build/bench") },
      "alt-wasm": { type: "string" },
      "rtt-ms": { type: "string", default: "20" },
    },
  });
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== "latency")) {
    throw new Error(`unknown arguments ${positionals.join(" ")} (the only one is "latency")`);
  }
  const sections = (positionals[0] === "latency" ? "work,latency" : values.sections).split(",").filter(Boolean);
  const rttMs = Number(values["rtt-ms"]);
  if (!(rttMs >= 0)) throw new Error(`--rtt-ms must be a number of ms ≥ 0, not ${values["rtt-ms"]}`);
  for (const s of sections) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s} (${SECTIONS.join(", ")})`);
  const settings = values.quick ? SETTINGS.quick : SETTINGS.full;
  const results = { startedAt: new Date().toISOString(), quick: values.quick, settings, machine: machine() };

  const fx = await startFixture();
  try {
    const list = endpoints(fx, { quick: values.quick });
    const jobs = jobEndpoints(fx);
    results.endpoints = [...list, ...jobs].map(({ id, label }) => ({ id, label }));
    if (sections.includes("load")) {
      const altWasm = values["alt-wasm"] && path.resolve(values["alt-wasm"]);
      results.altWasm = altWasm;
      const loaded = altWasm ? list.map((e) => ({ ...e, targets: [...e.targets, "alt"] })) : list;
      results.load = await withTargets(fx, altWasm, (targets) => measureLoad(loaded, targets, { ...settings, log }));
    }
    if (sections.includes("startup")) results.startup = await startupFigures(fx, settings);
    if (sections.includes("memory")) results.memory = await memoryFigures(fx, list, settings);
    if (sections.includes("work")) {
      // the endpoints the latency section measures are also counted on Hono with ours' driver
      const counted = list.map((e) => (LATENCY_ENDPOINTS.includes(e.id) ? { ...e, targets: [...e.targets, "hono-pg"] } : e));
      results.work = await workFigures(fx, [...counted, ...jobs]);
    }
    if (sections.includes("latency")) {
      log(`latency with ${rttMs} ms between the pooler and Postgres`);
      const byId = new Map([...list, ...jobs].map((e) => [e.id, e]));
      results.latency = await measureLatency(fx, LATENCY_ENDPOINTS.map((id) => byId.get(id)), {
        rttMs,
        rounds: settings.latencyRounds,
        requests: settings.latencyRequests,
        warmup: settings.latencyWarmup,
        log,
      });
    }
    if (sections.includes("profile")) results.profile = await profileFigures(fx, list, settings);
    if (sections.includes("steps")) {
      results.steps = await measureSteps({
        vars: fx.varsFor("ours"), iterations: settings.stepIterations, repeats: settings.stepRepeats, log,
      });
    }
  } finally {
    await fx.close();
  }
  results.machine.loadAfter = os.loadavg();

  const report = renderReport(results);
  const outDir = path.resolve(values.out);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "report.md"), report);
  const json = { ...results, load: results.load ? Object.fromEntries(results.load) : undefined };
  fs.writeFileSync(path.join(outDir, "results.json"), `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(report);
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
