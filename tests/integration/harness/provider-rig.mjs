// A Worker with Replicate configured, on a database of its own, beside the Supabase Auth and
// Replicate stand-ins: what the tests of Replicate models and of the admin models API share.
//
//   const rig = await startReplicateRig({ prefix: "ag_repl" });
//   rig.db, rig.auth, rig.replicate, rig.worker; rig.admin (the APP_ADMIN_TOKEN); rig.webhookSecret
//   await rig.close();

import crypto from "node:crypto";
import { startWorker } from "./worker.mjs";
import { createTestDatabase } from "./postgres.mjs";
import { startSupabaseAuth } from "./supabase-auth.mjs";
import { startReplicate } from "./replicate.mjs";

export async function startReplicateRig({ prefix }) {
  const admin = `admin-${crypto.randomBytes(12).toString("hex")}`;
  const hsSecret = crypto.randomBytes(32).toString("hex");
  const token = `r8_${crypto.randomBytes(12).toString("hex")}`;
  const webhookSecret = `whsec_${crypto.randomBytes(24).toString("base64")}`;
  const db = await createTestDatabase({ prefix });
  const [auth, replicate] = await Promise.all([
    startSupabaseAuth({ hsSecret }),
    startReplicate({ token, webhookSecret }),
  ]);
  const worker = await startWorker({
    db: db.url,
    vars: {
      APP_ADMIN_TOKEN: admin, // also signs the outputs' download links
      SUPABASE_URL: auth.url,
      SUPABASE_JWT_SECRET: hsSecret,
      REPLICATE_API_TOKEN: token,
      REPLICATE_API_BASE: replicate.url,
      REPLICATE_WEBHOOK_SECRET: webhookSecret,
      WELCOME_CREDITS: "10",
      JOBS_PER_HOUR: "1000",
    },
  });
  return {
    db,
    auth,
    replicate,
    worker,
    admin,
    hsSecret,
    webhookSecret,
    async close() {
      await worker.stop();
      await Promise.allSettled([auth.close(), replicate.close()]);
      await db.drop();
    },
  };
}
