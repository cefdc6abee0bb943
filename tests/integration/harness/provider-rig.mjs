// A Worker with a hosted provider configured, on a database of its own, beside the Supabase
// Auth stand-in and the provider's: what the tests of Replicate and fal models and of the
// admin models API share.
//
//   const rig = await startReplicateRig({ prefix: "ag_repl" });   // rig.replicate, rig.webhookSecret
//   const rig = await startFalRig({ prefix: "ag_fal" });          // rig.fal
//   rig.db, rig.auth, rig.worker; rig.admin (the APP_ADMIN_TOKEN); rig.vars (the Worker's settings)
//   await rig.balance(userId), await rig.jobRow(jobId), await rig.lastEvent(jobId)  // {to_status, source}
//   await rig.assertUnavailableWithoutProvider({ model, webhook: `/webhooks/fal/${jobId}`, body })
//   await rig.close();

import assert from "node:assert/strict";
import crypto from "node:crypto";
import { call, newUser } from "./http.mjs";
import { startWorker } from "./worker.mjs";
import { createTestDatabase } from "./postgres.mjs";
import { startSupabaseAuth } from "./supabase-auth.mjs";
import { startReplicate } from "./replicate.mjs";
import { startFal } from "./fal.mjs";

/** `standIn()` starts the provider's stand-in: {name, server, vars, extra?}. */
async function startProviderRig({ prefix, standIn }) {
  const admin = `admin-${crypto.randomBytes(12).toString("hex")}`;
  const hsSecret = crypto.randomBytes(32).toString("hex");
  const db = await createTestDatabase({ prefix });
  const [auth, provider] = await Promise.all([startSupabaseAuth({ hsSecret }), standIn()]);
  const vars = {
    APP_ADMIN_TOKEN: admin, // also signs the outputs' download links
    SUPABASE_URL: auth.url,
    SUPABASE_JWT_SECRET: hsSecret,
    ...provider.vars,
    WELCOME_CREDITS: "10",
    JOBS_PER_HOUR: "1000",
  };
  const worker = await startWorker({ db: db.url, vars });
  return {
    db,
    auth,
    [provider.name]: provider.server,
    ...provider.extra,
    worker,
    admin,
    hsSecret,
    vars,
    async balance(userId) {
      const [row] = await db.sql`select balance from public.credit_balances where user_id = ${userId}::uuid`;
      return Number(row?.balance ?? 0);
    },
    jobRow: async (id) => (await db.sql`select * from public.jobs where id = ${id}::uuid`)[0],
    lastEvent: async (id) =>
      (await db.sql`select to_status, detail->>'source' as source from public.job_events
                    where job_id = ${id}::uuid order by id desc limit 1`)[0],
    /**
     * On a Worker without the provider's settings: a job on `model` is 400 model_unavailable
     * with nothing charged or recorded (refused before the welcome grant, as an unknown model
     * is), and a webhook to `webhook` (a job's, token aside) is 401.
     */
    async assertUnavailableWithoutProvider({ model, webhook, body }) {
      const bare = await startWorker({
        db: db.url,
        vars: { SUPABASE_URL: auth.url, SUPABASE_JWT_SECRET: hsSecret, WELCOME_CREDITS: "10", JOBS_PER_HOUR: "1000" },
      });
      try {
        const user = await newUser(auth);
        const res = await call(bare, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox", model } });
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error, "model_unavailable", res.text);
        const [{ entries, jobs }] = await db.sql`
          select (select count(*)::int from public.credit_ledger where user_id = ${user.id}::uuid) as entries,
                 (select count(*)::int from public.jobs where user_id = ${user.id}::uuid) as jobs`;
        assert.deepEqual({ entries, jobs }, { entries: 0, jobs: 0 });
        const hook = await call(bare, `${webhook}?token=x`, { method: "POST", body });
        assert.equal(hook.status, 401, hook.text);
      } finally {
        await bare.stop();
      }
    },
    async close() {
      await worker.stop();
      await Promise.allSettled([auth.close(), provider.server.close()]);
      await db.drop();
    },
  };
}

export function startReplicateRig({ prefix }) {
  const token = `r8_${crypto.randomBytes(12).toString("hex")}`;
  const webhookSecret = `whsec_${crypto.randomBytes(24).toString("base64")}`;
  return startProviderRig({
    prefix,
    standIn: async () => {
      const server = await startReplicate({ token, webhookSecret });
      const vars = { REPLICATE_API_TOKEN: token, REPLICATE_API_BASE: server.url, REPLICATE_WEBHOOK_SECRET: webhookSecret };
      return { name: "replicate", server, vars, extra: { webhookSecret } };
    },
  });
}

export function startFalRig({ prefix }) {
  const key = `fal-${crypto.randomBytes(12).toString("hex")}`;
  return startProviderRig({
    prefix,
    standIn: async () => {
      const server = await startFal({ key });
      return { name: "fal", server, vars: { FAL_KEY: key, FAL_QUEUE_BASE: server.url, FAL_JWKS_URL: server.jwksUrl } };
    },
  });
}
