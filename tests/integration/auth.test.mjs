// Supabase access tokens checked by the Worker itself: GET /me through the real Worker (wasm core
// in workerd) against a stand-in Supabase Auth that signs ES256/RS256/HS256 tokens and serves
// its JWKS and /auth/v1/user (harness/supabase-auth.mjs).
//
// Configuration under test (shared/API.md `GET /me`, PROTOCOLS.md "Supabase Auth access tokens"):
//   SUPABASE_URL          JWKS at <url>/auth/v1/.well-known/jwks.json; iss must be <url>/auth/v1;
//                         aud "authenticated"; 30 s leeway on exp/nbf
//   SUPABASE_JWT_SECRET   the legacy HS256 secret (its bytes are the HMAC key)
//   SUPABASE_SERVICE_ROLE the apikey for GET <url>/auth/v1/user, used only for HS256 tokens when
//                         there is no SUPABASE_JWT_SECRET
//   none of them          501 {"ok":true,"provider":"noop","message":"supabase_not_configured"}
// Keys are cached per isolate (10 min); an unknown kid refetches the JWKS, at most once per 30 s.
//
// Three workers: `local` (URL + JWT secret), `remote` (URL + service role: ES256/RS256 verified
// locally, HS256 through /auth/v1/user), `noop` (nothing). `local` and `remote` share a test
// database: GET /me also answers the user's credit balance. Tests in this file run in order and
// some rely on it: the `remote` worker is untouched until its JWKS-counting test (a cold key
// cache), and auth.rotate() runs after every test that mints with the original ES256 key.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { SignJWT } from "jose";
import { createTestDatabase } from "./harness/postgres.mjs";
import { startWorker } from "./harness/worker.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";

const HS_SECRET = "test-legacy-jwt-secret-with-at-least-32-characters";
const SERVICE_ROLE = "test-service-role-key-for-auth-tests";

let auth;
let db;
let local; // SUPABASE_URL + SUPABASE_JWT_SECRET
let remote; // SUPABASE_URL + SUPABASE_SERVICE_ROLE
let noop; // no Supabase configuration

before(async () => {
  [auth, db] = await Promise.all([
    startSupabaseAuth({ hsSecret: HS_SECRET, serviceRole: SERVICE_ROLE }),
    createTestDatabase(),
  ]);
  [local, remote, noop] = await Promise.all([
    startWorker({ db: db.url, vars: { SUPABASE_URL: auth.url, SUPABASE_JWT_SECRET: HS_SECRET } }),
    startWorker({ db: db.url, vars: { SUPABASE_URL: auth.url, SUPABASE_SERVICE_ROLE: SERVICE_ROLE } }),
    startWorker({ db: null, vars: {} }),
  ]);
});

after(async () => {
  await Promise.allSettled([local?.stop(), remote?.stop(), noop?.stop()]);
  await auth?.close();
  await db?.drop();
});

// --- helpers -------------------------------------------------------------------------------

const b64url = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
const decodeSegment = (s) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));

/** GET /me with a bearer token (or exact headers when `token` is an object). */
async function me(worker, token) {
  const headers = typeof token === "string" ? { authorization: `Bearer ${token}` } : (token ?? {});
  const res = await worker.fetch("/me", { headers });
  assert.ok(res.headers.get("x-request-id"), "GET /me: no x-request-id header");
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    assert.fail(`expected a JSON body, got ${res.status} ${JSON.stringify(text.slice(0, 200))}`);
  }
  return { status: res.status, body };
}

/** 200 with the user the token names. */
async function assertAccepted(worker, token, { sub = auth.user.id, email = auth.user.email } = {}) {
  const { status, body } = await me(worker, token);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.ok, true, JSON.stringify(body));
  assert.equal(body.user?.id, sub, JSON.stringify(body));
  assert.equal(body.user?.email, email, JSON.stringify(body));
  assert.ok(Number.isInteger(body.credits?.balance), JSON.stringify(body));
  return body;
}

