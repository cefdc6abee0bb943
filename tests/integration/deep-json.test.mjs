// JSON nested deeper than the core accepts (src/core/json.hpp, kMaxJsonDepth = 128 levels),
// through the real Worker: a client's body or token is refused with its documented 4xx where it
// enters, before any of the core's recursive code (copying, printing) sees it, so it can
// neither trap the core nor take down the requests sharing its isolate.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { startWorker } from "./harness/worker.mjs";
import { createTestDatabase } from "./harness/postgres.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";

const HS_SECRET = "deep-json-test-legacy-jwt-secret-with-32-chars";
const MAX_DEPTH = 128;

let db;
let auth;
let worker;

before(async () => {
  db = await createTestDatabase({ prefix: "ag_deep_json" });
  auth = await startSupabaseAuth({ hsSecret: HS_SECRET });
  worker = await startWorker({
    db: db.url,
    vars: { SUPABASE_URL: auth.url, SUPABASE_JWT_SECRET: HS_SECRET, WELCOME_CREDITS: "10" },
  });
});

after(async () => {
  await worker?.stop();
  await auth?.close();
  await db?.drop();
});

/** JSON text `depth` levels deep: {"k":[{"k":[...1...]}]} (JSON.stringify would overflow). */
function nested(depth) {
  let open = "";
  let close = "";
  for (let level = 0; level < depth; level++) {
    open += level % 2 ? "[" : '{"k":';
    close = (level % 2 ? "]" : "}") + close;
  }
  return `${open}1${close}`;
}

async function postJob(token, input) {
  const res = await worker.fetch("/jobs", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: `{"prompt":"a red fox","input":${input}}`,
  });
  return { status: res.status, body: await res.json() };
}

async function balance(token) {
  const res = await worker.fetch("/credits", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return (await res.json()).balance;
}

test("a job whose input nests too deep is a 400, and the requests beside it are served", async () => {
  const sub = crypto.randomUUID();
  const token = await auth.mint({ alg: "HS256", claims: { sub } });
  const before = await balance(token);

  // a 1 MiB body (the cap) nested a quarter of a million levels, with other requests in flight
  const deep = nested(250_000);
  const [refused, ...beside] = await Promise.all([
    postJob(token, deep),
    ...Array.from({ length: 4 }, () => worker.fetch("/health").then((res) => res.status)),
  ]);
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
  assert.equal(refused.body.error, "invalid_request");
  assert.deepEqual(beside, [200, 200, 200, 200]);

  // the limit itself: an input of exactly 128 levels (the body's object adds one) is refused,
  // one level less is a job
  assert.equal((await postJob(token, nested(MAX_DEPTH))).status, 400);
  const accepted = await postJob(token, nested(MAX_DEPTH - 1));
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  assert.equal(await balance(token), before, "the noop job was refunded; the refused ones cost nothing");

  const [{ n }] = await db.sql`select count(*)::int as n from public.jobs where user_id = ${sub}`;
  assert.equal(n, 1);
});

test("a token whose claims nest too deep is a 401 before its signature is checked", async () => {
  const b64 = (text) => Buffer.from(text).toString("base64url");
  const header = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  // the largest token the core reads is 8 KiB: about 3000 levels of claims
  const token = `${header}.${b64(`{"sub":"x","deep":${nested(3000)}}`)}.${b64("not a signature")}`;
  const res = await worker.fetch("/me", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error, "unauthorized");
  assert.equal((await worker.fetch("/health")).status, 200);
});
