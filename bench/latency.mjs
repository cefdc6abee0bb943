// Latency with the database at a distance: what a user of the API waits for. In production
// every statement crosses from the edge, through Hyperdrive's pool, to the database's region;
// here a delaying proxy (bench/delay-proxy.mjs) adds `rttMs` of round trip between the pooler
// (PgBouncer, the stand-in for Hyperdrive) and Postgres:
//
//   Worker ── PgBouncer ── delay proxy (+rttMs per round trip) ── Postgres
//
// Requests go one at a time (no load: the figure is the wait, not the throughput), on every
// target in turn, interleaved: each round runs every endpoint on each target once, in a
// shuffled target order, `warmup` untimed requests then `requests` timed ones. Per round the
// p50 and p99 of the timed requests; reported, the median over rounds and the spread.

import { startDelayProxy } from "./delay-proxy.mjs";
import { sendOne } from "./endpoints.mjs";
import { startPooler } from "./pooler.mjs";
import { shuffled, summarize } from "./stats.mjs";
import { startHono, startOurs } from "./targets.mjs";

/** The compared targets: ours (node-postgres), Hono on postgres.js as the seed wrote it, and
 *  the same Hono on ours' driver. All three answer under ours' response contract. */
export const LATENCY_TARGETS = ["ours", "hono-contract", "hono-pg"];

/** The q-quantile (0..1) of `values`, by linear interpolation between order statistics. */
function quantile(values, q) {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const at = (v.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return v[lo] + (v[hi] - v[lo]) * (at - lo);
}

const STARTERS = {
  ours: (vars) => startOurs({ vars: vars("ours") }),
  "hono-contract": (vars) => startHono({ vars: vars("hono"), contract: true }),
  "hono-pg": (vars) => startHono({ vars: vars("hono"), contract: true, driver: "pg" }),
};

/** `count` requests of `plan`, one after the other; their durations in ms. */
async function timedRequests(target, plan, count) {
  await plan.prepare?.(count);
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const { status, body } = await sendOne(target, plan);
    const ms = performance.now() - started;
    if (status < 200 || status > 299) throw new Error(`${plan.method} ${plan.path} on ${target.name} answered ${status}: ${body.slice(0, 300)}`);
    times.push(ms);
  }
  return times;
}

/**
 * @param fx the fixture (bench/fixture.mjs): its database is reached through a second pooler,
 *   behind the delay proxy
 * @param list endpoints ({id, label, plan}) to measure on LATENCY_TARGETS
 * @returns {{rttMs, proxy: {connections, chunks, bytes}, results: [{endpoint, label, target,
 *   path, p50, p99, mean: summaries in ms}]}}
 */
export async function measureLatency(fx, list, { rttMs, rounds, requests, warmup, log }) {
  const server = new URL(fx.db.url);
  const proxy = await startDelayProxy({ host: server.hostname, port: Number(server.port), rttMs });
  const targets = {};
  let pooler;
  try {
    const behindProxy = new URL(fx.db.url);
    behindProxy.hostname = "127.0.0.1";
    behindProxy.port = String(proxy.port);
    pooler = await startPooler(behindProxy.href);
    const dbUrl = pooler.urlFor(fx.db.url);
    const vars = (kind) => fx.varsFor(kind, dbUrl);
    for (const name of LATENCY_TARGETS) targets[name] = await STARTERS[name](vars);

    const plans = new Map();
    for (const ep of list) for (const name of LATENCY_TARGETS) plans.set(`${ep.id}/${name}`, await ep.plan(targets[name]));
    const runs = new Map([...plans.keys()].map((k) => [k, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const ep of list) {
        for (const name of shuffled(LATENCY_TARGETS)) {
          const key = `${ep.id}/${name}`;
          const plan = plans.get(key);
          // untimed: the pooler's server connection to this target's settings, V8's tiers
          await timedRequests(targets[name], plan, warmup);
          const times = await timedRequests(targets[name], plan, requests);
          const run = { p50: quantile(times, 0.5), p99: quantile(times, 0.99), mean: times.reduce((a, b) => a + b, 0) / times.length };
          runs.get(key).push(run);
          log(`latency round ${round}/${rounds} ${ep.label} ${name}: p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms`);
        }
      }
    }
    const results = [];
    for (const ep of list) {
      for (const name of LATENCY_TARGETS) {
        const key = `${ep.id}/${name}`;
        const measured = runs.get(key);
        const figure = (f) => summarize(measured.map((r) => r[f]));
        results.push({
          endpoint: ep.id,
          label: ep.label,
          target: name,
          path: plans.get(key).path,
          p50: figure("p50"),
          p99: figure("p99"),
          mean: figure("mean"),
        });
      }
    }
    return { rttMs, requests, rounds, proxy: proxy.stats(), results };
  } finally {
    for (const t of Object.values(targets)) await t.stop().catch(() => {});
    await pooler?.stop();
    await proxy.close();
  }
}
