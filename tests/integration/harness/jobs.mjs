// The rig of the jobs tests (jobs-*.test.mjs): real PostgreSQL, the Supabase Auth and RunPod
// stand-ins, the Workers a file names, and what the tests read back about a job (its row, its
// events, its user's ledger and balance, what RunPod was sent). Each test file starts its own
// rig: files run in processes of their own, so the bindings exported here are that file's.
//
//   import { useJobsRig, main, noop, postJob, jobRow } from "./harness/jobs.mjs";
//   useJobsRig({ workers: ["noop"] });   // registers the file's before/after/afterEach
//
// Workers (one database):
//   main      always: RunPod configured, PUBLIC_BASE_URL = a relay in front of it (so the
//             stand-in's webhooks reach it through the URL the Worker advertises),
//             JOBS_PER_HOUR large, database through a protocol counter (harness/pg-counter.mjs)
//             for the round trips
//   noop      no RunPod: the 202 noop shape
//   limited   RunPod configured, JOBS_PER_HOUR=5: the hourly limit binds before credits
//   offline   RunPod configured at a port nothing listens on
//   racing    RunPod through a relay (`rpProxy`, harness/relay.mjs) that can hold RunPod's
//             answers back: a cancellation whose webhook lands before the Worker hears RunPod
// Users are fresh per test (newUser of harness/http.mjs, with `auth`); WELCOME_CREDITS=10 and
// the default model costs 1 credit. After each test: RunPod's webhooks settled, its scripts
// cleared, rpProxy holding nothing, and balance = sum(ledger) for every user.

import { after, afterEach, before } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "./worker.mjs";
import { call, newUser } from "./http.mjs";
import { createTestDatabase } from "./postgres.mjs";
import { startSupabaseAuth } from "./supabase-auth.mjs";
import { startRunPod } from "./runpod.mjs";
import { assertLedgerInvariant } from "./ledger.mjs";
import { closedPort } from "./loopback-server.mjs";
import { startRelay } from "./relay.mjs";
import { startPgCounter } from "./pg-counter.mjs";

export const ADMIN = "admin-token-for-jobs-tests";
export const RP_KEY = "rp-jobs-test-key";
export const RP_ENDPOINT = "ep-jobs";
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HS_SECRET = "jobs-test-legacy-jwt-secret-with-at-least-32-chars";

export let db;
export let counter;
export let auth;
export let runpod;
export let relay;
export let rpProxy;
export let main;
export let noop;
export let limited;
export let offline;
export let racing;

/** Starts the rig before the file's tests and stops it after them; `main` and the `workers` named. */
export function useJobsRig({ workers = [] } = {}) {
  before(async () => {
    db = await createTestDatabase({ prefix: "ag_jobs" });
    [counter, auth, runpod, relay] = await Promise.all([
      startPgCounter(db.url),
      startSupabaseAuth({ hsSecret: HS_SECRET }),
      startRunPod({ apiKey: RP_KEY, endpointId: RP_ENDPOINT }),
      startRelay(),
    ]);
    rpProxy = await startRelay({ target: runpod.url });
    const common = {
      APP_ADMIN_TOKEN: ADMIN,
      SUPABASE_URL: auth.url,
      SUPABASE_JWT_SECRET: HS_SECRET,
      WELCOME_CREDITS: "10",
    };
    const withRunPod = { RUNPOD_API_KEY: RP_KEY, RUNPOD_ENDPOINT_ID: RP_ENDPOINT, RUNPOD_API_BASE: runpod.url };
    const deadPort = await closedPort();
    const settings = {
      noop: { db: db.url, vars: { ...common, JOBS_PER_HOUR: "1000" } },
      limited: { db: db.url, vars: { ...common, ...withRunPod, JOBS_PER_HOUR: "5" } },
      offline: {
        db: db.url,
        vars: { ...common, ...withRunPod, RUNPOD_API_BASE: `http://127.0.0.1:${deadPort}`, JOBS_PER_HOUR: "1000" },
      },
      racing: { db: db.url, vars: { ...common, ...withRunPod, RUNPOD_API_BASE: rpProxy.url, JOBS_PER_HOUR: "1000" } },
    };
    const started = await Promise.all([
      startWorker({ db: counter.url, vars: { ...common, ...withRunPod, PUBLIC_BASE_URL: relay.url, JOBS_PER_HOUR: "1000" } }),
      ...workers.map((name) => startWorker(settings[name])),
    ]);
    main = started[0];
    ({ noop, limited, offline, racing } = Object.fromEntries(workers.map((name, i) => [name, started[i + 1]])));
    relay.target = main.url;
  });

  after(async () => {
    await runpod?.webhooksSettled().catch(() => {});
    await Promise.allSettled([main?.stop(), noop?.stop(), limited?.stop(), offline?.stop(), racing?.stop()]);
    await Promise.allSettled([runpod?.close(), auth?.close(), relay?.close(), counter?.close(), rpProxy?.close()]);
    await db?.drop();
  });

  afterEach(async () => {
    await runpod.webhooksSettled();
    runpod.clearScripts();
    rpProxy.hold = null;
    await assertLedgerInvariant(db.sql);
  });
}

