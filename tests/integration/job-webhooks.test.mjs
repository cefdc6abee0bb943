// The webhooks this API sends when a job finishes (Standard Webhooks), and models that run on
// their own RunPod endpoint, through the real Worker against real PostgreSQL, the RunPod
// stand-in and a loopback receiver. Signatures are checked with the `standardwebhooks` npm
// package, as a user's receiver would.
//
// One worker: RunPod configured with RUNPOD_ENDPOINT_ID = an endpoint the stand-in does not
// serve, so only jobs of the model `hooks-hd` (whose models.endpoint_id is the stand-in's)
// reach RunPod. No PUBLIC_BASE_URL: RunPod calls back the origin the job was posted to.

import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Webhook } from "standardwebhooks";
import { startWorker } from "./harness/worker.mjs";
import { call } from "./harness/http.mjs";
import { createTestDatabase } from "./harness/postgres.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";
import { startRunPod } from "./harness/runpod.mjs";
import { startLoopbackServer } from "./harness/loopback-server.mjs";
import { assertLedgerInvariant } from "./harness/ledger.mjs";

const ADMIN = "admin-token-for-webhook-tests";
const HS_SECRET = "webhook-test-legacy-jwt-secret-with-at-least-32-chars";
const RP_KEY = "rp-webhook-test-key";
const MODEL = "hooks-hd";

let db;
let auth;
let runpod;
let receiver;
let worker;
let answers; // path → status the receiver answers, in turn (last one repeats)

before(async () => {
  db = await createTestDatabase({ prefix: "ag_hooks" });
  [auth, runpod, receiver] = await Promise.all([
    startSupabaseAuth({ hsSecret: HS_SECRET }),
    startRunPod({ apiKey: RP_KEY, endpointId: "ep-hooks" }),
    startLoopbackServer(),
  ]);
  await db.sql`insert into public.models (id, provider, content_type, pricing, is_default, enabled, endpoint_id)
               values (${MODEL}, 'runpod', 'video', '{"base": 2}', false, true, 'ep-hooks')`;
  worker = await startWorker({
    db: db.url,
    vars: {
      APP_ADMIN_TOKEN: ADMIN,
      SUPABASE_URL: auth.url,
      SUPABASE_JWT_SECRET: HS_SECRET,
      RUNPOD_API_KEY: RP_KEY,
      RUNPOD_ENDPOINT_ID: "ep-not-served",
      RUNPOD_API_BASE: runpod.url,
      WELCOME_CREDITS: "10",
      JOBS_PER_HOUR: "1000",
    },
  });
});

after(async () => {
  await runpod?.webhooksSettled().catch(() => {});
  await worker?.stop();
  await Promise.allSettled([auth?.close(), runpod?.close(), receiver?.close()]);
  await db?.drop();
});

afterEach(async () => {
  await assertLedgerInvariant(db.sql);
});

// --- helpers ------------------------------------------------------------------------------

async function userToken() {
  return auth.mint({ alg: "HS256", claims: { sub: crypto.randomUUID() } });
}

const arrivals = new Map(); // path → Date.now() of each request, in order

/** A receiver path that answers `statuses` in turn (the last one from then on). */
function receiverPath(...statuses) {
  const path = `/hooks/${crypto.randomUUID()}`;
  const queue = [...statuses];
  arrivals.set(path, []);
  receiver.route(`POST ${path}`, () => {
    arrivals.get(path).push(Date.now());
    return { status: queue.length > 1 ? queue.shift() : queue[0] };
  });
  return path;
}

function received(path) {
  return receiver.requests.filter((r) => r.path === path);
}

