// What every benchmarked Worker shares: one migrated Postgres database (the integration
// harness's) behind PgBouncer (bench/pooler.mjs, the stand-in for Hyperdrive), the Supabase
// Auth stand-in (JWKS and token minting), the RunPod stand-in (its jobs stay queued: only the
// benchmark sends their callbacks), and the secrets. The user has credits for every job the
// benchmark submits, and no hourly limit binds.
//
//   const fx = await startFixture();
//   fx.db.url, fx.pooledUrl, fx.auth, fx.runpod, fx.varsFor("ours" | "hono", dbUrl = fx.pooledUrl), fx.user
//
// The database is reached through DATABASE_URL, which both Workers use when there is no
// HYPERDRIVE binding: workerd then connects to the pooler itself. Miniflare's local Hyperdrive
// would put a relay in this node process (sharing its CPU with the load generator) whose
// sockets have no error handlers, so that disposing a loaded Worker can crash the run.
//   await fx.close();

import crypto from "node:crypto";
import { createTestDatabase } from "../tests/integration/harness/postgres.mjs";
import { startRunPod } from "../tests/integration/harness/runpod.mjs";
import { startSupabaseAuth } from "../tests/integration/harness/supabase-auth.mjs";
import { startPooler } from "./pooler.mjs";

export async function startFixture() {
  const db = await createTestDatabase({ prefix: "ag_bench" });
  const pooler = await startPooler(db.url).catch(async (err) => {
    await db.drop();
    throw err;
  });
  const pooledUrl = pooler.urlFor(db.url);
  const auth = await startSupabaseAuth({ hsSecret: crypto.randomBytes(32).toString("hex") });
  const secrets = {
    admin: crypto.randomBytes(24).toString("hex"),
    stripe: `whsec_${crypto.randomBytes(24).toString("base64url")}`,
    runpod: crypto.randomBytes(16).toString("hex"),
  };
  const runpod = await startRunPod({ apiKey: secrets.runpod, endpointId: "bench", defaultSteps: ["IN_QUEUE"] });
  await db.sql`select public.grant_credits(${auth.user.id}::uuid, 1000000000, 'grant', 'bench:jobs', 'benchmark', null)`;
  const common = {
    SUPABASE_URL: auth.url,
    SUPABASE_JWT_SECRET: auth.hsSecret,
    STRIPE_WEBHOOK_SECRET: secrets.stripe,
    WELCOME_CREDITS: "10",
    RUNPOD_API_KEY: secrets.runpod,
    RUNPOD_ENDPOINT_ID: "bench",
    RUNPOD_API_BASE: runpod.url,
    JOBS_PER_HOUR: "1000000",
  };
  return {
    db,
    pooledUrl,
    auth,
    runpod,
    secrets,
    user: auth.user,
    varsFor(target, dbUrl = pooledUrl) {
      if (target === "hono") return { ...common, DATABASE_URL: dbUrl };
      return {
        ...common,
        DATABASE_URL: dbUrl,
        APP_ADMIN_TOKEN: secrets.admin,
        ASSET_MAX_BYTES: String(100 * 1024 * 1024),
      };
    },
    async close() {
      await auth.close();
      await runpod.close();
      await pooler.stop();
      await db.drop();
    },
  };
}
