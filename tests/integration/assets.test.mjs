// /assets end to end: the real Worker (wasm core + js-shim) in workerd via Miniflare, with the
// local in-memory R2 bucket and a stand-in Supabase Auth (harness/supabase-auth.mjs) minting
// the users' access tokens. No database: assets need none.
//
// Contract under test (shared/API.md, the /assets rows):
//   PUT /assets/:key      admin anywhere, a user only under users/<their id>/ (403); needs
//                         Content-Length (411), ≤ ASSET_MAX_BYTES (413, checked before the body
//                         is read); key 1–1024 bytes, no leading '/', no '..' segment, no
//                         backslash or control characters (400); 200 {ok,key,size,etag,content_type}
//   GET /assets/:key      public keys for anyone; users/ and outputs/ for the owner, admin, or a
//                         signed link; Content-Type, ETag, Content-Length; Range → 206/416
//   POST /assets/sign     owner or admin: {"key","expires_in"} → {ok,url,expires_at}; any change
//                         to key, expiry or signature → 403
//   DELETE /assets/:key, GET /assets?prefix&cursor   owner or admin; users list only their own
//
// Two workers: `worker` (ASSET_MAX_BYTES 25 MiB, enough for the 20 MiB round trip) and `small`
// (ASSET_MAX_BYTES 1000) for the exact-size limit. Tests in a file run in order; the range
// tests read the object the round-trip test uploads.
//
// What the runtime does to paths before the Worker sees them (so these never reach the core as
// keys): workerd resolves dot segments, including %2e%2e ("/assets/a/../b" arrives as
// "/assets/b", "/assets/.." as "/"), and turns a literal '\' into '/'. A '..' segment or a
// backslash reaches the key check only percent-encoded together with its slashes
// ("a%2F..%2Fb", "a%5Cb"), and a bare ".." key only through a JSON body or a query parameter.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { createApiRole, createTestDatabase } from "./harness/postgres.mjs";
import { startWorker } from "./harness/worker.mjs";
import { assertError, json, request } from "./harness/http.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";

const ADMIN = "test-admin-token-assets-0123456789";
const HS_SECRET = "test-legacy-jwt-secret-for-assets-at-least-32-chars";
const SIGNING_SECRET = "test-asset-signing-secret-0123456789";
const MAX_BYTES = 25 * 1024 * 1024; // 26214400
const SMALL_MAX = 1000;
const BIG_SIZE = 20 * 1024 * 1024; // 20 MiB

const A = crypto.randomUUID();
const B = crypto.randomUUID();

const QUOTA = 1000; // USER_STORAGE_BYTES of `tight`

let auth;
let db; // user uploads count against USER_STORAGE_BYTES, kept in the database
let worker; // ASSET_MAX_BYTES 25 MiB
let small; // ASSET_MAX_BYTES 1000
let tight; // USER_STORAGE_BYTES 1000
let tokenA; // HS256, verified with SUPABASE_JWT_SECRET
let tokenB; // ES256, verified with the stand-in's JWKS

before(async () => {
  [auth, db] = await Promise.all([startSupabaseAuth({ hsSecret: HS_SECRET }), createTestDatabase({ prefix: "ag_assets" })]);
  const role = await createApiRole(db, "assets_test");
  const vars = {
    APP_ADMIN_TOKEN: ADMIN,
    SUPABASE_URL: auth.url,
    SUPABASE_JWT_SECRET: HS_SECRET,
    ASSET_SIGNING_SECRET: SIGNING_SECRET,
  };
  [worker, small, tight, tokenA, tokenB] = await Promise.all([
    startWorker({ db: role.url, vars: { ...vars, ASSET_MAX_BYTES: String(MAX_BYTES) } }),
    startWorker({ db: role.url, vars: { ...vars, ASSET_MAX_BYTES: String(SMALL_MAX) } }),
    startWorker({ db: role.url, vars: { ...vars, USER_STORAGE_BYTES: String(QUOTA) } }),
    auth.mint({ alg: "HS256", claims: { sub: A, email: "a@example.com" } }),
    auth.mint({ alg: "ES256", claims: { sub: B, email: "b@example.com" } }),
  ]);
});

after(async () => {
  await Promise.allSettled([worker?.stop(), small?.stop(), tight?.stop()]);
  await auth?.close();
  await db?.drop();
});

// --- helpers -------------------------------------------------------------------------------

const bearer = (token) => ({ authorization: `Bearer ${token}` });
const asAdmin = () => bearer(ADMIN);
const asA = () => bearer(tokenA);
const asB = () => bearer(tokenB);
const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");

/** A call that must fail with `status` and the JSON error `code`; returns the body. */
async function expectError(w, path, init, status, code) {
  const res = await request(w, path, init);
  const body = await json(res);
  const what = `${init?.method ?? "GET"} ${path.length > 120 ? `${path.slice(0, 120)}…` : path}`;
  assert.equal(res.status, status, `${what}: ${JSON.stringify(body)}`);
  assertError(body, code);
  return body;
}

