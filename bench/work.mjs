// Work per request: Postgres round trips (through the integration harness's counting proxy)
// and calls to third-party providers (requests reaching the Supabase Auth and RunPod
// stand-ins), for the first request a fresh isolate serves and for the next one (caches warm).

import { setTimeout as sleep } from "node:timers/promises";
import { sendOne } from "./endpoints.mjs";

/** Longer than the gap between an answer and the background work it sends through the Queue
 *  (a finished job's webhooks): the harness delivers the Queue's batches at once. */
const QUIET_MS = 300;
/** The targets whose work is counted: the contract changes no statement, the driver does. */
const COUNTED = ["ours", "hono", "hono-pg"];

/**
 * Waits until the Worker's database traffic is over: no connection open and nothing sent for
 * QUIET_MS. Background work (waitUntil) may connect only after the answer has arrived, so
 * "no connection open" alone can be seen too early.
 */
async function settle(counter) {
  for (;;) {
    const before = counter.mark();
    await sleep(QUIET_MS);
    await counter.idle();
    if (counter.mark() === before && counter.open === 0) return;
  }
}

/**
 * Counts what one request of `plan` costs: {status, roundTrips, statements, sql, connections,
 * providerCalls}; `sql` is the text of each statement, to show that targets do the same work.
 */
async function countOne(target, plan, counter, providers) {
  if (plan.prepare) {
    await plan.prepare(1);
    await settle(counter);
  }
  const mark = counter.mark();
  const providerRequests = () => providers.reduce((n, p) => n + p.requests.length, 0);
  const providerBefore = providerRequests();
  const { status } = await sendOne(target, plan);
  await settle(counter);
  const db = counter.since(mark);
  return {
    status,
    roundTrips: db.roundTrips,
    statements: db.statements.length,
    sql: db.statements,
    connections: db.connections,
    providerCalls: providerRequests() - providerBefore,
  };
}

/**
 * @param start (name) => a fresh target whose database goes through `counter`
 * @param providers the stand-ins whose `requests` count as provider calls
 * @returns [{endpoint, target, path, first, steady}]
 */
export async function workPerRequest(list, start, counter, providers) {
  const out = [];
  for (const ep of list) {
    for (const name of ep.targets.filter((t) => COUNTED.includes(t))) {
      const target = await start(name);
      try {
        const plan = await ep.plan(target);
        // the probe of a plan (webhook route) is not part of the measured requests
        await settle(counter);
        const first = await countOne(target, plan, counter, providers);
        const steady = await countOne(target, plan, counter, providers);
        out.push({ endpoint: ep.id, target: name, path: plan.path, first, steady });
      } finally {
        await target.stop();
      }
    }
  }
  return out;
}
