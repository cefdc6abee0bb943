// The limits on a client's JSON, through the real Worker: bodies over 64 KiB
// (src/http/body.hpp, kMaxJsonBody) and documents nested deeper than 128 levels
// (src/core/json.hpp, kMaxJsonDepth) are refused with their documented 4xx where they enter,
// before the core builds or copies them. Past either limit a body could exhaust the core's
// memory or stack, a trap that also fails the requests sharing its isolate.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "./harness/worker.mjs";
import { call, newUser } from "./harness/http.mjs";
import { createTestDatabase } from "./harness/postgres.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";

const HS_SECRET = "json-limits-test-legacy-jwt-secret-with-32-chars";
const MAX_DEPTH = 128;

let db;
let auth;
let worker;

before(async () => {
  db = await createTestDatabase({ prefix: "ag_json_limits" });
  auth = await startSupabaseAuth({ hsSecret: HS_SECRET });
  worker = await startWorker({
    db: db.url,
    vars: { SUPABASE_URL: auth.url, SUPABASE_JWT_SECRET: HS_SECRET, WELCOME_CREDITS: "10", JOBS_PER_HOUR: "1000" },
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

const postJob = (token, input) =>
  call(worker, "/jobs", { method: "POST", token, body: `{"prompt":"a red fox","input":${input}}` });

/** An input of `bytes` bytes of empty objects: the most values, and memory, per byte. */
function emptyObjects(bytes) {
  return `{"a":[${"{},".repeat(Math.floor((bytes - 8) / 3))}{}]}`;
}

async function balance(token) {
  const res = await call(worker, "/credits", { token });
  assert.equal(res.status, 200);
  return res.body.balance;
}

test("a job whose input nests too deep is a 400, and the requests beside it are served", async () => {
  const { id: sub, token } = await newUser(auth);
  const before = await balance(token);

  // 15000 levels in under 64 KiB, with other requests in flight
  const deep = nested(15_000);
  const [refused, ...beside] = await Promise.all([
    postJob(token, deep),
    ...Array.from({ length: 4 }, () => worker.fetch("/health").then((res) => res.status)),
  ]);
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
  assert.equal(refused.body.error, "invalid_request");
  assert.match(refused.body.message, /nested deeper than 128 levels/);
  assert.deepEqual(beside, [200, 200, 200, 200]);

  // the limit itself: an input of exactly 128 levels (the body's object adds one) is refused
  // by the parser, one level less is parsed and then refused by the model's input schema
  // (flat, without a `k`)
  assert.equal((await postJob(token, nested(MAX_DEPTH))).body.error, "invalid_request");
  const parsed = await postJob(token, nested(MAX_DEPTH - 1));
  assert.equal(parsed.status, 400, JSON.stringify(parsed.body));
  assert.equal(parsed.body.error, "invalid_input", JSON.stringify(parsed.body));
  assert.equal(await balance(token), before, "the refused requests cost nothing");

  const [{ n }] = await db.sql`select count(*)::int as n from public.jobs where user_id = ${sub}`;
  assert.equal(n, 0);
});

test("job bodies over 64 KiB are a 413 however many arrive at once; bodies under it are served", async () => {
  const { id: sub, token } = await newUser(auth);
  const six = (input) => Promise.all(Array.from({ length: 6 }, () => postJob(token, input)));

  // just under 1 MiB each, the limit before: each grew the core's memory by 37 MiB, and six at
  // once ran it out (500s)
  const over = await six(emptyObjects((1 << 20) - 64));
  assert.deepEqual(over.map((r) => [r.status, r.body.error]), Array(6).fill([413, "payload_too_large"]));

  // parsed, then refused by the model's input schema (it takes no `a`): served, not dropped
  const under = await six(emptyObjects((64 << 10) - 64));
  assert.deepEqual(
    under.map((r) => [r.status, r.body.error]),
    Array(6).fill([400, "invalid_input"]),
    JSON.stringify(under.find((r) => r.status !== 400)?.body),
  );
  const [{ n }] = await db.sql`select count(*)::int as n from public.jobs where user_id = ${sub}`;
  assert.equal(n, 0);
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