/** PUT that must succeed; returns the JSON answer. */
async function put(w, key, bytes, headers, contentType = "application/octet-stream") {
  const res = await request(w, `/assets/${key}`, {
    method: "PUT",
    headers: { ...headers, "content-type": contentType },
    body: bytes,
  });
  const body = await json(res);
  assert.equal(res.status, 200, `PUT ${key}: ${JSON.stringify(body)}`);
  assert.equal(body.ok, true);
  assert.equal(body.key, key);
  return body;
}

/** GET answering the bytes (identity encoding, so Content-Length is the stored size). */
async function getBytes(w, path, headers = {}) {
  const res = await request(w, path, { headers: { "accept-encoding": "identity", ...headers } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { res, status: res.status, bytes };
}

/** Whether `key` is stored, asked as admin (GET 200 vs 404 not_found). */
async function stored(w, key) {
  const res = await request(w, `/assets/${encodeURIComponent(key).replaceAll("%2F", "/")}`, { headers: asAdmin() });
  if (res.status === 404) {
    assertError(await json(res), "not_found");
    return false;
  }
  await res.arrayBuffer();
  assert.equal(res.status, 200, `admin GET ${key}`);
  return true;
}

/** Every key in the bucket (admin listing, all pages). */
async function allKeys(w) {
  const keys = [];
  let cursor = null;
  do {
    const q = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    const res = await request(w, `/assets${q}`, { headers: asAdmin() });
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    keys.push(...body.objects.map((o) => o.key));
    cursor = body.cursor;
  } while (cursor);
  return keys;
}

/** A request body that delivers one chunk and then never ends. The chunk must stay below the
 *  declared Content-Length: undici stalls a body that outgrows its declared length. */
function endlessBody(chunk = new Uint8Array(16)) {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(chunk);
    },
  });
}

// --- 1. a 20 MiB round trip -----------------------------------------------------------------

const BIG_KEY = `users/${A}/big.bin`;
const BIG_TYPE = "video/x-alphogen-test";
let big; // {bytes, etag}