/** 401 {"ok":false,"error":"unauthorized","message"} whose text does not echo the token. */
async function assertRejected(worker, token, what = "") {
  const { status, body } = await me(worker, token);
  const dump = JSON.stringify(body);
  assert.equal(status, 401, `${what} ${dump}`);
  assert.equal(body.ok, false, `${what} ${dump}`);
  assert.equal(body.error, "unauthorized", `${what} ${dump}`);
  assert.equal(typeof body.message, "string", `${what} ${dump}`);
  const raw = typeof token === "string" ? token : (token?.authorization ?? "");
  if (raw) {
    assert.ok(!dump.includes(raw), `${what}: the response echoes the token`);
    const sig = raw.split(".")[2];
    if (sig && sig.length >= 16) assert.ok(!dump.includes(sig), `${what}: the response echoes the signature`);
  }
  return body;
}

/** Counts what `fn` makes the stand-in see: JWKS fetches and /auth/v1/user calls. */
async function counting(fn) {
  const jwks = auth.jwksRequests();
  const user = auth.userRequests();
  await fn();
  return { jwks: auth.jwksRequests() - jwks, user: auth.userRequests() - user };
}

// --- accepted tokens (local verification) ----------------------------------------------------

describe("valid tokens are verified locally", () => {
  for (const alg of ["HS256", "ES256", "RS256"]) {
    test(`a valid ${alg} token is accepted: user.id is sub, email matches`, async () => {
      const sub = crypto.randomUUID();
      const email = `${alg.toLowerCase()}@example.com`;
      const token = await auth.mint({ alg, claims: { sub, email } });
      const seen = await counting(() => assertAccepted(local, token, { sub, email }));
      assert.equal(seen.user, 0, "the Worker asked /auth/v1/user although it can verify locally");
    });
  }

  test("exp 10 s ago and nbf 10 s ahead are accepted within the 30 s leeway", async () => {
    await assertAccepted(local, await auth.mint({ alg: "HS256", expiresIn: -10, claims: { iat: Math.floor(Date.now() / 1000) - 3610 } }));
    await assertAccepted(local, await auth.mint({ alg: "ES256", notBefore: 10 }));
  });
});

// --- rejected tokens ------------------------------------------------------------------------

