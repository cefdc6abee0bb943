// GET /client-config, as the console reads it on start: the API base and the Supabase project
// (URL, anon key) from the Worker's vars, nothing secret, and a cache a browser revalidates.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "./harness/worker.mjs";

const SECRETS = { SUPABASE_SERVICE_ROLE: "service-role-never-answered", SUPABASE_JWT_SECRET: "jwt-secret-never-answered" };
let configured;
let bare;

before(async () => {
  [configured, bare] = await Promise.all([
    startWorker({
      db: null,
      vars: {
        SUPABASE_URL: "https://project-ref.supabase.co/",
        SUPABASE_ANON_KEY: "anon-key-for-browsers",
        PUBLIC_BASE_URL: "https://api.example.com",
        APP_ADMIN_TOKEN: "admin-token-never-answered",
        ...SECRETS,
      },
    }),
    startWorker({ db: null, vars: {} }),
  ]);
});
after(() => Promise.all([configured?.stop(), bare?.stop()]));

test("answers the API base and the Supabase project, and no secret", async () => {
  const res = await configured.fetch("/client-config");
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.equal(res.headers.get("cache-control"), "no-cache");
  assert.deepEqual(JSON.parse(text), {
    ok: true,
    api_base: "https://api.example.com",
    supabase_url: "https://project-ref.supabase.co",
    supabase_anon_key: "anon-key-for-browsers",
  });
  for (const secret of [...Object.values(SECRETS), "admin-token-never-answered"]) assert.ok(!text.includes(secret));
});

test("unconfigured: nulls, and the base the request came to", async () => {
  const res = await bare.fetch("/client-config");
  const body = await res.json();
  assert.equal(res.status, 200);
  assert.equal(body.supabase_url, null);
  assert.equal(body.supabase_anon_key, null);
  assert.match(body.api_base, /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/);
});
