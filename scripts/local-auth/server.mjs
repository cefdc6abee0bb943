#!/usr/bin/env node
// The local Supabase Auth: a development stand-in, on loopback, for the part of GoTrue (behind
// Supabase's API gateway) that `@supabase/supabase-js` and the Worker use, so that the console
// signs in locally with the same code as in production. scripts/dev starts it when
// SUPABASE_URL points at a free loopback port (.dev.vars.example does). Users, sessions and the
// signing key persist in one JSON file (--data; scripts/dev: $DEV_DATA_DIR/local-auth.json).
//
//   node scripts/local-auth/server.mjs [--port N] [--data FILE] [--anon-key K] [--service-role K]
//       [--user ID:EMAIL:PASSWORD]   a user that exists from the start (scripts/dev's test user)
//
//   POST /auth/v1/signup                           {email, password, data?} → a session (no e-mail confirmation)
//   POST /auth/v1/token?grant_type=password        {email, password} → a session
//   POST /auth/v1/token?grant_type=refresh_token   {refresh_token} → a new session (the old refresh token is spent)
//   GET  /auth/v1/user                             Authorization: Bearer <access token> → the user
//   POST /auth/v1/logout?scope=global|local|others 204; the session's refresh tokens are revoked
//   GET  /auth/v1/.well-known/jwks.json            the ES256 public key (no apikey needed)
// Every other route needs an `apikey` header (the anon key or the service role key), like the
// gateway. Access tokens are ES256 with a kid, `iss` = <this URL>/auth/v1, `aud` authenticated,
// valid one hour. Errors have GoTrue's shape: {code, error_code, msg}. CORS allows any origin.

import crypto from "node:crypto";
import http from "node:http";
import { jwtVerify } from "jose";
import { readBody } from "../lib/read-body.mjs";
import { createStore } from "./store.mjs";
import { accessClaims, JWKS_PATH, sign, userFromClaims } from "./tokens.mjs";

const ACCESS_SECONDS = 3600;
const MAX_BODY = 64 << 10;

function parseArgs(argv) {
  const opts = { port: 54336, data: null, anonKey: "local-anon-key", serviceRole: null, users: [] };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === "--port") opts.port = Number(value);
    else if (argv[i] === "--data") opts.data = value;
    else if (argv[i] === "--anon-key") opts.anonKey = value;
    else if (argv[i] === "--service-role") opts.serviceRole = value;
    else if (argv[i] === "--user") opts.users.push(value);
    else {
      console.error("usage: node scripts/local-auth/server.mjs [--port N] [--data FILE] [--anon-key K] [--service-role K] [--user ID:EMAIL:PASSWORD]");
      process.exit(2);
    }
    i++;
  }
  return opts;
}

/** GoTrue's error shape; supabase-js reads error_code and msg. */
const fail = (status, errorCode, msg) => ({ status, body: { code: status, error_code: errorCode, msg } });

const opts = parseArgs(process.argv.slice(2));
const base = `http://127.0.0.1:${opts.port}`;
const issuer = `${base}/auth/v1`;
const store = await createStore(opts.data);
for (const spec of opts.users) {
  const [id, email, ...password] = spec.split(":");
  store.ensureUser({ id, email, password: password.join(":") });
}

async function session(user, sessionId = crypto.randomUUID()) {
  const now = Math.floor(Date.now() / 1000);
  const claims = accessClaims({ issuer, user, now, expiresIn: ACCESS_SECONDS, sessionId });
  return {
    access_token: await sign(claims, store.key),
    token_type: "bearer",
    expires_in: ACCESS_SECONDS,
    expires_at: now + ACCESS_SECONDS,
    refresh_token: store.issueRefreshToken(user.id, sessionId),
    user: userFromClaims(claims, { createdAt: user.created_at, lastSignInAt: new Date().toISOString() }),
  };
}

function credentials(body) {
  const email = typeof body.email === "string" ? body.email.trim().toLowerCase() : "";
  const password = typeof body.password === "string" ? body.password : "";
  return { email, password };
}

