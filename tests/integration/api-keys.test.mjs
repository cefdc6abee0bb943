// API keys (issue 24): a signed-in user creates, lists and revokes keys; `Authorization: Bearer
// ag_live_...` then acts as that user (jobs, credits) except on /keys and /billing/*; only the
// secret's SHA-256 is stored, and the secret is never logged. Real Worker, real PostgreSQL,
// the Supabase Auth stand-in (harness/jobs.mjs); `noop` is a second isolate on the same
// database. The minute a key's lookup is cached for is shown in tests/unit/api_keys_test.cpp.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { call, newUser } from "./harness/http.mjs";
import { useJobsRig, auth, db, main, noop, postJob, balance } from "./harness/jobs.mjs";

useJobsRig({ workers: ["noop"] });

const createKey = (token, name = "CI server") => call(main, "/keys", { method: "POST", token, body: { name } });

async function keyOf(user, name) {
  const res = await createKey(user.token, name);
  assert.equal(res.status, 201, res.text);
  return res.body;
}

describe("API keys", () => {
  test("a key acts as its user: jobs and credits are theirs; only its hash is stored, never logged", async () => {
    const user = await newUser(auth);
    const key = await keyOf(user);
    assert.match(key.secret, /^ag_live_[0-9a-f]{40}$/);
    assert.equal(key.prefix, key.secret.slice(0, 16));
    assert.equal(key.name, "CI server");

    const me = await call(main, "/me", { token: key.secret });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.id, user.id);
    const job = await postJob(main, key.secret, { prompt: "a fox made with a key" });
    assert.equal(job.status, 200, job.text);
    assert.equal(await balance(user.id), 9, "charged to the key's user");
    const listed = await call(main, "/jobs", { token: user.token });
    assert.deepEqual(listed.body.jobs.map((j) => j.job_id), [job.body.job_id]);
    const mine = await call(main, `/jobs/${job.body.job_id}`, { token: key.secret });
    assert.equal(mine.status, 200, mine.text);

    const keys = await call(main, "/keys", { token: user.token });
    assert.equal(keys.status, 200, keys.text);
    assert.equal(keys.body.keys.length, 1);
    const [shown] = keys.body.keys;
    assert.deepEqual(Object.keys(shown).sort(), ["created_at", "id", "last_used_at", "name", "prefix"]);
    assert.equal(shown.id, key.id);
    assert.ok(Date.parse(shown.last_used_at) >= Date.parse(shown.created_at), JSON.stringify(shown));

    const [row] = await db.sql`select * from public.api_keys where id = ${key.id}::uuid`;
    assert.equal(row.secret_hash, crypto.createHash("sha256").update(key.secret).digest("hex"));
    assert.equal(row.user_id, user.id);
    assert.ok(!JSON.stringify(row).includes(key.secret.slice(16)), "no column holds the secret");
    assert.ok(!main.logs.some((l) => l.message.includes(key.secret.slice(16))), "no log line holds the secret");
  });

  test("a key cannot mint, list or revoke keys, nor buy", async () => {
    const user = await newUser(auth);
    const key = await keyOf(user);
    for (const [method, path, body] of [
      ["POST", "/keys", { name: "by a key" }],
      ["GET", "/keys"],
      ["DELETE", `/keys/${key.id}`],
      ["GET", "/billing/subscription"],
      ["POST", "/billing/checkout", { pack_id: "pack-100" }],
      ["POST", "/billing/portal", {}],
    ]) {
      const res = await call(main, path, { method, token: key.secret, body });
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.error, "forbidden");
    }
    const [{ n }] = await db.sql`select count(*)::int as n from public.api_keys where user_id = ${user.id}::uuid`;
    assert.equal(n, 1);
  });

  test("a revoked key is refused at once, here and on another isolate; only its owner revokes it", async () => {
    const user = await newUser(auth);
    const other = await newUser(auth);
    const key = await keyOf(user);
    assert.equal((await call(main, "/me", { token: key.secret })).status, 200);

    const foreign = await call(main, `/keys/${key.id}`, { method: "DELETE", token: other.token });
    assert.equal(foreign.status, 404, foreign.text);
    assert.equal((await call(main, "/me", { token: key.secret })).status, 200);

    const revoked = await call(main, `/keys/${key.id}`, { method: "DELETE", token: user.token });
    assert.equal(revoked.status, 200, revoked.text);
    assert.deepEqual(revoked.body, { ok: true, id: key.id, revoked: true });
    for (const worker of [main, noop]) {
      const refused = await call(worker, "/me", { token: key.secret });
      assert.equal(refused.status, 401, refused.text);
      assert.match(refused.headers.get("www-authenticate") ?? "", /invalid_token/);
    }
    assert.equal((await call(main, `/keys/${key.id}`, { method: "DELETE", token: user.token })).status, 404);
    assert.deepEqual((await call(main, "/keys", { token: user.token })).body.keys, []);
    const [row] = await db.sql`select revoked_at from public.api_keys where id = ${key.id}::uuid`;
    assert.ok(row.revoked_at);
  });

  test("a user holds at most 20 keys; an anonymous user holds none", async () => {
    const user = await newUser(auth);
    const made = await Promise.all(Array.from({ length: 21 }, (_, i) => createKey(user.token, `key ${i}`)));
    assert.deepEqual(made.map((r) => r.status).sort(), [...Array(20).fill(201), 409]);
    const first = made.find((r) => r.status === 201).body;
    assert.equal((await call(main, `/keys/${first.id}`, { method: "DELETE", token: user.token })).status, 200);
    assert.equal((await createKey(user.token, "after a revocation")).status, 201);

    const guest = await auth.mint({ alg: "HS256", claims: { sub: crypto.randomUUID(), is_anonymous: true } });
    const refused = await createKey(guest);
    assert.equal(refused.status, 403, refused.text);
  });
});