/** Waits (bounded, not timed: a hang guard) until the receiver has had `count` requests at `path`. */
async function waitForDeliveries(path, count, tries = 400) {
  for (let i = 0; i < tries && received(path).length < count; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(received(path).length, count, `deliveries to ${path}`);
}

async function waitForDelivery(jobId, predicate) {
  let row;
  for (let i = 0; i < 400; i++) {
    [row] = await db.sql`select * from public.job_webhook_deliveries where job_id = ${jobId}`;
    if (row && predicate(row)) return row;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`delivery of ${jobId} never reached the expected state: ${JSON.stringify(row)}`);
}

async function createJob(token, path) {
  const body = { prompt: "a lighthouse at dusk", model: MODEL };
  if (path) body.webhook_url = `${receiver.url}${path}`;
  const res = await call(worker, "/jobs", { method: "POST", token, body });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

function verify(secret, request) {
  return new Webhook(secret).verify(request.text, request.headers);
}

// --- tests --------------------------------------------------------------------------------

describe("job webhooks", () => {
  test("a finished job calls its webhook_url once, signed with the owner's secret", async () => {
    const token = await userToken();
    const path = receiverPath(204);
    const job = await createJob(token, path);
    await runpod.finish(job.provider_job_id, { status: "COMPLETED", output: { seed: 7 } });
    await waitForDeliveries(path, 1);

    const secret = (await call(worker, "/webhooks/secret", { token })).body.secret;
    assert.match(secret, /^whsec_/);
    const [request] = received(path);
    const payload = verify(secret, request);
    assert.equal(payload.type, "job.completed");
    assert.equal(payload.data.job_id, job.job_id);
    assert.equal(payload.data.status, "completed");
    assert.ok(payload.data.cost_credits > 0, JSON.stringify(payload.data));
    assert.equal(payload.data.charged_credits, payload.data.cost_credits, "a finished job's charge");
    assert.deepEqual(payload.data.result.output, { seed: 7 });
    assert.equal(payload.data.webhook_token_hash, undefined);

    // Another user's secret, or the admin's, does not verify it.
    const stranger = (await call(worker, "/webhooks/secret", { token: await userToken() })).body.secret;
    assert.throws(() => verify(stranger, request), /No matching signature found/);
    const admin = (await call(worker, "/webhooks/secret", { token: ADMIN })).body.secret;
    assert.throws(() => verify(admin, request), /No matching signature found/);

    const row = await waitForDelivery(job.job_id, (d) => d.delivered_at !== null);
    assert.equal(row.id, request.headers["webhook-id"]);
    assert.equal(row.attempts, 1);
    assert.equal(row.last_status, 204);
    assert.equal(row.next_attempt_at, null);

    // A repeated RunPod callback and a poll change nothing: still one delivery.
    await runpod.redeliver(job.provider_job_id);
    assert.equal((await call(worker, `/jobs/${job.job_id}`, { token })).body.status, "completed");
    await worker.scheduled();
    assert.equal(received(path).length, 1);
  });

  test("the first retry comes off the Queue within seconds (the 5 s step); the deliveries list shows both attempts", async () => {
    const token = await userToken();
    const path = receiverPath(503, 200);
    const job = await createJob(token, path);
    await runpod.finish(job.provider_job_id, { status: "COMPLETED", output: {} });
    await waitForDeliveries(path, 1);
    // No cron run: the retry is a Queue message delayed until it is due.
    await waitForDeliveries(path, 2, 1200);
    const [first, second] = arrivals.get(path);
    const gap = second - first;
    assert.ok(gap >= 5000 && gap < 15000, `the first retry came ${gap} ms after the first attempt`);
    const [a, b] = received(path);
    assert.equal(a.headers["webhook-id"], b.headers["webhook-id"]);
    await waitForDelivery(job.job_id, (d) => d.delivered_at !== null);

    const listed = await call(worker, "/webhooks/deliveries", { token });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.body.cursor, null);
    assert.equal(listed.body.deliveries.length, 1);
    const [delivery] = listed.body.deliveries;
    assert.equal(delivery.id, a.headers["webhook-id"]);
    assert.equal(delivery.job_id, job.job_id);
    assert.equal(delivery.event, "job.completed");
    assert.equal(delivery.url, `${receiver.url}${path}`);
    assert.equal(delivery.status, "delivered");
    assert.equal(delivery.attempt_count, 2);
    assert.equal(delivery.next_attempt_at, null);
    assert.ok(delivery.delivered_at && delivery.created_at);
    assert.deepEqual(delivery.attempts.map((t) => [t.attempt, t.status_code, t.error]), [[1, 503, "HTTP 503"], [2, 200, null]]);
    for (const t of delivery.attempts) assert.ok(Number.isInteger(t.latency_ms) && t.latency_ms >= 0, JSON.stringify(t));
    const scheduled = Date.parse(delivery.attempts[0].next_retry_at) - Date.parse(delivery.attempts[0].at);
    assert.ok(scheduled >= 4900 && scheduled <= 5100, `first retry scheduled ${scheduled} ms later`);
    assert.equal(delivery.attempts[1].next_retry_at, null);

    // Nobody else sees it: another user, nor the admin (whose list is the admin's own jobs').
    const stranger = await call(worker, "/webhooks/deliveries", { token: await userToken() });
    assert.deepEqual(stranger.body.deliveries, []);
    const admin = await call(worker, "/webhooks/deliveries?limit=100", { token: ADMIN });
    assert.ok(!admin.body.deliveries.some((d) => d.id === delivery.id));
  });

  test("a redelivery is sent at once with the same webhook-id; only its owner may ask", async () => {
    const token = await userToken();
    const path = receiverPath(204);
    const job = await createJob(token, path);
    await runpod.finish(job.provider_job_id, { status: "COMPLETED", output: {} });
    await waitForDeliveries(path, 1);
    const row = await waitForDelivery(job.job_id, (d) => d.delivered_at !== null);

    const other = await call(worker, `/webhooks/deliveries/${row.id}/redeliver`, { method: "POST", token: await userToken() });
    assert.equal(other.status, 404);
    const admin = await call(worker, `/webhooks/deliveries/${row.id}/redeliver`, { method: "POST", token: ADMIN });
    assert.equal(admin.status, 404);
    const unknown = await call(worker, `/webhooks/deliveries/${crypto.randomUUID()}/redeliver`, { method: "POST", token });
    assert.equal(unknown.status, 404);
    assert.equal(received(path).length, 1);

    const again = await call(worker, `/webhooks/deliveries/${row.id}/redeliver`, { method: "POST", token });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(received(path).length, 2, "sent within the request");
    assert.equal(again.body.id, row.id);
    assert.equal(again.body.status, "delivered");
    assert.equal(again.body.attempt_count, 2);
    assert.deepEqual(again.body.attempts.map((t) => t.status_code), [204, 204]);
    const [first, second] = received(path);
    assert.equal(second.headers["webhook-id"], first.headers["webhook-id"]);
    const secret = (await call(worker, "/webhooks/secret", { token })).body.secret;
    assert.equal(verify(secret, second).data.job_id, job.job_id);
  });

  test("a failed delivery whose Queue message is lost is sent by the cron sweep with the same webhook-id", async () => {
    const token = await userToken();
    const path = receiverPath(500, 200);
    const job = await createJob(token, path);
    await runpod.finish(job.provider_job_id, { status: "FAILED", error: "CUDA out of memory" });
    await waitForDeliveries(path, 1);
    const first = await waitForDelivery(job.job_id, (d) => d.last_status === 500);
    assert.equal(first.attempts, 1);
    assert.equal(first.delivered_at, null);
    assert.ok(first.next_attempt_at > new Date(), "the retry is scheduled for later");

    // Not due yet: the sweep leaves it alone.
    await worker.scheduled();
    assert.equal(received(path).length, 1);

    // Let the schedule's 5 s pass, then the sweep sends it again.
    await db.sql`update public.job_webhook_deliveries set next_attempt_at = now() where job_id = ${job.job_id}`;
    await worker.scheduled();
    await waitForDeliveries(path, 2);
    const [a, b] = received(path);
    assert.equal(a.headers["webhook-id"], b.headers["webhook-id"]);
    const secret = (await call(worker, "/webhooks/secret", { token })).body.secret;
    assert.equal(verify(secret, b).type, "job.failed");
    const done = await waitForDelivery(job.job_id, (d) => d.delivered_at !== null);
    assert.equal(done.attempts, 2);
    // Each attempt is kept with its answer, its latency and the retry it scheduled.
    const attempts = await db.sql`select * from public.job_webhook_attempts where delivery_id = ${done.id} order by id`;
    assert.deepEqual(attempts.map((t) => [t.attempt, t.status_code, t.error]), [[1, 500, "HTTP 500"], [2, 200, null]]);
    for (const t of attempts) assert.ok(Number.isInteger(t.latency_ms) && t.latency_ms >= 0, JSON.stringify(t));
    const scheduled = attempts[0].next_attempt_at - attempts[0].created_at;
    assert.ok(scheduled >= 4900 && scheduled <= 5100, `first retry scheduled ${scheduled} ms later`);
    assert.equal(attempts[1].next_attempt_at, null);

    // The failure refunded the reservation exactly once, webhook or not.
    const [{ n }] = await db.sql`select count(*)::int as n from public.credit_ledger
                                 where job_id = ${job.job_id} and kind = 'refund'`;
    assert.equal(n, 1);
  });

  test("410 Gone stops the deliveries; a cancelled job reports job.cancelled", async () => {
    const token = await userToken();
    const path = receiverPath(410);
    const job = await createJob(token, path);
    const cancelled = await call(worker, `/jobs/${job.job_id}/cancel`, { method: "POST", token });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    await waitForDeliveries(path, 1);
    const secret = (await call(worker, "/webhooks/secret", { token })).body.secret;
    assert.equal(verify(secret, received(path)[0]).type, "job.cancelled");

    const row = await waitForDelivery(job.job_id, (d) => d.last_status === 410);
    assert.equal(row.next_attempt_at, null);
    assert.equal(row.delivered_at, null);
    await db.sql`update public.job_webhook_deliveries set next_attempt_at = null where job_id = ${job.job_id}`;
    await worker.scheduled();
    assert.equal(received(path).length, 1);
  });

  test("jobs without webhook_url queue nothing; bad webhook URLs are refused", async () => {
    const token = await userToken();
    const job = await createJob(token);
    await runpod.finish(job.provider_job_id, { status: "COMPLETED", output: {} });
    assert.equal((await call(worker, `/jobs/${job.job_id}`, { token })).body.status, "completed");
    const rows = await db.sql`select 1 from public.job_webhook_deliveries where job_id = ${job.job_id}`;
    assert.equal(rows.length, 0);

    for (const url of ["http://hooks.example.com/in", "ftp://127.0.0.1/x", "http://127.0.0.1.nip.io/x", "not a url"]) {
      const res = await call(worker, "/jobs", { method: "POST", token, body: { prompt: "x", model: MODEL, webhook_url: url } });
      assert.equal(res.status, 400, url);
      assert.equal(res.body.error, "invalid_request");
    }
  });
});

describe("models with their own RunPod endpoint", () => {
  test("submission, polls and cancels go to the model's endpoint; the default model uses RUNPOD_ENDPOINT_ID", async () => {
    const token = await userToken();
    const before = runpod.requests.length;
    const job = await createJob(token);
    assert.equal((await call(worker, `/jobs/${job.job_id}`, { token })).status, 200);
    assert.equal((await call(worker, `/jobs/${job.job_id}/cancel`, { method: "POST", token })).status, 200);
    const paths = runpod.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(paths, [
      "POST /ep-hooks/run",
      `GET /ep-hooks/status/${job.provider_job_id}`,
      `POST /ep-hooks/cancel/${job.provider_job_id}`,
    ]);
    const [row] = await db.sql`select provider_endpoint_id from public.jobs where id = ${job.job_id}`;
    assert.equal(row.provider_endpoint_id, "ep-hooks");

    // The default model has no endpoint of its own: RUNPOD_ENDPOINT_ID, which the stand-in
    // does not serve, so the submission fails (502, refunded).
    const fallback = await call(worker, "/jobs", { method: "POST", token, body: { prompt: "x" } });
    assert.equal(fallback.status, 502, JSON.stringify(fallback.body));
    assert.equal(runpod.requests.at(-1).path, "/ep-not-served/run");
  });
});