async function signup(body) {
  const { email, password } = credentials(body);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return fail(400, "validation_failed", "Unable to validate email address: invalid format");
  if (password.length < 6) {
    const answer = fail(422, "weak_password", "Password should be at least 6 characters.");
    answer.body.weak_password = { reasons: ["length"] };
    return answer;
  }
  if (store.findUser(email)) return fail(422, "user_already_exists", "User already registered");
  const user = store.addUser({ email, password, data: body.data });
  return { status: 200, body: await session(user) };
}

async function token(query, body) {
  if (query.get("grant_type") === "password") {
    const { email, password } = credentials(body);
    const user = store.checkPassword(email, password);
    if (!user) return fail(400, "invalid_credentials", "Invalid login credentials");
    return { status: 200, body: await session(user) };
  }
  if (query.get("grant_type") === "refresh_token") {
    const spent = store.spendRefreshToken(String(body.refresh_token ?? ""));
    if (!spent) return fail(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
    return { status: 200, body: await session(spent.user, spent.sessionId) };
  }
  return fail(400, "unsupported_grant_type", "unsupported_grant_type");
}

/** The verified claims of the request's bearer token, or a GoTrue refusal. */
async function bearer(req) {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!m) return { refusal: fail(401, "no_authorization", "This endpoint requires a valid Bearer token") };
  try {
    const { payload } = await jwtVerify(m[1], store.key.publicKey, { algorithms: ["ES256"], issuer, audience: "authenticated" });
    const user = store.userById(payload.sub);
    if (!user) return { refusal: fail(403, "user_not_found", "User from sub claim in JWT does not exist") };
    return { claims: payload, user };
  } catch (err) {
    return { refusal: fail(403, "bad_jwt", `invalid JWT: unable to parse or verify signature, ${err.message}`) };
  }
}

async function route(req, url, body) {
  const path = url.pathname;
  if (req.method === "GET" && path === JWKS_PATH) {
    return { status: 200, headers: { "cache-control": "public, max-age=600" }, body: { keys: [store.key.publicJwk] } };
  }
  const apikey = req.headers.apikey;
  if (!apikey || (apikey !== opts.anonKey && apikey !== opts.serviceRole)) {
    return { status: 401, body: { message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." } };
  }
  if (req.method === "POST" && path === "/auth/v1/signup") return signup(body);
  if (req.method === "POST" && path === "/auth/v1/token") return token(url.searchParams, body);
  if (path === "/auth/v1/user" || path === "/auth/v1/logout") {
    const who = await bearer(req);
    if (who.refusal) return who.refusal;
    if (req.method === "GET" && path === "/auth/v1/user") {
      return { status: 200, body: userFromClaims(who.claims, { createdAt: who.user.created_at }) };
    }
    if (req.method === "POST" && path === "/auth/v1/logout") {
      store.revoke(who.user.id, url.searchParams.get("scope") === "global" ? null : who.claims.session_id);
      return { status: 204 };
    }
  }
  return fail(404, "not_found", `no route ${req.method} ${path}`);
}

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return null;
  }
}

const server = http.createServer(async (req, res) => {
  const cors = {
    "access-control-allow-origin": req.headers.origin ?? "*",
    "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
    "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "*",
    "access-control-max-age": "600",
    vary: "Origin",
  };
  let answer;
  try {
    if (req.method === "OPTIONS") answer = { status: 204 };
    else {
      const raw = await readBody(req, MAX_BODY);
      const body = raw === null ? null : parseJson(raw.toString("utf8"));
      answer = body === null || typeof body !== "object"
        ? fail(400, "bad_json", "Could not parse request body as JSON (at most 64 KiB)")
        : await route(req, new URL(req.url, base), body);
    }
  } catch (err) {
    answer = fail(500, "unexpected_failure", String(err?.message ?? err));
  }
  const headers = { ...cors, ...answer.headers };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers).end();
  } else {
    res.writeHead(answer.status, { ...headers, "content-type": "application/json" }).end(JSON.stringify(answer.body));
  }
});

server.listen(opts.port, "127.0.0.1", () => {
  console.error(`[local-auth] Supabase Auth stand-in on ${base} (${store.userCount()} users)`);
});
