// Retention in the cron sweep, against real PostgreSQL and local R2: the files of jobs that
// finished more than OUTPUT_RETENTION_DAYS ago are deleted and marked so, job events older
// than 90 days are pruned, and OUTPUT_RETENTION_DAYS=0 keeps everything.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { createApiRole, createTestDatabase } from "./harness/postgres.mjs";
import { startRunPod } from "./harness/runpod.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";
import { startWorker } from "./harness/worker.mjs";
import { call } from "./harness/http.mjs";

const ADMIN = "admin-token-for-retention-tests";
const HS_SECRET = "retention-test-legacy-jwt-secret-with-32-chars";
const RP_KEY = "rp-retention-key";
const RP_ENDPOINT = "ep-retention";

let db;
let auth;
let runpod;
let worker; // OUTPUT_RETENTION_DAYS 30 (the default)
let keeper; // OUTPUT_RETENTION_DAYS 0

before(async () => {
  [db, auth, runpod] = await Promise.all([
    createTestDatabase({ prefix: "ag_retention" }),
    startSupabaseAuth({ hsSecret: HS_SECRET }),
    startRunPod({ apiKey: RP_KEY, endpointId: RP_ENDPOINT }),
  ]);
  const role = await createApiRole(db, "retention_test");
  const vars = {
    APP_ADMIN_TOKEN: ADMIN,
    SUPABASE_URL: auth.url,
    SUPABASE_JWT_SECRET: HS_SECRET,
    ASSET_SIGNING_SECRET: "retention-test-asset-signing-secret",
    RUNPOD_API_KEY: RP_KEY,
    RUNPOD_ENDPOINT_ID: RP_ENDPOINT,
    RUNPOD_API_BASE: runpod.url,
  };
  [worker, keeper] = await Promise.all([
    startWorker({ db: role.url, vars }),
    startWorker({ db: role.url, vars: { ...vars, OUTPUT_RETENTION_DAYS: "0" } }),
  ]);
});

after(async () => {
  await Promise.allSettled([worker?.stop(), keeper?.stop()]);
  await Promise.allSettled([runpod?.close(), auth?.close()]);
  await db?.drop();
});

/** A job of a new user's that completed with one file copied into R2: {user, id, key}. */
async function completedJob() {
  const user = crypto.randomUUID();
  const token = await auth.mint({ alg: "HS256", claims: { sub: user, email: `${user.slice(0, 8)}@example.com` } });
  const file = runpod.serveFile(`out-${crypto.randomUUID()}.png`, crypto.randomBytes(512), "image/png");
  runpod.script({ steps: [{ status: "COMPLETED", output: { image_url: file } }], webhook: { drop: true } }, { times: 1 });
  const created = await call(worker, "/jobs", { token, method: "POST", body: { prompt: "keep me for a while" } });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const id = created.body.job_id;
  const done = await call(worker, `/jobs/${id}`, { token });
  assert.equal(done.body.status, "completed", JSON.stringify(done.body));
  assert.equal(done.body.outputs.length, 1, JSON.stringify(done.body));
  return { user, token, id, key: done.body.outputs[0].key };
}

async function stored(key) {
  const res = await worker.fetch(`/assets/${key}`, { method: "HEAD", headers: { authorization: `Bearer ${ADMIN}` } });
  return res.status === 200;
}

test("the sweep deletes old jobs' files, marks them deleted and prunes old job events", async () => {
  const old = await completedJob();
  const recent = await completedJob();
  await db.sql`update public.jobs set finished_at = now() - interval '31 days' where id = ${old.id}`;
  await db.sql`insert into public.job_events (job_id, to_status, created_at)
               values (${old.id}, 'running', now() - interval '91 days'), (${old.id}, 'running', now() - interval '89 days')`;
  const events = async () =>
    (await db.sql`select created_at < now() - interval '90 days' as ancient from public.job_events where job_id = ${old.id}`).map((r) => r.ancient);
  assert.ok((await events()).includes(true));

  // OUTPUT_RETENTION_DAYS=0 keeps the files (the events still age out).
  const deletedAt = async () => (await db.sql`select outputs_deleted_at from public.jobs where id = ${old.id}`)[0].outputs_deleted_at;
  await keeper.scheduled();
  assert.equal(await deletedAt(), null, "OUTPUT_RETENTION_DAYS=0 must keep outputs");
  assert.ok(!(await events()).includes(true), "a job event older than 90 days was kept");
  assert.ok((await events()).length >= 2, "recent job events must stay");

  await worker.scheduled();
  assert.equal(await stored(old.key), false, "the old job's file is still stored");
  assert.equal(await stored(recent.key), true, "a recent job's file was deleted");
  const shown = await call(worker, `/jobs/${old.id}`, { token: old.token });
  assert.equal(shown.status, 200);
  const [output] = shown.body.outputs;
  assert.equal(output.key, old.key);
  assert.match(output.deleted_at, /^\d{4}-/, JSON.stringify(output));
  assert.equal(output.url, undefined, "a deleted file must not get a download link");
  assert.ok((await call(worker, `/jobs/${recent.id}`, { token: recent.token })).body.outputs[0].url);

  // Done once: the next run finds nothing of this job's to delete.
  const first = await deletedAt();
  assert.ok(first);
  await worker.scheduled();
  assert.deepEqual(await deletedAt(), first);
});