describe("PUT then GET of a 20 MiB object", () => {
  test("a user's 20 MiB upload reads back byte for byte with Content-Length and ETag", async () => {
    const bytes = crypto.randomBytes(BIG_SIZE);
    const answer = await put(worker, BIG_KEY, bytes, asA(), BIG_TYPE);
    assert.equal(answer.size, BIG_SIZE, JSON.stringify(answer));
    assert.equal(answer.content_type, BIG_TYPE, JSON.stringify(answer));
    assert.equal(typeof answer.etag, "string");
    assert.ok(answer.etag.length > 0, JSON.stringify(answer));
    big = { bytes, etag: answer.etag };

    const { res, status, bytes: got } = await getBytes(worker, `/assets/${BIG_KEY}`, asA());
    assert.equal(status, 200);
    assert.equal(got.length, BIG_SIZE, "length read back");
    assert.equal(sha256(got), sha256(bytes), "SHA-256 of the bytes read back");
    assert.equal(res.headers.get("content-length"), String(BIG_SIZE));
    assert.equal(res.headers.get("etag"), `"${answer.etag}"`);
    assert.equal(res.headers.get("content-type"), BIG_TYPE);
    assert.equal(res.headers.get("accept-ranges"), "bytes");
  });

  test("HEAD answers the same headers without a body; If-None-Match with the ETag → 304", async () => {
    assert.ok(big, "needs the 20 MiB upload of the previous test");
    const head = await request(worker, `/assets/${BIG_KEY}`, { method: "HEAD", headers: { ...asA(), "accept-encoding": "identity" } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(BIG_SIZE));
    assert.equal(head.headers.get("etag"), `"${big.etag}"`);
    assert.equal((await head.arrayBuffer()).byteLength, 0);

    const cached = await request(worker, `/assets/${BIG_KEY}`, { headers: { ...asA(), "if-none-match": `"${big.etag}"` } });
    assert.equal(cached.status, 304);
    assert.equal((await cached.arrayBuffer()).byteLength, 0);
  });

  test("admin uploads the same 20 MiB to a public key; anyone reads it back", async () => {
    assert.ok(big, "needs the 20 MiB upload of the first test");
    const answer = await put(worker, "public/big.bin", big.bytes, asAdmin(), BIG_TYPE);
    assert.equal(answer.size, BIG_SIZE);
    const { res, status, bytes } = await getBytes(worker, "/assets/public/big.bin");
    assert.equal(status, 200);
    assert.equal(bytes.length, BIG_SIZE);
    assert.equal(sha256(bytes), sha256(big.bytes));
    assert.equal(res.headers.get("etag"), `"${answer.etag}"`);
    const del = await request(worker, "/assets/public/big.bin", { method: "DELETE", headers: asAdmin() });
    assert.equal(del.status, 200, JSON.stringify(await json(del)));
  });
});

// --- 2. Range reads -------------------------------------------------------------------------

describe("Range reads of the 20 MiB object", () => {
  const path = `/assets/${BIG_KEY}`;

  /** A 206 whose Content-Range, Content-Length and bytes are those of [first, last]. */
  async function assertPartial(headers, first, last) {
    assert.ok(big, "needs the 20 MiB upload of the round-trip test");
    const { res, status, bytes } = await getBytes(worker, path, { ...asA(), ...headers });
    assert.equal(status, 206, `${JSON.stringify(headers)}: ${bytes.subarray(0, 200).toString()}`);
    assert.equal(res.headers.get("content-range"), `bytes ${first}-${last}/${BIG_SIZE}`);
    assert.equal(res.headers.get("content-length"), String(last - first + 1));
    assert.equal(res.headers.get("accept-ranges"), "bytes");
    assert.equal(res.headers.get("etag"), `"${big.etag}"`);
    assert.equal(bytes.length, last - first + 1, "length of the slice");
    assert.ok(bytes.equals(big.bytes.subarray(first, last + 1)), `bytes ${first}-${last} differ`);
  }

  /** A 200 with the whole object although a Range was asked for. */
  async function assertWhole(headers) {
    assert.ok(big, "needs the 20 MiB upload of the round-trip test");
    const { res, status, bytes } = await getBytes(worker, path, { ...asA(), ...headers });
    assert.equal(status, 200, JSON.stringify(headers));
    assert.equal(res.headers.get("content-range"), null);
    assert.equal(res.headers.get("content-length"), String(BIG_SIZE));
    assert.equal(res.headers.get("accept-ranges"), "bytes");
    assert.equal(bytes.length, BIG_SIZE);
    assert.equal(sha256(bytes), sha256(big.bytes));
  }

  test("bytes=0-99 → 206 with the first 100 bytes", async () => {
    await assertPartial({ range: "bytes=0-99" }, 0, 99);
  });

  test("bytes=100- → 206 with everything from byte 100", async () => {
    await assertPartial({ range: "bytes=100-" }, 100, BIG_SIZE - 1);
  });

  test("an open range deep inside: bytes=<size-1000>- → the last 1000 bytes", async () => {
    await assertPartial({ range: `bytes=${BIG_SIZE - 1000}-` }, BIG_SIZE - 1000, BIG_SIZE - 1);
  });

  test("a middle slice across the 16 MiB mark", async () => {
    const first = 16 * 1024 * 1024 - 7;
    await assertPartial({ range: `bytes=${first}-${first + 4095}` }, first, first + 4095);
  });

  test("bytes=-500 (suffix) → 206 with the last 500 bytes", async () => {
    await assertPartial({ range: "bytes=-500" }, BIG_SIZE - 500, BIG_SIZE - 1);
  });

  test("a last byte past the end is clamped: bytes=<size-10>-<size+1000>", async () => {
    await assertPartial({ range: `bytes=${BIG_SIZE - 10}-${BIG_SIZE + 1000}` }, BIG_SIZE - 10, BIG_SIZE - 1);
  });

  test("bytes=<size>- → 416 range_not_satisfiable with Content-Range bytes */<size>", async () => {
    assert.ok(big, "needs the 20 MiB upload of the round-trip test");
    const res = await request(worker, path, { headers: { ...asA(), range: `bytes=${BIG_SIZE}-` } });
    const body = await json(res);
    assert.equal(res.status, 416, JSON.stringify(body));
    assertError(body, "range_not_satisfiable");
    assert.equal(res.headers.get("content-range"), `bytes */${BIG_SIZE}`);
  });

  test("a multi-range request (bytes=0-1,5-6) → 200 with the whole object", async () => {
    await assertWhole({ range: "bytes=0-1,5-6" });
  });

  test("If-Range with a stale ETag → 200 with the whole object; with the current ETag → 206", async () => {
    await assertWhole({ range: "bytes=0-99", "if-range": '"0123456789abcdef0123456789abcdef"' });
    await assertPartial({ range: "bytes=0-99", "if-range": `"${big.etag}"` }, 0, 99);
  });
});

// --- 3/4. size limits and Content-Length ------------------------------------------------------

describe("upload limits: 413 before the body is read, 411 without Content-Length", () => {
  test("Content-Length over ASSET_MAX_BYTES with a body that never ends → 413 at once, nothing stored", async () => {
    // The body delivers 16 bytes and never closes: a Worker that read it before deciding would
    // hang until the abort signal fires. The answer must come from the declared length alone.
    const key = `users/${A}/too-big.bin`;
    const started = Date.now();
    const res = await request(worker, `/assets/${key}`, {
      method: "PUT",
      headers: { ...asA(), "content-type": "application/octet-stream", "content-length": String(MAX_BYTES + 1) },
      body: endlessBody(),
      duplex: "half",
      signal: AbortSignal.timeout(5000),
    });
    const body = await json(res);
    assert.equal(res.status, 413, JSON.stringify(body));
    assertError(body, "payload_too_large");
    assert.equal(body.limit, MAX_BYTES, JSON.stringify(body));
    assert.ok(Date.now() - started < 5000, "the 413 came only after the abort deadline");
    await expectError(worker, `/assets/${key}`, { headers: asA() }, 404, "not_found");
  });

  test("the same as admin on a public key, and on the small worker: 413 at once, nothing stored", async () => {
    for (const [w, limit] of [
      [worker, MAX_BYTES],
      [small, SMALL_MAX],
    ]) {
      const res = await request(w, "/assets/public/endless.bin", {
        method: "PUT",
        headers: { ...asAdmin(), "content-length": String(limit + 1) },
        body: endlessBody(),
        duplex: "half",
        signal: AbortSignal.timeout(5000),
      });
      const body = await json(res);
      assert.equal(res.status, 413, `limit ${limit}: ${JSON.stringify(body)}`);
      assertError(body, "payload_too_large");
      assert.equal(await stored(w, "public/endless.bin"), false);
    }
  });

  test("a real body one byte over ASSET_MAX_BYTES → 413; exactly the limit → 200", async () => {
    const over = `users/${A}/over.bin`;
    const res = await request(small, `/assets/${over}`, { method: "PUT", headers: asA(), body: crypto.randomBytes(SMALL_MAX + 1) });
    const body = await json(res);
    assert.equal(res.status, 413, JSON.stringify(body));
    assertError(body, "payload_too_large");
    assert.equal(body.limit, SMALL_MAX);
    await expectError(small, `/assets/${over}`, { headers: asA() }, 404, "not_found");

    const exact = crypto.randomBytes(SMALL_MAX);
    const answer = await put(small, `users/${A}/exact.bin`, exact, asA(), "video/mp4");
    assert.equal(answer.size, SMALL_MAX);
    const { status, bytes } = await getBytes(small, `/assets/users/${A}/exact.bin`, asA());
    assert.equal(status, 200);
    assert.ok(bytes.equals(exact));
  });

  test("no Content-Length (a chunked, streamed body) → 411 length_required, nothing stored", async () => {
    // fetch sends a ReadableStream body without a declared length as Transfer-Encoding: chunked,
    // so the Worker sees no Content-Length header.
    for (const [who, headers, key] of [
      ["user", asA(), `users/${A}/chunked.bin`],
      ["admin", asAdmin(), "public/chunked.bin"],
    ]) {
      const res = await request(worker, `/assets/${key}`, {
        method: "PUT",
        headers: { ...headers, "content-type": "application/octet-stream" },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new Uint8Array(64));
            controller.close();
          },
        }),
        duplex: "half",
        signal: AbortSignal.timeout(5000),
      });
      const body = await json(res);
      assert.equal(res.status, 411, `${who}: ${JSON.stringify(body)}`);
      assertError(body, "length_required");
      assert.equal(await stored(worker, key), false, `${who}: ${key} was stored`);
    }
  });
});

