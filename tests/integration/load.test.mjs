// A bounded load run on loopback: many users doing a seeded mix of job creation (RunPod
// completing, failing or refusing them, webhooks racing the polls), reads, cancels and admin
// grants, concurrently, through the real Worker and PostgreSQL. Afterwards the money must add
// up: every job exactly one reservation, every job that ended without a result exactly one
// refund, nothing else, balance = sum(ledger) for every user. No timing assertions: the figures
// (requests, answers by status, errors by kind, throughput) are reported as diagnostics and
// kept in RELIABILITY.md.
//
// Size: AG_LOAD_USERS (8) × AG_LOAD_OPS (12) operations, AG_LOAD_CONCURRENCY (8) at a time,
// AG_LOAD_SEED (1).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "./harness/worker.mjs";
import { call, newUser } from "./harness/http.mjs";
import { createTestDatabase } from "./harness/postgres.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";
import { startRunPod } from "./harness/runpod.mjs";
import { assertLedgerInvariant } from "./harness/ledger.mjs";

const USERS = Number(process.env.AG_LOAD_USERS ?? 8);
const OPS = Number(process.env.AG_LOAD_OPS ?? 12);
const CONCURRENCY = Number(process.env.AG_LOAD_CONCURRENCY ?? 8);
const SEED = Number(process.env.AG_LOAD_SEED ?? 1);
const ADMIN = "admin-token-for-load-tests";
const HS_SECRET = "load-test-legacy-jwt-secret-with-at-least-32-chars";
const RP_KEY = "rp-load-test-key";
const WELCOME = 20;
const REFUNDED = new Set(["failed", "cancelled", "timed_out", "error", "noop"]);

let db;
let auth;
let runpod;
let worker;

before(async () => {
  db = await createTestDatabase({ prefix: "ag_load" });
  [auth, runpod] = await Promise.all([
    startSupabaseAuth({ hsSecret: HS_SECRET }),
    startRunPod({ apiKey: RP_KEY, endpointId: "ep-load", webhookRetryDelayMs: 50 }),
  ]);
  worker = await startWorker({
    db: db.url,
    vars: {
      APP_ADMIN_TOKEN: ADMIN,
      SUPABASE_URL: auth.url,
      SUPABASE_JWT_SECRET: HS_SECRET,
      RUNPOD_API_KEY: RP_KEY,
      RUNPOD_ENDPOINT_ID: "ep-load",
      RUNPOD_API_BASE: runpod.url,
      WELCOME_CREDITS: String(WELCOME),
      JOBS_PER_HOUR: "1000",
    },
  });
});

after(async () => {
  await runpod?.webhooksSettled().catch(() => {});
  await worker?.stop();
  await Promise.allSettled([auth?.close(), runpod?.close()]);
  await db?.drop();
});

