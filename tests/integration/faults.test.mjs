// Faults, through the real Worker: PostgreSQL stopped while requests run (503
// database_unavailable, never a half-applied money movement, recovery once it is back), with a
// server of this file's own so the stop hurts nobody else; and R2's storage failing under the
// local bucket (its blob directory replaced by a file). RunPod 429/5xx/timeouts, traps and
// malformed shim results have their tests in jobs, trap and shim.test.mjs.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startWorker } from "./harness/worker.mjs";
import { call } from "./harness/http.mjs";
import { startOwnPostgres } from "./harness/own-postgres.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";
import { startRunPod } from "./harness/runpod.mjs";
import { assertLedgerInvariant } from "./harness/ledger.mjs";

const ADMIN = "admin-token-for-fault-tests";
const HS_SECRET = "fault-test-legacy-jwt-secret-with-at-least-32-chars";
const RP_KEY = "rp-fault-test-key";

let pg;
let auth;
let runpod;
let worker;
let storageDir; // the R2 persistence of `stored`
let stored; // a Worker whose local R2 lives in storageDir

before(async () => {
  [pg, auth, runpod] = await Promise.all([
    startOwnPostgres("faults"),
    startSupabaseAuth({ hsSecret: HS_SECRET }),
    startRunPod({ apiKey: RP_KEY, endpointId: "ep-faults", defaultSteps: ["IN_QUEUE"] }),
  ]);
  storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "ag-r2-faults-"));
  const vars = {
    // DATABASE_URL rather than the Hyperdrive binding: Miniflare's local Hyperdrive proxy has no
    // error handler, so a refused connection behind it is an uncaught exception in the test
    // process instead of an error inside the Worker. The shim's code path is the same.
    DATABASE_URL: pg.url,
    APP_ADMIN_TOKEN: ADMIN,
    SUPABASE_URL: auth.url,
    SUPABASE_JWT_SECRET: HS_SECRET,
    RUNPOD_API_KEY: RP_KEY,
    RUNPOD_ENDPOINT_ID: "ep-faults",
    RUNPOD_API_BASE: runpod.url,
    WELCOME_CREDITS: "50",
    JOBS_PER_HOUR: "1000",
    JOB_POLL_GRACE_SECONDS: "10",
  };
  [worker, stored] = await Promise.all([startWorker({ vars }), startWorker({ vars, r2Persist: storageDir })]);
});

after(async () => {
  await runpod?.webhooksSettled().catch(() => {});
  await Promise.allSettled([worker?.stop(), stored?.stop()]);
  await Promise.allSettled([auth?.close(), runpod?.close()]);
  await pg?.destroy();
  if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true });
});

async function user() {
  const id = crypto.randomUUID();
  return { id, token: await auth.mint({ alg: "HS256", claims: { sub: id } }) };
}