// --- 5. key validation ----------------------------------------------------------------------

describe("upload content types: users upload allowed types only, admin anything", () => {
  test("415 unsupported_media_type for a type a browser would run, or none; nothing stored", async () => {
    for (const [type, key] of [
      ["text/html", `users/${A}/page.html`],
      ["image/svg+xml", `users/${A}/logo.svg`],
      ["application/octet-stream", `users/${A}/blob.bin`],
      [undefined, `users/${A}/untyped.bin`],
    ]) {
      const headers = type ? { ...asA(), "content-type": type } : asA(); // a Buffer body adds no type
      const body = await expectError(worker, `/assets/${key}`, { method: "PUT", headers, body: Buffer.from("<script>1</script>") }, 415, "unsupported_media_type");
      assert.ok(body.allowed.includes("image/png"), JSON.stringify(body));
      assert.equal(await stored(worker, key), false, key);
    }
  });

  test("allowed types are stored with the type given; admin uploads any type", async () => {
    const answer = await put(worker, `users/${A}/notes.txt`, "hello", asA(), "text/plain; charset=utf-8");
    assert.equal(answer.content_type, "text/plain; charset=utf-8");
    const page = await put(worker, "public/page.html", "<p>hi</p>", asAdmin(), "text/html");
    assert.equal(page.content_type, "text/html");
  });
});

