// Work per request: Postgres round trips (through the integration harness's counting proxy)
// and calls to third-party providers (requests reaching the Supabase Auth stand-in), for the
// first request a fresh isolate serves and for the next one (caches warm).

import { sendOne } from "./endpoints.mjs";

/** Counts what one request of `plan` costs: {status, roundTrips, statements, connections, providerCalls}. */
async function countOne(target, plan, counter, auth) {
  const mark = counter.mark();
  const providerBefore = auth.requests.length;
  const { status } = await sendOne(target, plan);
  // background work (waitUntil) counts too: wait for the task's connection to close
  await counter.idle();
  const db = counter.since(mark);
  return {
    status,
    roundTrips: db.roundTrips,
    statements: db.statements.length,
    connections: db.connections,
    providerCalls: auth.requests.length - providerBefore,
  };
}

/**
 * @param start (name) => a fresh target whose database goes through `counter`
 * @returns [{endpoint, target, path, first, steady}]
 */
export async function workPerRequest(list, start, counter, auth) {
  const out = [];
  for (const ep of list) {
    for (const name of ep.targets.filter((t) => t !== "bare")) {
      const target = await start(name);
      try {
        const plan = await ep.plan(target);
        // the probe of a plan (webhook route) is not part of the measured requests
        await counter.idle();
        const first = await countOne(target, plan, counter, auth);
        const steady = await countOne(target, plan, counter, auth);
        out.push({ endpoint: ep.id, target: name, path: plan.path, first, steady });
      } finally {
        await target.stop();
      }
    }
  }
  return out;
}
