// A stand-in for Supabase Auth (GoTrue behind the API gateway) on a loopback port: it signs
// access tokens like a Supabase project does and serves the two endpoints the Worker uses.
//
//   const auth = await startSupabaseAuth({ hsSecret: "legacy-secret" });
//   auth.url       // "http://127.0.0.1:PORT": the SUPABASE_URL
//   auth.issuer    // `${auth.url}/auth/v1`: the `iss` of every token it mints
//   const token = await auth.mint();                            // ES256, Supabase-like claims
//   await auth.mint({ alg: "RS256" }); await auth.mint({ alg: "HS256" });
//   await auth.mint({ claims: { sub: undefined } });            // undefined removes a claim
//   await auth.mint({ expiresIn: -120, notBefore: 60, audience: "x", issuer: "y", kid: "z" });
//   const kid = await auth.rotate();   // a new ES256 key in the JWKS, used by mint from now on
//   auth.requests  // every request seen: [{method, path, headers, ...}] (loopback-server.mjs)
//   auth.jwksRequests()  // how many times the JWKS was fetched
//   await auth.close();
//
// Endpoints:
//   GET /auth/v1/.well-known/jwks.json   the public keys (ES256, RS256; never private members
//                                        nor the HS256 secret), `cache-control: max-age=600`
//   GET /auth/v1/user                    like Supabase: needs an `apikey` header (one of
//                                        serviceRole/anonKey) and `Authorization: Bearer <jwt>`;
//                                        verifies the token against its own keys/secret, issuer and
//                                        audience and answers the user object built from the claims
//
// Rejections mirror the real services: no/unknown apikey → 401 {"message":...} (the gateway);
// no bearer → 401 {"code":401,"error_code":"no_authorization",...}; a token that fails
// verification → `badJwtStatus` {"code","error_code":"bad_jwt","msg"}. GoTrue answers 403 there
// (apierrors.NewForbiddenError(ErrorCodeBadJWT, ...) in supabase/auth internal/api/auth.go), so
// 403 is the default; pass badJwtStatus: 401 to see the other common answer.

import crypto from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { accessClaims, JWKS_PATH, makeKey, USER_PATH, userFromClaims } from "../../../scripts/local-auth/tokens.mjs";
import { startLoopbackServer } from "./loopback-server.mjs";

export { JWKS_PATH, USER_PATH };

const enc = new TextEncoder();

/**
 * Starts the stand-in.
 * @param {object} [o]
 * @param {string} [o.hsSecret]     the legacy HS256 JWT secret (its UTF-8 bytes are the HMAC key)
 * @param {string} [o.serviceRole]  an accepted `apikey` (the service_role key)
 * @param {string} [o.anonKey]      another accepted `apikey`
 * @param {number} [o.badJwtStatus] status for tokens that fail verification (default 403, as GoTrue)
 * @param {{id?: string, email?: string}} [o.user]  the default subject of minted tokens
 */
