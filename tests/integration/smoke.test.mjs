// scripts/smoke.sh against the real Worker (wasm core in workerd, real PostgreSQL, local R2):
//   noop   only APP_ADMIN_TOKEN + WEBHOOK_SECRET: every optional service answers its noop shape
//   full   RunPod, Supabase Auth and Stripe configured (loopback stand-ins): the full shapes,
//          and the smoke demands them because it is given the same secrets
// and the failures it must report: a wrong secret, a noop where the full shape is required, an
// API that never comes up. Checkout refuses an anonymous caller (401) before it looks at the
// Stripe keys, so a smoke without a user token reports that refusal.
//
// The smoke gets only the environment each test names (never the caller's own secrets).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startWorker } from "./harness/worker.mjs";
import { createTestDatabase } from "./harness/postgres.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";
import { startRunPod } from "./harness/runpod.mjs";
import { startStripe } from "./harness/stripe.mjs";
import { closedPort } from "./harness/loopback-server.mjs";

const SMOKE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../scripts/smoke.sh");
const ADMIN = "admin-token-for-smoke-tests";
const WEBHOOK = "webhook-secret-for-smoke-tests";
const HS_SECRET = "smoke-test-legacy-jwt-secret-with-at-least-32-chars";
const RP_KEY = "rp-smoke-test-key";
const RP_ENDPOINT = "ep-smoke";
const STRIPE_KEY = "sk_test_smoke";

