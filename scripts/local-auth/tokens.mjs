// What a Supabase project's Auth signs and publishes, shared by the local stand-in of
// scripts/dev (server.mjs) and the integration tests' stand-in
// (tests/integration/harness/supabase-auth.mjs): signing keys, their JWKS entries, the claims
// of an access token, and the user object GoTrue answers.

import crypto from "node:crypto";
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from "jose";

export const JWKS_PATH = "/auth/v1/.well-known/jwks.json";
export const USER_PATH = "/auth/v1/user";

/** A public JWK as Supabase publishes it: kid, alg, use "sig", key_ops ["verify"]. */
export function publish(jwk, kid, alg) {
  const out = { ...jwk, kid, alg, use: "sig", key_ops: ["verify"], ext: true };
  for (const k of ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]) delete out[k];
  return out;
}

async function describeKey(kid, alg, publicKey, privateKey) {
  const publicJwk = publish(await exportJWK(publicKey), kid, alg);
  return { kid, alg, publicKey, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

/** A fresh signing key: {kid, alg, publicKey, privateKey, publicJwk, publicPem}. */
export async function makeKey(alg = "ES256") {
  const options = { extractable: true, ...(alg === "RS256" ? { modulusLength: 2048 } : {}) };
  const { publicKey, privateKey } = await generateKeyPair(alg, options);
  return describeKey(crypto.randomUUID(), alg, publicKey, privateKey);
}

/** The private JWK that restores `key` with loadKey (for a stand-in that keeps its keys). */
export async function saveKey(key) {
  return { ...(await exportJWK(key.privateKey)), kid: key.kid, alg: key.alg };
}

export async function loadKey(privateJwk) {
  const { kid, alg } = privateJwk;
  const privateKey = await importJWK(privateJwk, alg, { extractable: true });
  const { d, p, q, dp, dq, qi, ...pub } = privateJwk;
  const publicKey = await importJWK(pub, alg, { extractable: true });
  return describeKey(kid, alg, publicKey, privateKey);
}

/**
 * The claims of a Supabase access token for `user` ({id, email, user_metadata?}), issued by
 * `issuer` (`<SUPABASE_URL>/auth/v1`) at `now` (seconds) for `expiresIn` seconds.
 */
export function accessClaims({ issuer, user, now = Math.floor(Date.now() / 1000), expiresIn = 3600, sessionId = crypto.randomUUID() }) {
  return {
    iss: issuer,
    aud: "authenticated",
    sub: user.id,
    email: user.email,
    phone: "",
    role: "authenticated",
    session_id: sessionId,
    iat: now,
    exp: now + expiresIn,
    aal: "aal1",
    amr: [{ method: "password", timestamp: now }],
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: user.user_metadata ?? { email: user.email, email_verified: true, phone_verified: false },
    is_anonymous: false,
  };
}

/** Signs `payload` as a compact JWT with `key` (a makeKey result): header alg, typ, kid. */
export function sign(payload, key) {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, typ: "JWT", kid: key.kid }).sign(key.privateKey);
}

/** The user object GoTrue's GET /user answers, built from verified claims. */
export function userFromClaims(c, { createdAt, lastSignInAt } = {}) {
  const now = new Date().toISOString();
  return {
    id: c.sub,
    aud: c.aud,
    role: c.role ?? "",
    email: c.email ?? "",
    email_confirmed_at: c.email ? (createdAt ?? now) : null,
    phone: c.phone ?? "",
    confirmed_at: createdAt ?? now,
    last_sign_in_at: lastSignInAt ?? now,
    app_metadata: c.app_metadata ?? {},
    user_metadata: c.user_metadata ?? {},
    identities: [],
    created_at: createdAt ?? now,
    updated_at: now,
    is_anonymous: c.is_anonymous ?? false,
  };
}