/** One request; answers {status, body, headers, text}. `token`: a bearer (ADMIN or a user's). */
export const postJob = (worker, token, body, headers) => call(worker, "/jobs", { method: "POST", token, body, headers });
export const getJob = (worker, token, id) => call(worker, `/jobs/${id}`, { token });

export async function jobRow(id) {
  const [row] = await db.sql`select * from public.jobs where id = ${id}`;
  return row;
}

export async function jobEvents(id) {
  const rows = await db.sql`select from_status, to_status, detail from public.job_events where job_id = ${id} order by id`;
  return rows.map((r) => ({ from: r.from_status, to: r.to_status, source: r.detail?.source ?? null }));
}

export async function ledger(userId) {
  const rows = await db.sql`
    select kind, delta::int as delta, idempotency_key, job_id from public.credit_ledger
    where user_id = ${userId} order by id`;
  return rows.map((r) => ({ ...r }));
}

export async function balance(userId) {
  const [row] = await db.sql`select balance::int as balance from public.credit_balances where user_id = ${userId}`;
  return row?.balance ?? null;
}

export async function userJobs(userId) {
  return db.sql`select id, status from public.jobs where user_id = ${userId} order by created_at`;
}

export const refundsOf = async (userId, jobId) =>
  (await ledger(userId)).filter((e) => e.kind === "refund" && e.job_id === jobId);

export const runRequests = () => runpod.requests.filter((r) => r.method === "POST" && r.path === `/${RP_ENDPOINT}/run`);
export const statusCalls = (providerJobId) =>
  runpod.requests.filter((r) => r.path === `/${RP_ENDPOINT}/status/${encodeURIComponent(providerJobId)}`).length;
export const cancelRequests = (providerJobId) =>
  runpod.requests.filter(
    (r) => r.method === "POST" && r.path === `/${RP_ENDPOINT}/cancel/${encodeURIComponent(providerJobId)}`,
  );

/** The webhook URL the Worker gave RunPod for a job, parsed. */
export function webhookOf(providerJobId) {
  const job = runpod.jobs.get(providerJobId);
  assert.ok(job, `RunPod has no job ${providerJobId}`);
  assert.equal(typeof job.webhook, "string", "the job was submitted without a webhook");
  return new URL(job.webhook);
}

/** What the Worker answered to the RunPod webhooks of a job (through the relay). */
export const hookAnswers = (jobId) =>
  relay.exchanges.filter((e) => e.path === `/webhooks/runpod/${jobId}`).map((e) => ({ http: e.status, ...e.json() }));

export const tally = (responses) => {
  const out = {};
  for (const r of responses) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};

/** A user job on `main` that RunPod accepted; answers {user, jobId, providerJobId, body}. */
export async function submittedJob(spec, user) {
  user ??= await newUser(auth);
  if (spec) runpod.script(spec);
  const res = await postJob(main, user.token, { prompt: `job for ${user.id}` });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.provider, "runpod", res.text);
  return { user, jobId: res.body.job_id, providerJobId: res.body.provider_job_id, body: res.body };
}

export async function waitFor(what, predicate, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