/** Runs the smoke script: {code, out} (stdout + stderr). */
function smoke(baseUrl, env) {
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, SMOKE_WAIT_SECONDS: "30", SMOKE_RETRIES: "1" };
  return new Promise((resolve) => {
    execFile("bash", [SMOKE, baseUrl], { env: { ...base, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

const lines = (out, kind) => out.split("\n").filter((l) => l.startsWith(`${kind} `));

function assertPassed(run, expected) {
  assert.equal(run.code, 0, run.out);
  assert.deepEqual(lines(run.out, "FAIL"), [], run.out);
  for (const re of expected) assert.ok(lines(run.out, "PASS").some((l) => re.test(l)), `no PASS line ${re}:\n${run.out}`);
  assert.match(run.out, /^smoke: \d+ passed, 0 failed, 0 skipped$/m);
}

function assertNoSecrets(out, secrets) {
  for (const s of secrets) assert.ok(!out.includes(s), "a secret appears in the smoke output");
}

let db;
let auth;
let stripe;
let runpod;
let noop;
let full;

before(async () => {
  db = await createTestDatabase({ prefix: "ag_smoke" });
  [auth, runpod, stripe] = await Promise.all([
    startSupabaseAuth({ hsSecret: HS_SECRET }),
    startRunPod({ apiKey: RP_KEY, endpointId: RP_ENDPOINT }),
    // The smoke's default price: the plan the billing migration seeds.
    startStripe({
      secretKey: STRIPE_KEY,
      webhookSecret: "whsec_smoke",
      prices: { price_pro_monthly: { unit_amount: 1900, recurring: { interval: "month" } } },
    }),
  ]);
  const secrets = { APP_ADMIN_TOKEN: ADMIN, WEBHOOK_SECRET: WEBHOOK };
  [noop, full] = await Promise.all([
    startWorker({ db: db.url, vars: secrets }),
    startWorker({
      db: db.url,
      vars: {
        ...secrets,
        RUNPOD_API_KEY: RP_KEY,
        RUNPOD_ENDPOINT_ID: RP_ENDPOINT,
        RUNPOD_API_BASE: runpod.url,
        SUPABASE_URL: auth.url,
        SUPABASE_JWT_SECRET: HS_SECRET,
        STRIPE_SECRET_KEY: STRIPE_KEY,
        STRIPE_API_BASE: stripe.url,
        CORS_ORIGINS: "https://app.example.com",
      },
    }),
  ]);
});

after(async () => {
  await runpod?.webhooksSettled().catch(() => {});
  await Promise.allSettled([noop?.stop(), full?.stop()]);
  await Promise.allSettled([runpod?.close(), auth?.close(), stripe?.close()]);
  await db?.drop();
});

describe("noop configuration: admin token and webhook secret only", () => {
  test("every check passes with the noop shapes, and what it did is in the database", async () => {
    const run = await smoke(noop.url, { APP_ADMIN_TOKEN: ADMIN, WEBHOOK_SECRET: WEBHOOK });
    assertPassed(run, [
      /^PASS {2}GET \/health: 200 ok/,
      /^PASS {2}GET \/health\?deep=1: 200, database and storage ok/,
      /^PASS {2}GET \/openapi\.json: 200, OpenAPI 3\.1/,
      /^PASS {2}POST \/webhooks\/test: 200 received/,
      /^PASS {2}PUT \/assets\/smoke\/.+\.txt: 200/,
      /^PASS {2}GET \/assets\/smoke\/.+\.txt: 200, the same bytes back/,
      /^PASS {2}DELETE \/assets\/smoke\/.+\.txt: 200, cleaned up/,
      /^PASS {2}POST \/jobs: 202 noop \(runpod_not_configured\)/,
      /^PASS {2}GET \/jobs\/[0-9a-f-]{36}: 200, status noop/,
      /^PASS {2}GET \/me: 501 noop \(supabase_not_configured\)/,
      /^PASS {2}POST \/billing\/checkout: 401 without a token/,
    ]);
    assertNoSecrets(run.out, [ADMIN, WEBHOOK]);

    const jobId = run.out.match(/GET \/jobs\/([0-9a-f-]{36})/)[1];
    const [job] = await db.sql`select status, provider from public.jobs where id = ${jobId}`;
    assert.deepEqual({ ...job }, { status: "noop", provider: "noop" });
    const runId = run.out.match(/\(run (\S+)\)/)[1];
    const events = await db.sql`select 1 from public.events where payload::text like ${`%${runId}%`}`;
    assert.equal(events.length, 1, "the smoke's test webhook is logged once");
    const key = run.out.match(/PUT \/assets\/(\S+):/)[1];
    assert.equal((await noop.fetch(`/assets/${key}`)).status, 404, "the smoke asset is deleted");
  });

  test("without any secret: the public checks pass and the rest are skipped", async () => {
    const run = await smoke(noop.url, {});
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(lines(run.out, "FAIL"), [], run.out);
    assert.ok(lines(run.out, "PASS").some((l) => /POST \/webhooks\/test: 401 unauthorized/.test(l)), run.out);
    assert.equal(lines(run.out, "SKIP").length, 3, run.out); // deep health, assets, jobs
  });
});

describe("full configuration: RunPod, Supabase Auth and Stripe stand-ins", () => {
  const fullEnv = {
    APP_ADMIN_TOKEN: ADMIN,
    WEBHOOK_SECRET: WEBHOOK,
    RUNPOD_API_KEY: RP_KEY,
    RUNPOD_ENDPOINT_ID: RP_ENDPOINT,
    STRIPE_SECRET_KEY: STRIPE_KEY,
  };

  test("with a Supabase access token: the job reaches RunPod and is cancelled, /me answers the user, checkout makes a session", async () => {
    runpod.script({ steps: ["IN_QUEUE", "IN_PROGRESS"] });
    const userId = crypto.randomUUID();
    const token = await auth.mint({ claims: { sub: userId } });
    const run = await smoke(full.url, { ...fullEnv, SUPABASE_URL: auth.url, SMOKE_USER_TOKEN: token });
    assertPassed(run, [
      /^PASS {2}POST \/webhooks\/test: 200 received/,
      /^PASS {2}GET \/assets\/smoke\/.+\.txt: 200, the same bytes back/,
      /^PASS {2}POST \/jobs: 200 submitted to RunPod, provider_job_id \S+/,
      /^PASS {2}GET \/jobs\/[0-9a-f-]{36}: 200, status \w+ with RunPod's JSON/,
      /^PASS {2}POST \/jobs\/[0-9a-f-]{36}\/cancel: 200/,
      new RegExp(`^PASS {2}GET /me: 200, user ${userId}, balance \\d+`),
      /^PASS {2}POST \/billing\/checkout: 200, session cs_\S+/,
    ]);
    assertNoSecrets(run.out, [ADMIN, WEBHOOK, token, STRIPE_KEY]);
    const sessionId = run.out.match(/session (cs_\S+)/)[1];
    const sent = stripe.requests.find((r) => r.path === "/v1/checkout/sessions");
    assert.ok(sent, "the stand-in saw the Checkout Session");
    assert.match(sent.text, /client_reference_id=/);
    assert.ok(sessionId.startsWith("cs_"));

    const providerJobId = run.out.match(/provider_job_id (\S+)/)[1];
    const job = runpod.jobs.get(providerJobId);
    assert.equal(job.input.prompt, "smoke test video");
    assert.equal(job.status, "CANCELLED", "the smoke job must not run on");
    const [row] = await db.sql`select status from public.jobs where provider_job_id = ${providerJobId}`;
    assert.equal(row.status, "cancelled");
  });

  test("with SMOKE_USER_ID and the JWT secret: the smoke mints the user's token itself", async () => {
    const userId = crypto.randomUUID();
    const run = await smoke(full.url, {
      ...fullEnv,
      SUPABASE_URL: auth.url,
      SUPABASE_JWT_SECRET: HS_SECRET,
      SMOKE_USER_ID: userId,
    });
    assertPassed(run, [new RegExp(`^PASS {2}GET /me: 200, user ${userId}`)]);
    assertNoSecrets(run.out, [HS_SECRET]);
  });

  test("with no user token: /me and checkout must refuse the anonymous call (401)", async () => {
    const run = await smoke(full.url, { ...fullEnv, SUPABASE_URL: auth.url });
    assertPassed(run, [
      /^PASS {2}GET \/me: 401 without a token/,
      /^PASS {2}POST \/billing\/checkout: 401 without a token/,
    ]);
  });
});

describe("failures are reported and fail the run", () => {
  test("a wrong webhook secret and a noop job where RunPod is required: FAIL lines, exit 1", async () => {
    const run = await smoke(noop.url, {
      APP_ADMIN_TOKEN: ADMIN,
      WEBHOOK_SECRET: "not-the-secret",
      RUNPOD_API_KEY: RP_KEY,
      RUNPOD_ENDPOINT_ID: RP_ENDPOINT,
    });
    assert.notEqual(run.code, 0, run.out);
    const failed = lines(run.out, "FAIL");
    assert.equal(failed.length, 2, run.out);
    assert.match(failed[0], /^FAIL {2}POST \/webhooks\/test/);
    assert.match(failed[1], /^FAIL {2}POST \/jobs: expected 200 provider runpod/);
    assert.match(run.out, /^ {6}got HTTP 401: /m);
    assert.match(run.out, /^smoke: \d+ passed, 2 failed, 0 skipped$/m);
  });

  test("an API that never answers: one FAIL for /health after the bounded wait", async () => {
    const run = await smoke(`http://127.0.0.1:${await closedPort()}`, { SMOKE_WAIT_SECONDS: "1" });
    assert.notEqual(run.code, 0, run.out);
    assert.deepEqual(lines(run.out, "FAIL"), ["FAIL  GET /health: no 200 within 1s"], run.out);
    assert.match(run.out, /^smoke: 0 passed, 1 failed, 0 skipped$/m);
  });
});
