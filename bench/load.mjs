// Throughput and latency under loopback load (autocannon), interleaved: every round runs each
// endpoint on each target once, in a shuffled target order, so that drift in the machine's load
// (other builds on shared cores) spreads over all targets instead of favouring one.

import autocannon from "autocannon";
import { sendOne } from "./endpoints.mjs";
import { shuffled, summarize } from "./stats.mjs";
import { processCpuSeconds } from "./targets.mjs";

/** One autocannon run of `plan` against `target`; with the CPU its workerd spent per request. */
export async function hammer(target, plan, { connections, duration, amount }) {
  const cpuBefore = target.pid ? processCpuSeconds(target.pid) : NaN;
  const result = await autocannon({
    url: target.url,
    connections,
    ...(amount ? { amount } : { duration }),
    requests: [
      {
        method: plan.method,
        path: plan.path,
        // a plan may vary the method and path too (bench/memory.mjs mixes endpoints)
        setupRequest: (req) => {
          const { method = plan.method, path = plan.path, headers = {}, body } = plan.next();
          return { ...req, method, path, headers: { ...req.headers, ...headers }, body };
        },
      },
    ],
  });
  const cpuSeconds = target.pid ? processCpuSeconds(target.pid) - cpuBefore : NaN;
  return {
    rps: result.requests.average,
    cpuMicros: (cpuSeconds * 1e6) / result.requests.total,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** Plans every endpoint on every target, and checks one request of each answers 2xx; each plan
 *  keeps the header names of that answer. */
export async function planAll(list, targets) {
  const plans = new Map();
  for (const ep of list) {
    for (const name of ep.targets) {
      const plan = await ep.plan(targets[name]);
      const { status, body, headerNames } = await sendOne(targets[name], plan);
      if (status < 200 || status > 299) {
        throw new Error(`${ep.label} on ${name}: ${plan.method} ${plan.path} answered ${status}: ${body.slice(0, 300)}`);
      }
      plans.set(`${ep.id}/${name}`, { ...plan, headerNames });
    }
  }
  return plans;
}

/**
 * @returns {Map<string, {endpoint, target, path, rps, p50, p90, p99, failures}>} keyed
 *   "endpoint/target"; each figure a summary {median, spread, runs}.
 */
export async function measureLoad(list, targets, { rounds, duration, connections, warmup, log }) {
  const plans = await planAll(list, targets);
  const runs = new Map([...plans.keys()].map((k) => [k, []]));
  for (const [key, plan] of plans) {
    const [, name] = key.split("/");
    await hammer(targets[name], plan, { connections, duration: warmup });
  }
  for (let round = 1; round <= rounds; round++) {
    for (const ep of list) {
      for (const name of shuffled(ep.targets)) {
        const key = `${ep.id}/${name}`;
        const r = await hammer(targets[name], plans.get(key), { connections, duration });
        runs.get(key).push(r);
        log(`round ${round}/${rounds} ${ep.label} ${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms${r.failures ? `, ${r.failures} failed` : ""}`);
      }
    }
  }
  const out = new Map();
  for (const [key, measured] of runs) {
    const [endpoint, target] = key.split("/");
    const figure = (f) => summarize(measured.map((r) => r[f]));
    out.set(key, {
      endpoint,
      target,
      path: plans.get(key).path,
      headerNames: plans.get(key).headerNames,
      rps: figure("rps"),
      cpuMicros: figure("cpuMicros"),
      p50: figure("p50"),
      p90: figure("p90"),
      p99: figure("p99"),
      failures: measured.reduce((n, r) => n + r.failures, 0),
    });
  }
  return out;
}
