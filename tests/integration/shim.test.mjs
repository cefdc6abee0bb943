// The shim's effect executors end to end: the real wasm core in real workerd (Miniflare),
// real PostgreSQL (Hyperdrive binding), local R2, and a loopback stand-in for Supabase Auth.
// Each group names the effect it exercises; the endpoints are the contract of
// shared/API.md, so a failure is either a shim bug or a core that disagrees with the contract.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase } from "./harness/postgres.mjs";
import { startWorker } from "./harness/worker.mjs";
import { assertError, json, request } from "./harness/http.mjs";
import { closedPort, startLoopbackServer } from "./harness/loopback-server.mjs";

const ADMIN = "test-admin-token-0123456789";
const WEBHOOK_SECRET = "test-webhook-secret-9876543210";
const SERVICE_ROLE = "test-service-role-key";
const ORIGIN = "https://app.alphogen.test";
const USER = { id: "6f9619ff-8b86-4d11-b42d-00c04fc964ff", email: "user@example.com", role: "authenticated" };
const GOOD_TOKEN = fakeJwt({ sub: USER.id, email: USER.email, role: USER.role });
const REJECTED_TOKEN = fakeJwt({ sub: "00000000-0000-4000-8000-000000000000", role: "authenticated" });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A Supabase-shaped legacy (HS256) access token: with no SUPABASE_JWT_SECRET configured the
 *  Worker asks /auth/v1/user, so the stand-in, not the signature, decides. */
function fakeJwt(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return [
    b64({ alg: "HS256", typ: "JWT" }),
    b64({ aud: "authenticated", iat: now, exp: now + 3600, ...claims }),
    Buffer.alloc(32, 7).toString("base64url"),
  ].join(".");
}

let db;
let worker; // everything configured
let bare; // no database reachable, no Supabase
let supabase;