export async function startSupabaseAuth({
  hsSecret = "super-secret-jwt-token-with-at-least-32-characters-long",
  serviceRole = "test-service-role-key",
  anonKey = "test-anon-key",
  badJwtStatus = 403,
  user = {},
} = {}) {
  const keys = [await makeKey("ES256"), await makeKey("RS256")];
  const defaultUser = { id: user.id ?? crypto.randomUUID(), email: user.email ?? "user@example.com" };
  let issuer; // known once the server listens

  const latest = (alg) => [...keys].reverse().find((k) => k.alg === alg);

  /** GoTrue's key choice: a known kid picks its key; otherwise HS256 uses the shared secret. */
  async function resolveKey(header) {
    const byKid = header.kid !== undefined ? keys.find((k) => k.kid === header.kid) : undefined;
    if (byKid) {
      if (byKid.alg !== header.alg) throw new Error(`kid ${header.kid} is not an ${header.alg} key`);
      return byKid.publicKey;
    }
    if (header.alg === "HS256") return enc.encode(hsSecret);
    throw new Error(`unrecognized JWT kid ${header.kid} for algorithm ${header.alg}`);
  }

  const badJwt = (msg) => ({ status: badJwtStatus, body: { code: badJwtStatus, error_code: "bad_jwt", msg } });

  async function getUser(req) {
    const apikey = req.headers.apikey;
    if (!apikey) {
      return { status: 401, body: { message: "No API key found in request", hint: "No `apikey` request header or url param was found." } };
    }
    if (apikey !== serviceRole && apikey !== anonKey) {
      return { status: 401, body: { message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." } };
    }
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!m) {
      return { status: 401, body: { code: 401, error_code: "no_authorization", msg: "This endpoint requires a valid Bearer token" } };
    }
    let claims;
    try {
      ({ payload: claims } = await jwtVerify(m[1], resolveKey, {
        algorithms: ["ES256", "RS256", "HS256"],
        issuer,
        audience: "authenticated",
      }));
    } catch (err) {
      return badJwt(`invalid JWT: unable to parse or verify signature, ${err.message}`);
    }
    if (typeof claims.sub !== "string" || claims.sub === "") return badJwt("invalid claim: missing sub claim");
    return { status: 200, body: userFromClaims(claims) };
  }

  const server = await startLoopbackServer({
    [`GET ${JWKS_PATH}`]: () => ({
      status: 200,
      headers: { "cache-control": "public, max-age=600" },
      body: { keys: keys.map((k) => k.publicJwk) },
    }),
    [`GET ${USER_PATH}`]: getUser,
  });
  issuer = `${server.url}/auth/v1`;

  /**
   * A signed compact JWT with a Supabase access token's claims.
   * @param {object} [o]
   * @param {"ES256"|"RS256"|"HS256"} [o.alg]
   * @param {object} [o.claims]     merged over the defaults; a claim set to undefined is removed
   * @param {string} [o.kid]        header kid (default: the signing key's; none for HS256)
   * @param {number} [o.expiresIn]  exp = now + this many seconds (default 3600; negative = past)
   * @param {number} [o.notBefore]  nbf = now + this many seconds (default: no nbf claim)
   * @param {string} [o.issuer]     iss (default auth.issuer)
   * @param {string|string[]} [o.audience]  aud (default "authenticated")
   * @param {CryptoKey|Uint8Array|string} [o.key]  the signing key (a string or bytes: the HMAC key)
   */
  async function mint({ alg = "ES256", claims = {}, kid, expiresIn = 3600, notBefore, issuer: iss = issuer, audience = "authenticated", key } = {}) {
    const now = Math.floor(Date.now() / 1000);
    const email = claims.email ?? defaultUser.email;
    const user = { ...defaultUser, user_metadata: { email, email_verified: true, phone_verified: false } };
    const payload = {
      ...accessClaims({ issuer: iss, user, now, expiresIn }),
      aud: audience,
      ...(notBefore !== undefined ? { nbf: now + notBefore } : {}),
      ...claims,
    };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];

    let signingKey = key;
    let headerKid = kid;
    if (alg === "HS256") {
      signingKey = typeof key === "string" ? enc.encode(key) : (key ?? enc.encode(hsSecret));
    } else if (signingKey === undefined) {
      const k = latest(alg);
      if (!k) throw new Error(`no ${alg} key`);
      signingKey = k.privateKey;
      headerKid ??= k.kid;
    }
    const header = { alg, typ: "JWT", ...(headerKid !== undefined ? { kid: headerKid } : {}) };
    return new SignJWT(payload).setProtectedHeader(header).sign(signingKey);
  }

  return {
    url: server.url,
    issuer,
    requests: server.requests,
    /** The signing keys, newest last: {kid, alg, publicKey, privateKey, publicJwk, publicPem}. */
    keys,
    /** The subject and email minted tokens carry unless overridden. */
    user: defaultUser,
    hsSecret,
    serviceRole,
    anonKey,
    jwksUrl: `${server.url}${JWKS_PATH}`,
    /** The JWKS document as served. */
    jwks() {
      return { keys: keys.map((k) => k.publicJwk) };
    },
    /** The newest key of an algorithm. */
    key(alg = "ES256") {
      return latest(alg);
    },
    /** How many GET requests the JWKS endpoint has answered. */
    jwksRequests() {
      return server.requests.filter((r) => r.path === JWKS_PATH).length;
    },
    /** How many requests reached GET /auth/v1/user. */
    userRequests() {
      return server.requests.filter((r) => r.path === USER_PATH).length;
    },
    mint,
    /** Adds a fresh ES256 (or RS256) key to the JWKS; mint signs with it from now on. Returns its kid. */
    async rotate(alg = "ES256") {
      const k = await makeKey(alg);
      keys.push(k);
      return k.kid;
    },
    close: () => server.close(),
  };
}