/** mulberry32: a small seeded PRNG, so a run can be repeated exactly. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RUNPOD_OUTCOMES = [
  { weight: 5, spec: { steps: ["IN_QUEUE", "IN_PROGRESS", { status: "COMPLETED", output: { seed: 1 } }], stepMs: 40 } },
  { weight: 2, spec: { steps: ["IN_QUEUE", { status: "FAILED", error: "CUDA out of memory" }], stepMs: 40 } },
  { weight: 2, spec: { steps: ["IN_QUEUE"] } }, // stays open: polled, maybe cancelled
  { weight: 1, spec: { run: { status: 500 } } }, // refused at submission: 502, refunded
];

function pick(random, weighted) {
  let r = random() * weighted.reduce((s, w) => s + w.weight, 0);
  for (const w of weighted) if ((r -= w.weight) < 0) return w;
  return weighted.at(-1);
}

test("a bounded mixed load keeps every reservation, refund and balance exact", async (t) => {
  const random = prng(SEED);
  const users = await Promise.all(
    Array.from({ length: USERS }, async () => ({ ...(await newUser(auth)), jobs: [] })),
  );
  const byStatus = new Map();
  const byKind = new Map();
  const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

  /** One operation's request, counted by `kind` and answer. */
  async function counted(kind, method, path, token, body) {
    const res = await call(worker, path, { method, token, body });
    count(byStatus, `${kind} ${res.status}`);
    if (res.status >= 400) count(byKind, `${kind}: ${res.body.error}`);
    assert.ok(res.status < 500 || res.status === 502, `${method} ${path}: ${res.status} ${res.text}`);
    return res;
  }

  // Round by round, so each user's later operations find the jobs their earlier ones made.
  const operations = [];
  for (let i = 0; i < OPS; i++) {
    for (const user of users) {
      const r = random();
      const other = users[Math.floor(random() * users.length)];
      const outcome = pick(random, RUNPOD_OUTCOMES).spec;
      const pickJob = random();
      operations.push(async () => {
        if (r < 0.4) {
          runpod.script(outcome);
          const res = await counted("create", "POST", "/jobs", user.token, { prompt: `load ${user.id} ${i}` });
          if (res.body.job_id) user.jobs.push(res.body.job_id);
        } else if (r < 0.6) {
          await counted("credits", "GET", "/credits", user.token);
        } else if (r < 0.75) {
          await counted("list", "GET", "/jobs?limit=10", user.token);
        } else if (r < 0.9 && user.jobs.length > 0) {
          await counted("poll", "GET", `/jobs/${user.jobs[Math.floor(pickJob * user.jobs.length)]}`, user.token);
        } else if (r < 0.95 && user.jobs.length > 0) {
          await counted("cancel", "POST", `/jobs/${user.jobs.at(-1)}/cancel`, user.token);
        } else {
          const key = `load-${SEED}-${user.id}-${i}`;
          await counted("grant", "POST", "/admin/credits", ADMIN, { user_id: other.id, amount: 3, reason: "load", idempotency_key: key });
        }
      });
    }
  }

  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < operations.length) await operations[next++]();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await runpod.webhooksSettled();
  // Let the last background work (webhook deliveries, output copies) land.
  await worker.scheduled();

  // The books: per job, exactly one reservation, and a refund exactly when it ended without a
  // result; no ledger entry for a job that does not exist; balance = sum(ledger).
  const ids = users.map((u) => u.id);
  const jobs = await db.sql`select id, user_id, status from public.jobs where user_id::text in ${db.sql(ids)}`;
  const ledger = await db.sql`select user_id, kind, job_id, delta from public.credit_ledger where user_id::text in ${db.sql(ids)}`;
  const entries = new Map();
  for (const e of ledger) if (e.job_id) count(entries, `${e.job_id} ${e.kind}`);
  for (const j of jobs) {
    assert.equal(entries.get(`${j.id} reserve`) ?? 0, 1, `job ${j.id} (${j.status}): one reservation`);
    assert.equal(entries.get(`${j.id} refund`) ?? 0, REFUNDED.has(j.status) ? 1 : 0, `job ${j.id} (${j.status}): refunds`);
  }
  const jobIds = new Set(jobs.map((j) => j.id));
  assert.deepEqual(ledger.filter((e) => e.job_id && !jobIds.has(e.job_id)), [], "no money for unknown jobs");
  await assertLedgerInvariant(db.sql);

  const created = users.reduce((s, u) => s + u.jobs.length, 0);
  assert.equal(jobs.length >= created, true);
  const statuses = {};
  for (const j of jobs) statuses[j.status] = (statuses[j.status] ?? 0) + 1;
  t.diagnostic(`load: ${operations.length} operations by ${USERS} users, ${CONCURRENCY} at a time, seed ${SEED}`);
  t.diagnostic(`load: ${seconds.toFixed(2)} s, ${(operations.length / seconds).toFixed(1)} operations/s`);
  t.diagnostic(`load: answers ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}`);
  t.diagnostic(`load: errors ${JSON.stringify(Object.fromEntries([...byKind].sort()))}`);
  t.diagnostic(`load: jobs ${JSON.stringify(statuses)}, ledger entries ${ledger.length}, webhooks ${runpod.webhookDeliveries.length}`);
});