describe("USER_STORAGE_BYTES: a user's uploads fit in their storage, however many run at once", () => {
  const usage = async (user) =>
    Number((await db.sql`select coalesce(sum(bytes), 0)::bigint as used from public.user_uploads where user_id = ${user}`)[0].used);

  test("parallel uploads: exactly what fits is stored, the rest is 413 quota_exceeded", async () => {
    const user = crypto.randomUUID();
    const token = await auth.mint({ alg: "HS256", claims: { sub: user } });
    const headers = { ...bearer(token), "content-type": "image/png" };
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        request(tight, `/assets/users/${user}/${i}.png`, { method: "PUT", headers, body: crypto.randomBytes(300) }).then(
          async (res) => ({ i, status: res.status, body: await json(res) }),
        ),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 413);
    assert.equal(ok.length, 3, JSON.stringify(answers));
    assert.equal(refused.length, 3, JSON.stringify(answers));
    for (const { body } of refused) {
      assertError(body, "quota_exceeded");
      assert.equal(body.limit, QUOTA);
      assert.equal(body.used, 900, JSON.stringify(body)); // three uploads held, stored or not yet
    }
    for (const { i } of refused) assert.equal(await stored(tight, `users/${user}/${i}.png`), false);
    assert.equal(await usage(user), 900);

    // Overwriting a file replaces its size; deleting one frees its room.
    const again = await request(tight, `/assets/users/${user}/${ok[0].i}.png`, { method: "PUT", headers, body: crypto.randomBytes(400) });
    assert.equal(again.status, 200, await again.text());
    assert.equal(await usage(user), 1000);
    const full = await expectError(tight, `/assets/users/${user}/one-more.png`, { method: "PUT", headers, body: Buffer.alloc(1) }, 413, "quota_exceeded");
    assert.equal(full.used, 1000);
    assert.equal((await request(tight, `/assets/users/${user}/${ok[1].i}.png`, { method: "DELETE", headers: bearer(token) })).status, 200);
    assert.equal(await usage(user), 700);
    const fits = await request(tight, `/assets/users/${user}/one-more.png`, { method: "PUT", headers, body: crypto.randomBytes(300) });
    assert.equal(fits.status, 200, await fits.text());
    assert.equal(Number((await db.sql`select count(*)::int as n from public.upload_reservations where user_id = ${user}`)[0].n), 0);
  });

  test("admin uploads into a user's folder count for the user but are never refused", async () => {
    const user = crypto.randomUUID();
    await put(tight, `users/${user}/big.bin`, crypto.randomBytes(QUOTA + 500), asAdmin());
    assert.equal(await usage(user), QUOTA + 500);
    const token = await auth.mint({ alg: "HS256", claims: { sub: user } });
    await expectError(tight, `/assets/users/${user}/x.png`, { method: "PUT", headers: { ...bearer(token), "content-type": "image/png" }, body: Buffer.alloc(1) }, 413, "quota_exceeded");
  });
});

describe("invalid keys → 400 invalid_request", () => {
  // [what, path after /assets/, the key the core decodes]
  const BAD = [
    ["leading slash, encoded", "%2Fleading", "/leading"],
    ["leading slash, literal (empty first segment)", "/leading", "/leading"],
    ["'..' segment in the middle", "a%2F..%2Fb", "a/../b"],
    ["'..' segment first", "..%2Fb", "../b"],
    ["'..' segment last", "a%2F..", "a/.."],
    ["'..' inside a user's folder", `users%2F${A}%2F..%2F${B}%2Fx`, `users/${A}/../${B}/x`],
    ["backslash", "a%5Cb", "a\\b"],
    ["NUL", "a%00b", "a\0b"],
    ["line feed", "a%0Ab", "a\nb"],
    ["unit separator", "a%1Fb", "a\x1fb"],
    ["DEL", "a%7Fb", "a\x7fb"],
    ["1025 bytes", "k".repeat(1025), "k".repeat(1025)],
    ["over 1024 bytes of UTF-8 (513 × 'é' = 1026 bytes)", encodeURIComponent("é".repeat(513)), "é".repeat(513)],
  ];

  test("PUT as admin: every bad key form → 400, nothing stored", async () => {
    for (const [, path] of BAD) {
      await expectError(
        worker,
        `/assets/${path}`,
        { method: "PUT", headers: { ...asAdmin(), "content-type": "text/plain" }, body: "x" },
        400,
        "invalid_request",
      );
    }
    const keys = await allKeys(worker);
    for (const [what, , key] of BAD) assert.ok(!keys.includes(key), `${what}: stored as ${JSON.stringify(key)}`);
  });

  test("GET, HEAD and DELETE as admin, and GET anonymously: every bad key form → 400", async () => {
    for (const [what, path] of BAD) {
      await expectError(worker, `/assets/${path}`, { headers: asAdmin() }, 400, "invalid_request");
      await expectError(worker, `/assets/${path}`, {}, 400, "invalid_request");
      await expectError(worker, `/assets/${path}`, { method: "DELETE", headers: asAdmin() }, 400, "invalid_request");
      const head = await request(worker, `/assets/${path}`, { method: "HEAD", headers: asAdmin() });
      assert.equal(head.status, 400, `HEAD ${what}`);
    }
  });

  test("a user PUT with a bad key inside their own folder → 400", async () => {
    for (const path of [`users/${A}/a%5Cb`, `users/${A}/a%00b`, `users/${A}/..%2Fx`]) {
      await expectError(worker, `/assets/${path}`, { method: "PUT", headers: asA(), body: "x" }, 400, "invalid_request");
    }
  });

  test("a bare '..' key (it cannot travel in a path) → 400 from POST /assets/sign and GET /assets?prefix", async () => {
    for (const key of ["..", "../x", "/x", "a\\b", "a\0b", "k".repeat(1025)]) {
      await expectError(
        worker,
        "/assets/sign",
        { method: "POST", headers: { ...asAdmin(), "content-type": "application/json" }, body: JSON.stringify({ key }) },
        400,
        "invalid_request",
      );
      await expectError(worker, `/assets?prefix=${encodeURIComponent(key)}`, { headers: asAdmin() }, 400, "invalid_request");
    }
  });

  test("exactly 1024 bytes is a valid key", async () => {
    const key = `public/${"k".repeat(1024 - "public/".length)}`;
    assert.equal(Buffer.byteLength(key), 1024);
    await put(worker, key, "edge", asAdmin(), "text/plain");
    const { status, bytes } = await getBytes(worker, `/assets/${key}`);
    assert.equal(status, 200);
    assert.equal(bytes.toString(), "edge");
    const del = await request(worker, `/assets/${key}`, { method: "DELETE", headers: asAdmin() });
    assert.equal(del.status, 200);
  });

  test("dot segments in the path are resolved by the runtime before the Worker: no escape from a folder", async () => {
    // "/assets/users/A/../B/x" reaches the Worker as "/assets/users/B/x": user A gets 403 there.
    for (const dots of ["..", "%2e%2e", "%2E%2E"]) {
      await expectError(
        worker,
        `/assets/users/${A}/${dots}/${B}/escape.txt`,
        { method: "PUT", headers: asA(), body: "x" },
        403,
        "forbidden",
      );
    }
    assert.equal(await stored(worker, `users/${B}/escape.txt`), false);
    // "/assets/.." is "/" by then: no route, nothing stored under "..".
    await expectError(worker, "/assets/..", { method: "PUT", headers: asAdmin(), body: "x" }, 404, "not_found");
    assert.ok(!(await allKeys(worker)).includes(".."));
  });
});