describe("rejected tokens answer 401 unauthorized", () => {
  test("alg none (unsigned) is rejected", async () => {
    const valid = await auth.mint({ alg: "HS256" });
    const payload = valid.split(".")[1];
    await assertRejected(local, `${b64url({ alg: "none", typ: "JWT" })}.${payload}.`, "alg none");
    // also with the kid of a real key, and spelled "None"
    await assertRejected(local, `${b64url({ alg: "none", typ: "JWT", kid: auth.key("ES256").kid })}.${payload}.`, "alg none + kid");
    await assertRejected(local, `${b64url({ alg: "None", typ: "JWT" })}.${payload}.`, "alg None");
  });

  test("HS256 signed with a public key as JWK JSON text (kid = the real kid) is rejected", async () => {
    for (const alg of ["ES256", "RS256"]) {
      const k = auth.key(alg);
      const token = await auth.mint({ alg: "HS256", kid: k.kid, key: JSON.stringify(k.publicJwk) });
      await assertRejected(local, token, `${alg} JWK as HMAC key`);
    }
  });

  test("HS256 signed with a public key as PEM/SPKI (kid = the real kid) is rejected", async () => {
    for (const alg of ["ES256", "RS256"]) {
      const k = auth.key(alg);
      for (const pem of [k.publicPem.trimEnd(), `${k.publicPem.trimEnd()}\n`]) {
        const token = await auth.mint({ alg: "HS256", kid: k.kid, key: pem });
        await assertRejected(local, token, `${alg} PEM as HMAC key`);
      }
    }
  });

  test("an expired token (exp 2 minutes ago, beyond the leeway) is rejected", async () => {
    const iat = Math.floor(Date.now() / 1000) - 3720;
    await assertRejected(local, await auth.mint({ alg: "ES256", expiresIn: -120, claims: { iat } }), "ES256");
    await assertRejected(local, await auth.mint({ alg: "HS256", expiresIn: -120, claims: { iat } }), "HS256");
  });

  test("a token not yet valid (nbf 2 minutes ahead) is rejected", async () => {
    await assertRejected(local, await auth.mint({ alg: "ES256", notBefore: 120 }), "ES256");
    await assertRejected(local, await auth.mint({ alg: "HS256", notBefore: 120 }), "HS256");
  });

  test("a wrong audience is rejected", async () => {
    await assertRejected(local, await auth.mint({ alg: "ES256", audience: "not-authenticated" }), "ES256");
    await assertRejected(local, await auth.mint({ alg: "HS256", audience: "anon" }), "HS256");
    await assertRejected(local, await auth.mint({ alg: "ES256", claims: { aud: undefined } }), "no aud");
  });

  test("a wrong issuer is rejected", async () => {
    await assertRejected(local, await auth.mint({ alg: "ES256", issuer: "https://other-project.supabase.co/auth/v1" }), "ES256");
    await assertRejected(local, await auth.mint({ alg: "HS256", issuer: `${auth.url}/auth/v2` }), "HS256");
    await assertRejected(local, await auth.mint({ alg: "ES256", claims: { iss: undefined } }), "no iss");
  });

  test("the project's anon and service_role API keys (HS256, same secret, no sub/aud) are not user tokens", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const role of ["anon", "service_role"]) {
      const key = await new SignJWT({ iss: "supabase", ref: "abcdefghijklmnopqrst", role, iat: now, exp: now + 10 * 365 * 86400 })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .sign(new TextEncoder().encode(HS_SECRET));
      await assertRejected(local, key, role);
    }
  });

  test("a tampered payload (sub changed, signature kept) is rejected", async () => {
    for (const alg of ["ES256", "RS256", "HS256"]) {
      const [h, p, s] = (await auth.mint({ alg })).split(".");
      const claims = decodeSegment(p);
      claims.sub = crypto.randomUUID();
      await assertRejected(local, `${h}.${b64url(claims)}.${s}`, alg);
    }
  });

  test("bad base64url: a '*' inside the signature segment is rejected", async () => {
    for (const alg of ["ES256", "HS256"]) {
      const [h, p, s] = (await auth.mint({ alg })).split(".");
      const i = Math.floor(s.length / 2);
      await assertRejected(local, `${h}.${p}.${s.slice(0, i)}*${s.slice(i + 1)}`, alg);
    }
  });

  test("bad base64url: '=' padding on an otherwise valid signature is rejected", async () => {
    for (const alg of ["ES256", "RS256", "HS256"]) {
      const [h, p, s] = (await auth.mint({ alg })).split(".");
      assert.notEqual(s.length % 4, 0, "the signature needs padding for this test");
      await assertRejected(local, `${h}.${p}.${s}${"=".repeat(4 - (s.length % 4))}`, alg);
    }
  });

  test("an unknown kid is rejected and refetches the JWKS at most once", async () => {
    const seen = await counting(async () => {
      for (let i = 0; i < 3; i++) await assertRejected(local, await auth.mint({ alg: "ES256", kid: crypto.randomUUID() }), `try ${i}`);
    });
    assert.ok(seen.jwks <= 1, `${seen.jwks} JWKS fetches for 3 unknown kids within 30 s`);
  });

  test("an oversized token (> 8 KB, validly signed) is rejected", async () => {
    const token = await auth.mint({ alg: "ES256", claims: { user_metadata: { bio: "x".repeat(9000) } } });
    assert.ok(token.length > 8 * 1024, `token is only ${token.length} bytes`);
    await assertRejected(local, token, "ES256");
  });

  test("a token without sub is rejected", async () => {
    await assertRejected(local, await auth.mint({ alg: "ES256", claims: { sub: undefined } }), "ES256");
    await assertRejected(local, await auth.mint({ alg: "HS256", claims: { sub: undefined } }), "HS256");
    await assertRejected(local, await auth.mint({ alg: "ES256", claims: { sub: "" } }), "empty sub");
  });

  test("a token whose sub is not a lower-case UUID is rejected, by /me and by /assets alike", async () => {
    const id = crypto.randomUUID();
    for (const sub of ["a/b", "not-a-uuid", id.toUpperCase()]) {
      const token = await auth.mint({ alg: "HS256", claims: { sub } });
      await assertRejected(local, token, sub);
      const put = await local.fetch(`/assets/users/${sub}/x.txt`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
        body: "x",
      });
      assert.equal(put.status, 401, `PUT as ${sub}: ${await put.text()}`);
    }
  });

  test("a request without an Authorization header is rejected", async () => {
    await assertRejected(local, {}, "no header");
    await assertRejected(local, { authorization: "" }, "empty header");
    await assertRejected(local, { authorization: "Bearer " }, "empty bearer");
  });

  test("a non-Bearer scheme is rejected even with a valid token", async () => {
    const valid = await auth.mint({ alg: "ES256" });
    await assertRejected(local, { authorization: `Basic ${Buffer.from("user:pass").toString("base64")}` }, "Basic");
    await assertRejected(local, { authorization: `Token ${valid}` }, "Token");
    await assertRejected(local, { authorization: valid }, "no scheme");
  });
});