before(async () => {
  const [testDb, auth, deadPort] = await Promise.all([
    createTestDatabase(),
    startLoopbackServer({
      "GET /auth/v1/user": (req) =>
        req.headers.authorization === `Bearer ${GOOD_TOKEN}`
          ? { status: 200, body: { id: USER.id, aud: "authenticated", role: USER.role, email: USER.email, app_metadata: {}, user_metadata: {} } }
          : { status: 401, body: { code: 401, error_code: "bad_jwt", msg: "invalid JWT" } },
    }),
    closedPort(),
  ]);
  db = testDb;
  supabase = auth;
  [worker, bare] = await Promise.all([
    startWorker({
      db: db.url,
      vars: {
        APP_ADMIN_TOKEN: ADMIN,
        WEBHOOK_SECRET,
        ASSET_MAX_BYTES: "1000",
        CORS_ORIGINS: ORIGIN,
        SUPABASE_URL: supabase.url,
        SUPABASE_SERVICE_ROLE: SERVICE_ROLE,
      },
    }),
    startWorker({
      db: null, // no Hyperdrive binding: the shim falls back to DATABASE_URL, a closed port
      vars: {
        APP_ADMIN_TOKEN: ADMIN,
        WEBHOOK_SECRET,
        CORS_ORIGINS: ORIGIN,
        DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${deadPort}/postgres`,
      },
    }),
  ]);
});

after(async () => {
  await Promise.allSettled([worker?.stop(), bare?.stop(), supabase?.close()]);
  await db?.drop();
});

describe("sql effect: GET /health", () => {
  test("plain health answers ok with a timestamp", async () => {
    const res = await request(worker, "/health");
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.equal(body.ok, true);
    assert.equal(typeof body.ts, "number");
    assert.ok(Math.abs(body.ts - Date.now()) < 60_000, `ts ${body.ts} is not now`);
  });

  test("deep health with admin checks the database and storage", async () => {
    const res = await request(worker, "/health?deep=1", { headers: { authorization: `Bearer ${ADMIN}` } });
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.ok, true);
    assert.equal(body.checks?.database?.ok, true, JSON.stringify(body.checks));
    assert.equal(body.checks?.storage?.ok, true, JSON.stringify(body.checks));
  });

  test("deep health with the database unreachable answers 503", async () => {
    const res = await request(bare, "/health?deep=1", { headers: { authorization: `Bearer ${ADMIN}` } });
    const body = await json(res);
    assert.equal(res.status, 503, JSON.stringify(body));
    assert.equal(body.ok, false);
    assert.equal(body.checks?.database?.ok, false, JSON.stringify(body.checks));
    assert.equal(body.checks?.storage?.ok, true, JSON.stringify(body.checks));
  });
});

describe("r2 effects: PUT/GET/HEAD /assets/:key", () => {
  const TEXT = "hello from the integration suite\n";
  const BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
  let textEtag;

  test("admin PUT stores the body and answers its metadata", async () => {
    const res = await request(worker, "/assets/public/hello.txt", {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "text/plain" },
      body: TEXT,
    });
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.ok, true);
    assert.equal(body.key, "public/hello.txt");
    assert.equal(body.size, Buffer.byteLength(TEXT));
    assert.equal(typeof body.etag, "string");
    assert.ok(body.etag.length > 0);
    assert.equal(body.content_type, "text/plain");
    textEtag = body.etag;
  });

  test("GET returns identical bytes with content-type and etag", async () => {
    const res = await request(worker, "/assets/public/hello.txt");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    assert.ok((res.headers.get("etag") ?? "").includes(textEtag), `etag header ${res.headers.get("etag")} vs ${textEtag}`);
    assert.equal(await res.text(), TEXT);
  });

  test("a binary body with all 256 byte values survives the round trip", async () => {
    const put = await request(worker, "/assets/public/bytes.bin", {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/octet-stream" },
      body: BYTES,
    });
    const putBody = await json(put);
    assert.equal(put.status, 200, JSON.stringify(putBody));
    assert.equal(putBody.size, 256);
    assert.equal(putBody.content_type, "application/octet-stream");

    const res = await request(worker, "/assets/public/bytes.bin", { headers: { "accept-encoding": "identity" } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/octet-stream/);
    assert.ok((res.headers.get("etag") ?? "").includes(putBody.etag));
    assert.equal(res.headers.get("content-length"), "256");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), BYTES);
  });

  test("HEAD answers the headers without a body", async () => {
    const res = await request(worker, "/assets/public/hello.txt", { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    assert.ok((res.headers.get("etag") ?? "").includes(textEtag));
    assert.equal(await res.text(), "");
  });

  test("If-None-Match with the current etag answers 304 without a body", async () => {
    const res = await request(worker, "/assets/public/hello.txt", { headers: { "if-none-match": `"${textEtag}"` } });
    assert.equal(res.status, 304);
    assert.equal(await res.text(), "");
  });

  test("PUT without the admin token is 401 and stores nothing", async () => {
    for (const headers of [{}, { authorization: "Bearer not-the-token" }]) {
      const res = await request(worker, "/assets/public/intruder.txt", { method: "PUT", headers, body: "x" });
      assert.equal(res.status, 401);
      assertError(await json(res), "unauthorized");
    }
    const get = await request(worker, "/assets/public/intruder.txt");
    assert.equal(get.status, 404);
    await get.arrayBuffer();
  });

  test("PUT over ASSET_MAX_BYTES is 413 payload_too_large and stores nothing", async () => {
    const res = await request(worker, "/assets/public/big.bin", {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/octet-stream" },
      body: new Uint8Array(1001),
    });
    assert.equal(res.status, 413);
    assertError(await json(res), "payload_too_large");
    const get = await request(worker, "/assets/public/big.bin");
    assert.equal(get.status, 404);
    await get.arrayBuffer();
  });

  test("GET of an unknown key is 404 not_found", async () => {
    const res = await request(worker, "/assets/public/no-such-object.txt");
    assert.equal(res.status, 404);
    assertError(await json(res), "not_found");
  });
});

describe("request.body + wait_until + sql effects: POST /webhooks/test", () => {
  const sent = { test: true, n: 42, note: "from shim.test.mjs" };

  test("the right secret is 200 and the event lands in the events table", async () => {
    const res = await request(worker, "/webhooks/test", {
      method: "POST",
      headers: { "x-webhook-secret": WEBHOOK_SECRET, "content-type": "application/json" },
      body: JSON.stringify(sent),
    });
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.ok, true);
    assert.equal(body.received, true);
    assert.match(body.event_id ?? "", UUID);

    // written under ctx.waitUntil: poll for it
    let rows = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      rows = await db.sql`select type, event_id::text as event_id, jsonb_typeof(payload) as kind,
        payload->'body' as body, payload->'headers'->>'x-webhook-secret' as secret_header, payload::text as text
        from public.events where event_id = ${body.event_id}::uuid`;
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(rows.length, 1, "no events row with the returned event_id");
    const [row] = rows;
    assert.equal(row.type, "/webhooks/test");
    assert.equal(row.event_id, body.event_id);
    assert.equal(row.kind, "object", `payload is stored as a JSON ${row.kind}: ${row.text}`);
    assert.deepEqual(row.body, sent);
    assert.equal(row.secret_header, "[redacted]");
    assert.ok(!row.text.includes(WEBHOOK_SECRET), "the secret is stored in the payload");
    assert.ok(!worker.logs.some((l) => l.message.includes(WEBHOOK_SECRET)), "the secret appears in the logs");
  });

  test("a wrong or missing secret is 401 unauthorized", async () => {
    for (const headers of [{ "x-webhook-secret": "wrong" }, {}]) {
      const res = await request(worker, "/webhooks/test", {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify(sent),
      });
      assert.equal(res.status, 401);
      assertError(await json(res), "unauthorized");
    }
  });
});

describe("fetch effect: GET /me through Supabase Auth", () => {
  test("a token Supabase accepts answers the user", async () => {
    const before = supabase.requests.length;
    const res = await request(worker, "/me", { headers: { authorization: `Bearer ${GOOD_TOKEN}` } });
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.ok, true);
    assert.equal(body.user?.id, USER.id);
    assert.equal(body.user?.email, USER.email);
    assert.equal(body.user?.role, USER.role);

    const calls = supabase.requests.slice(before).filter((r) => r.path === "/auth/v1/user");
    assert.ok(calls.length >= 1, "Supabase Auth was not asked");
    const last = calls[calls.length - 1];
    assert.equal(last.method, "GET");
    assert.equal(last.headers.authorization, `Bearer ${GOOD_TOKEN}`);
    assert.equal(last.headers.apikey, SERVICE_ROLE);
  });

  test("a token Supabase rejects is 401", async () => {
    const res = await request(worker, "/me", { headers: { authorization: `Bearer ${REJECTED_TOKEN}` } });
    assert.equal(res.status, 401);
    assertError(await json(res), "unauthorized");
  });

  test("without Supabase configured /me is the documented noop 501", async () => {
    const res = await request(bare, "/me", { headers: { authorization: `Bearer ${GOOD_TOKEN}` } });
    assert.equal(res.status, 501);
    assert.deepEqual(await json(res), { ok: true, provider: "noop", message: "supabase_not_configured" });
  });
});

describe("platform", () => {
  test("an unknown path is 404 not_found JSON", async () => {
    const res = await request(worker, "/no/such/route");
    assert.equal(res.status, 404);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assertError(await json(res), "not_found");
  });

  test("a wrong method is 405 with an Allow header", async () => {
    const res = await request(worker, "/health", { method: "DELETE" });
    assert.equal(res.status, 405);
    const allow = (res.headers.get("allow") ?? "").split(",").map((m) => m.trim().toUpperCase());
    assert.ok(allow.includes("GET"), `Allow: ${res.headers.get("allow")}`);
    const body = await json(res);
    assert.equal(body.ok, false);
  });

  test("GET /openapi.json is an OpenAPI 3.1 document", async () => {
    const res = await request(worker, "/openapi.json");
    assert.equal(res.status, 200);
    const doc = await json(res);
    assert.equal(typeof doc.openapi, "string");
    assert.ok(doc.openapi.startsWith("3.1"), `openapi: ${doc.openapi}`);
  });

  test("a CORS preflight from an allowed origin is 204 with access-control-allow-origin", async () => {
    const res = await request(worker, "/health", {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "GET" },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), ORIGIN);
    assert.equal(await res.text(), "");
  });

  test("the cron trigger runs the core's scheduled entry and logs it", async () => {
    const before = worker.logs.length;
    const result = await worker.scheduled("*/5 * * * *");
    assert.equal(result.outcome, "ok");
    const lines = worker.logs.slice(before).map((entry) => entry.message).join("\n");
    assert.match(lines, /"cron"|cron:/);
    assert.match(lines, /\*\/5 \* \* \* \*/);
  });
});