// --- 6. ownership -----------------------------------------------------------------------------

describe("ownership of users/<id>/ keys", () => {
  const A_FILE = `users/${A}/notes.txt`;
  const B_FILE = `users/${B}/secret.txt`;
  const B_TEXT = "B's private bytes\n";

  before(async () => {
    await put(worker, A_FILE, "A's notes\n", asA(), "text/plain");
    await put(worker, B_FILE, B_TEXT, asB(), "text/plain");
  });

  test("user A cannot PUT under users/<B>/ (403), and nothing is written", async () => {
    await expectError(
      worker,
      `/assets/users/${B}/planted.txt`,
      { method: "PUT", headers: { ...asA(), "content-type": "text/plain" }, body: "planted" },
      403,
      "forbidden",
    );
    assert.equal(await stored(worker, `users/${B}/planted.txt`), false);
    // nor overwrite B's existing object
    await expectError(worker, `/assets/${B_FILE}`, { method: "PUT", headers: asA(), body: "overwritten" }, 403, "forbidden");
    const { bytes } = await getBytes(worker, `/assets/${B_FILE}`, asB());
    assert.equal(bytes.toString(), B_TEXT);
  });

  test("user A cannot PUT outside users/ either (public and outputs/ keys are admin-only)", async () => {
    await expectError(worker, "/assets/public/by-a.txt", { method: "PUT", headers: asA(), body: "x" }, 403, "forbidden");
    await expectError(worker, `/assets/outputs/${A}/x.txt`, { method: "PUT", headers: asA(), body: "x" }, 403, "forbidden");
    assert.equal(await stored(worker, "public/by-a.txt"), false);
    assert.equal(await stored(worker, `outputs/${A}/x.txt`), false);
  });

  test("user A cannot GET or HEAD B's key (403); anonymous GET of a private key → 401", async () => {
    await expectError(worker, `/assets/${B_FILE}`, { headers: asA() }, 403, "forbidden");
    const head = await request(worker, `/assets/${B_FILE}`, { method: "HEAD", headers: asA() });
    assert.equal(head.status, 403);
    await expectError(worker, `/assets/${B_FILE}`, {}, 401, "unauthorized");
    await expectError(worker, `/assets/${A_FILE}`, {}, 401, "unauthorized");
    await expectError(worker, `/assets/users/${B}/no-such.txt`, {}, 401, "unauthorized");
  });

  test("anonymous PUT and DELETE → 401", async () => {
    await expectError(worker, `/assets/users/${A}/anon.txt`, { method: "PUT", body: "x" }, 401, "unauthorized");
    await expectError(worker, `/assets/${A_FILE}`, { method: "DELETE" }, 401, "unauthorized");
    assert.equal(await stored(worker, `users/${A}/anon.txt`), false);
    assert.equal(await stored(worker, A_FILE), true);
  });

  test("user A cannot DELETE B's key (403), and it is still there", async () => {
    await expectError(worker, `/assets/${B_FILE}`, { method: "DELETE", headers: asA() }, 403, "forbidden");
    const { status, bytes } = await getBytes(worker, `/assets/${B_FILE}`, asB());
    assert.equal(status, 200);
    assert.equal(bytes.toString(), B_TEXT);
  });

  test("user A lists their own folder and sees their keys only; listing B's folder → 403", async () => {
    const res = await request(worker, "/assets", { headers: asA() });
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.ok, true);
    assert.equal(body.prefix, `users/${A}/`);
    const keys = body.objects.map((o) => o.key);
    assert.ok(keys.includes(A_FILE), `own listing ${JSON.stringify(keys)}`);
    if (big) {
      assert.ok(keys.includes(BIG_KEY), `own listing ${JSON.stringify(keys)}`);
      assert.equal(body.objects.find((o) => o.key === BIG_KEY).size, BIG_SIZE);
    }
    for (const k of keys) assert.ok(k.startsWith(`users/${A}/`), `foreign key ${k} in A's listing`);
    const entry = body.objects.find((o) => o.key === A_FILE);
    assert.equal(entry.size, Buffer.byteLength("A's notes\n"));
    assert.equal(typeof entry.etag, "string");

    const explicit = await request(worker, `/assets?prefix=${encodeURIComponent(`users/${A}/`)}`, { headers: asA() });
    const explicitBody = await json(explicit);
    assert.equal(explicit.status, 200, JSON.stringify(explicitBody));
    assert.ok(explicitBody.objects.some((o) => o.key === A_FILE));

    for (const prefix of [`users/${B}/`, "users/", "", `users/${B}`, "public/"]) {
      await expectError(worker, `/assets?prefix=${encodeURIComponent(prefix)}`, { headers: asA() }, 403, "forbidden");
    }
    await expectError(worker, "/assets", {}, 401, "unauthorized");
  });

  test("admin reads B's key and lists B's folder", async () => {
    const { status, bytes, res } = await getBytes(worker, `/assets/${B_FILE}`, asAdmin());
    assert.equal(status, 200);
    assert.equal(bytes.toString(), B_TEXT);
    assert.equal(res.headers.get("content-type"), "text/plain");
    const list = await request(worker, `/assets?prefix=${encodeURIComponent(`users/${B}/`)}`, { headers: asAdmin() });
    const body = await json(list);
    assert.equal(list.status, 200, JSON.stringify(body));
    assert.deepEqual(
      body.objects.map((o) => o.key),
      [B_FILE],
    );
  });

  test("DELETE by the owner → 200, then GET → 404 not_found", async () => {
    const key = `users/${A}/to-delete.txt`;
    await put(worker, key, "bye", asA(), "text/plain");
    const res = await request(worker, `/assets/${key}`, { method: "DELETE", headers: asA() });
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.ok, true);
    assert.equal(body.key, key);
    await expectError(worker, `/assets/${key}`, { headers: asA() }, 404, "not_found");
    assert.equal(await stored(worker, key), false);
    const list = await json(await request(worker, "/assets", { headers: asA() }));
    assert.ok(!list.objects.some((o) => o.key === key), "the deleted key is still listed");
  });
});