describe("PostgreSQL stopped mid-run", () => {
  test("answers 503 database_unavailable while it is down, loses nothing, and recovers", async () => {
    const alice = await user();
    assert.equal((await call(worker, "/credits", { token: alice.token })).body.balance, 50);

    // Jobs in flight when the server stops: each answer is a success or a clear 503, never a
    // 500, and never a charge without a job.
    const inflight = Array.from({ length: 20 }, (_, i) =>
      call(worker, "/jobs", { method: "POST", token: alice.token, body: { prompt: `fault ${i}` } }),
    );
    await new Promise((r) => setTimeout(r, 30));
    await pg.stop();
    const answers = await Promise.all(inflight);
    for (const a of answers) {
      assert.ok([200, 503].includes(a.status), `status ${a.status}: ${a.text}`);
      if (a.status === 503) assert.equal(a.body.error, "database_unavailable");
    }

    // While down: every database-backed endpoint says so; liveness does not need it.
    for (const [method, path, opts] of [
      ["GET", "/credits", { token: alice.token }],
      ["GET", "/credits/ledger", { token: alice.token }],
      ["GET", "/jobs", { token: alice.token }],
      ["POST", "/jobs", { token: alice.token, body: { prompt: "while down" } }],
      ["GET", "/me", { token: alice.token }],
      ["POST", "/admin/credits", { token: ADMIN, body: { user_id: alice.id, amount: 5, reason: "r", idempotency_key: "down-1" } }],
    ]) {
      const res = await call(worker, path, { method, ...opts });
      assert.equal(res.status, 503, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.error, "database_unavailable");
      assert.ok(!/postgres|ECONN|127\.0\.0\.1/i.test(res.text), `no internals leak: ${res.text}`);
    }
    assert.equal((await call(worker, "/health")).status, 200);
    const deep = await call(worker, "/health?deep=1", { token: ADMIN });
    assert.equal(deep.status, 503);
    assert.equal(deep.body.checks.database.ok, false);

    // Back up: the same Worker serves again without a restart.
    await pg.start();
    const again = await call(worker, "/jobs", { method: "POST", token: alice.token, body: { prompt: "after restart" } });
    assert.equal(again.status, 200, again.text);
    assert.equal((await call(worker, "/health?deep=1", { token: ADMIN })).status, 200);

    // A job whose row was committed before the stop but whose submission was never recorded
    // stays queued with its credit reserved; the sweep settles it (error, refunded).
    await pg.sql`update public.jobs set updated_at = now() - interval '1 hour' where status = 'queued'`;
    assert.equal((await worker.scheduled()).outcome, "ok");
    const [{ open }] = await pg.sql`select count(*)::int as open from public.jobs
                                    where user_id = ${alice.id} and status = 'queued'`;
    assert.equal(open, 0);

    // Every job has exactly one reservation; every error job exactly one refund; no
    // reservation without a job; balance = sum(ledger).
    const jobs = await pg.sql`select id, status from public.jobs where user_id = ${alice.id}`;
    const ledger = await pg.sql`select kind, job_id from public.credit_ledger where user_id = ${alice.id}`;
    const count = (kind, jobId) => ledger.filter((e) => e.kind === kind && e.job_id === jobId).length;
    for (const j of jobs) {
      assert.equal(count("reserve", j.id), 1, `one reservation for ${j.id}`);
      assert.equal(count("refund", j.id), j.status === "error" ? 1 : 0, `refunds of ${j.id} (${j.status})`);
    }
    const jobIds = new Set(jobs.map((j) => j.id));
    assert.ok(ledger.filter((e) => e.kind === "reserve").every((e) => jobIds.has(e.job_id)));
    const accepted = answers.filter((a) => a.status === 200).length + 1;
    assert.ok(jobs.length >= accepted, `${jobs.length} jobs recorded for ${accepted} accepted`);
    await assertLedgerInvariant(pg.sql);
  });
});

describe("R2 storage failing", () => {
  test("uploads answer 500 without internals, job outputs record the failure, and both recover", async () => {
    const alice = await user();
    const put = (key, body) =>
      stored.fetch(`/assets/${key}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${ADMIN}`, "content-length": String(body.length) },
        body,
      });
    assert.equal((await put("public/before.txt", "hello")).status, 200);

    // The local bucket's blob store becomes a file: every write of object bytes fails.
    const blobs = path.join(storageDir, stored.r2Bucket, "blobs");
    fs.rmSync(blobs, { recursive: true, force: true });
    fs.writeFileSync(blobs, "storage is broken");
    try {
      const failed = await put("public/during.txt", "hello");
      const text = await failed.text();
      assert.equal(failed.status, 500, text);
      assert.equal(JSON.parse(text).error, "internal_error");
      assert.ok(!/blobs|ENOTDIR|EEXIST|sqlite|miniflare/i.test(text), `no internals leak: ${text}`);
      assert.ok(failed.headers.get("x-request-id"));

      // A job completing while its output cannot be stored: completed once, the output marked,
      // the reservation kept (the work was done), the books exact.
      const created = await stored.fetch("/jobs", {
        method: "POST",
        headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
        body: JSON.stringify({ prompt: "storage fault" }),
      });
      const job = await created.json();
      assert.equal(created.status, 200, JSON.stringify(job));
      await runpod.finish(job.provider_job_id, { status: "COMPLETED", output: { image_base64: "aGVsbG8=" } });
      let row;
      for (let i = 0; i < 200; i++) {
        [row] = await pg.sql`select status, outputs from public.jobs where id = ${job.job_id}`;
        if (row.outputs) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(row.status, "completed");
      assert.equal(row.outputs.length, 1);
      assert.ok(row.outputs[0].error, JSON.stringify(row.outputs));
      assert.equal(row.outputs[0].key, undefined);
      const kinds = await pg.sql`select kind from public.credit_ledger where job_id = ${job.job_id}`;
      assert.deepEqual(kinds.map((k) => k.kind), ["reserve"]);
    } finally {
      fs.rmSync(blobs, { force: true });
      fs.mkdirSync(blobs);
    }
    assert.equal((await put("public/after.txt", "hello")).status, 200, "writes work again once storage is back");
    assert.equal((await stored.fetch("/health")).status, 200);
    await assertLedgerInvariant(pg.sql);
  });
});