// --- key cache, rotation, remote fallback ----------------------------------------------------

describe("the JWKS cache and the remote fallback (remote worker: URL + service role)", () => {
  // First use of the `remote` worker: its key cache is cold.
  test("the JWKS is fetched once across several requests, and ES256 never goes to /auth/v1/user", async () => {
    const seen = await counting(async () => {
      for (let i = 0; i < 3; i++) await assertAccepted(remote, await auth.mint({ alg: "ES256" }));
    });
    assert.equal(seen.jwks, 1, `JWKS fetched ${seen.jwks} times for 3 ES256 requests`);
    assert.equal(seen.user, 0, "ES256 tokens went to /auth/v1/user although the JWKS verifies them");
  });

  // The refetch budget (one per 30 s) is for unknown kids: the cold fetch above does not use it.
  test("after key rotation a token signed by the new key is accepted on the first try", async () => {
    const kid = await auth.rotate();
    const token = await auth.mint({ alg: "ES256" });
    assert.equal(JSON.parse(Buffer.from(token.split(".")[0], "base64url")).kid, kid);
    const seen = await counting(() => assertAccepted(remote, token));
    assert.equal(seen.jwks, 1, "the unknown kid should refetch the JWKS exactly once");
    assert.equal(seen.user, 0);

    // the budget is spent now: further unknown kids are refused without another fetch,
    // while the cached keys (old and new) keep working
    const again = await counting(async () => {
      await assertRejected(remote, await auth.mint({ alg: "ES256", kid: crypto.randomUUID() }), "unknown kid");
      await assertAccepted(remote, await auth.mint({ alg: "ES256" }));
      await assertAccepted(remote, await auth.mint({ alg: "RS256" }));
    });
    assert.equal(again.jwks, 0, "unknown kids refetched the JWKS more than once in 30 s");
  });

  test("remote fallback: an HS256 token without SUPABASE_JWT_SECRET is checked by GET /auth/v1/user with the apikey", async () => {
    const sub = crypto.randomUUID();
    const token = await auth.mint({ alg: "HS256", claims: { sub, email: "remote@example.com" } });
    const from = auth.requests.length;
    await assertAccepted(remote, token, { sub, email: "remote@example.com" });
    const calls = auth.requests.slice(from).filter((r) => r.path === "/auth/v1/user");
    assert.equal(calls.length, 1, "expected exactly one /auth/v1/user call");
    assert.equal(calls[0].method, "GET");
    assert.equal(calls[0].headers.apikey, SERVICE_ROLE);
    assert.equal(calls[0].headers.authorization, `Bearer ${token}`);
  });

  test("remote fallback: a token Supabase rejects is 401", async () => {
    const forged = await auth.mint({ alg: "HS256", key: "not-the-project-secret-not-the-project-secret" });
    await assertRejected(remote, forged, "wrong secret");
    await assertRejected(remote, await auth.mint({ alg: "HS256", expiresIn: -120 }), "expired");
  });

  test("remote worker: HS256 signed with a public key (kid = the real kid) is rejected", async () => {
    for (const alg of ["ES256", "RS256"]) {
      const k = auth.key(alg);
      for (const key of [JSON.stringify(k.publicJwk), k.publicPem]) {
        await assertRejected(remote, await auth.mint({ alg: "HS256", kid: k.kid, key }), `${alg} public key as HMAC key`);
      }
    }
  });
});

describe("not configured", () => {
  test("without any Supabase configuration GET /me is the documented noop 501", async () => {
    const token = await auth.mint({ alg: "ES256" });
    for (const headers of [{ authorization: `Bearer ${token}` }, {}]) {
      const { status, body } = await me(noop, headers);
      assert.equal(status, 501, JSON.stringify(body));
      assert.deepEqual(body, { ok: true, provider: "noop", message: "supabase_not_configured" });
    }
  });
});