// --- 7. signed URLs ---------------------------------------------------------------------------

describe("signed URLs (POST /assets/sign)", () => {
  const KEY = `users/${A}/signed.txt`;
  const OTHER = `users/${A}/other.txt`;
  const TEXT = "readable through a signed link\n";

  before(async () => {
    await put(worker, KEY, TEXT, asA(), "text/plain");
    await put(worker, OTHER, "another of A's files\n", asA(), "text/plain");
  });

  async function sign(headers, body) {
    return request(worker, "/assets/sign", {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  /** Signs as A and returns {url: URL, expiresAt: Date, path: path+query}. */
  async function signOk(key, expiresIn) {
    const before = Date.now();
    const res = await sign(asA(), { key, expires_in: expiresIn });
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.ok, true);
    const url = new URL(body.url);
    assert.equal(url.origin, new URL(worker.url).origin, `the link's base is the request origin: ${body.url}`);
    assert.equal(url.pathname, `/assets/${key}`);
    assert.match(url.searchParams.get("expires") ?? "", /^[1-9][0-9]*$/);
    assert.ok(url.searchParams.get("sig"), body.url);
    const expiresAt = new Date(body.expires_at);
    assert.ok(!Number.isNaN(expiresAt.getTime()), `expires_at ${body.expires_at}`);
    assert.equal(expiresAt.getTime() / 1000, Number(url.searchParams.get("expires")), "expires_at matches the link");
    const delta = expiresAt.getTime() - before;
    assert.ok(delta > (expiresIn - 2) * 1000 && delta <= (expiresIn + 1) * 1000, `expires_at ${body.expires_at} is not now+${expiresIn}s`);
    return { url, expiresAt, path: url.pathname + url.search };
  }

  function withParam(url, name, value) {
    const u = new URL(url);
    u.searchParams.set(name, value);
    return u.pathname + u.search;
  }

  test("A signs their own key; an anonymous GET of the link returns the bytes", async () => {
    const { path } = await signOk(KEY, 60);
    const { res, status, bytes } = await getBytes(worker, path);
    assert.equal(status, 200);
    assert.equal(bytes.toString(), TEXT);
    assert.equal(res.headers.get("content-type"), "text/plain");
    // and a Range read through the same link
    const part = await getBytes(worker, path, { range: "bytes=0-7" });
    assert.equal(part.status, 206);
    assert.equal(part.bytes.toString(), TEXT.slice(0, 8));
  });

  test("altering the key, the expiry or one character of sig → 403 forbidden", async () => {
    const { url } = await signOk(KEY, 60);
    const expires = url.searchParams.get("expires");
    const sig = url.searchParams.get("sig");
    const flip = (c) => (c === "A" ? "B" : "A");
    const tampered = {
      "another existing key": `/assets/${OTHER}${url.search}`,
      "a missing key": `/assets/users/${A}/missing.txt${url.search}`,
      "expires + 1": withParam(url, "expires", String(Number(expires) + 1)),
      "expires - 1": withParam(url, "expires", String(Number(expires) - 1)),
      "expires with a leading zero": withParam(url, "expires", `0${expires}`),
      "first character of sig": withParam(url, "sig", flip(sig[0]) + sig.slice(1)),
      "middle character of sig": withParam(url, "sig", sig.slice(0, 20) + flip(sig[20]) + sig.slice(21)),
      "last character of sig": withParam(url, "sig", sig.slice(0, -1) + flip(sig.at(-1))),
      "sig truncated": withParam(url, "sig", sig.slice(0, -1)),
      "sig empty": withParam(url, "sig", ""),
      "no sig": `/assets/${KEY}?expires=${expires}`,
      "no expires": `/assets/${KEY}?sig=${encodeURIComponent(sig)}`,
    };
    for (const [what, path] of Object.entries(tampered)) {
      const body = await expectError(worker, path, {}, 403, "forbidden").catch((err) => {
        err.message = `${what}: ${err.message}`;
        throw err;
      });
      assert.doesNotMatch(body.message, /expired/i, `${what}: a tampered link must not say whether it expired`);
    }
  });

  test("a signed link is for reading only: PUT and DELETE with it still need credentials", async () => {
    const { path } = await signOk(KEY, 60);
    await expectError(worker, path, { method: "PUT", body: "overwritten" }, 401, "unauthorized");
    await expectError(worker, path, { method: "DELETE" }, 401, "unauthorized");
    const { bytes } = await getBytes(worker, `/assets/${KEY}`, asA());
    assert.equal(bytes.toString(), TEXT);
  });

  test("a 2 s link works at once and answers 403 'expired' once past its expiry", async () => {
    const { path, expiresAt } = await signOk(KEY, 2);
    const first = await getBytes(worker, path);
    assert.equal(first.status, 200, "the fresh link should work");
    assert.equal(first.bytes.toString(), TEXT);

    const wait = expiresAt.getTime() + 300 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const body = await expectError(worker, path, {}, 403, "forbidden");
    assert.match(body.message, /expired/i);
  });

  test("signing B's key as A → 403; anonymous signing → 401; admin may sign B's key", async () => {
    const bKey = `users/${B}/signed-by-b.txt`;
    await put(worker, bKey, "B", asB(), "text/plain");
    const asAres = await sign(asA(), { key: bKey, expires_in: 60 });
    const asAbody = await json(asAres);
    assert.equal(asAres.status, 403, JSON.stringify(asAbody));
    assertError(asAbody, "forbidden");
    assert.equal(asAbody.url, undefined);

    const anon = await sign({}, { key: KEY, expires_in: 60 });
    const anonBody = await json(anon);
    assert.equal(anon.status, 401, JSON.stringify(anonBody));
    assertError(anonBody, "unauthorized");

    const admin = await sign(asAdmin(), { key: bKey, expires_in: 60 });
    const adminBody = await json(admin);
    assert.equal(admin.status, 200, JSON.stringify(adminBody));
    const u = new URL(adminBody.url);
    const { status, bytes } = await getBytes(worker, u.pathname + u.search);
    assert.equal(status, 200);
    assert.equal(bytes.toString(), "B");
  });

  test("expires_in outside 1..604800 → 400 invalid_request", async () => {
    for (const expires_in of [0, -1, 604801, 1.5, "60"]) {
      const res = await sign(asA(), { key: KEY, expires_in });
      const body = await json(res);
      assert.equal(res.status, 400, `expires_in ${JSON.stringify(expires_in)}: ${JSON.stringify(body)}`);
      assertError(body, "invalid_request");
    }
  });
});
