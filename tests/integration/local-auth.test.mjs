// scripts/local-auth/server.mjs on its own, as scripts/dev's stand-in for Supabase Auth, driven
// by the real `@supabase/supabase-js` the console uses: sign-up, password sign-in, refresh,
// the user, sign-out; the seeded test user; users, sessions and the key survive a restart; the
// JWKS verifies its access tokens (ES256, iss <url>/auth/v1, aud authenticated).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@supabase/supabase-js";
import { createRemoteJWKSet, jwtVerify } from "jose";
import ws from "ws";
import { closedPort } from "./harness/loopback-server.mjs";

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../scripts/local-auth/server.mjs");
const ANON = "anon-key-of-the-local-auth-test";
const SEEDED = { id: "00000000-0000-4000-8000-00000000abcd", email: "seeded@example.com", password: "seeded-password" };

let port;
let url;
let dataFile;
let child;

async function start() {
  child = spawn(process.execPath, [SERVER, "--port", String(port), "--data", dataFile, "--anon-key", ANON,
    "--user", `${SEEDED.id}:${SEEDED.email}:${SEEDED.password}`], { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise((resolve, reject) => {
    child.stderr.on("data", (d) => String(d).includes("stand-in on") && resolve());
    child.once("exit", (code) => reject(new Error(`local-auth exited with ${code}`)));
  });
}

async function stop() {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

const client = () => createClient(url, ANON, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ws } });

before(async () => {
  port = await closedPort();
  url = `http://127.0.0.1:${port}`;
  dataFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ag-local-auth-")), "local-auth.json");
  await start();
});
after(async () => {
  await stop();
  fs.rmSync(path.dirname(dataFile), { recursive: true, force: true });
});

test("sign-up answers a session whose ES256 token the JWKS verifies", async () => {
  const { data, error } = await client().auth.signUp({ email: "New@Example.com", password: "a-good-password" });
  assert.equal(error, null);
  assert.equal(data.user.email, "new@example.com");
  const jwks = createRemoteJWKSet(new URL(`${url}/auth/v1/.well-known/jwks.json`));
  const { payload, protectedHeader } = await jwtVerify(data.session.access_token, jwks, {
    issuer: `${url}/auth/v1`,
    audience: "authenticated",
  });
  assert.equal(protectedHeader.alg, "ES256");
  assert.equal(payload.sub, data.user.id);
  assert.equal(payload.role, "authenticated");
});

test("refusals carry GoTrue's codes: a taken e-mail, a weak password, wrong credentials, no apikey", async () => {
  const taken = await client().auth.signUp({ email: SEEDED.email, password: "whatever-password" });
  assert.equal(taken.error.code, "user_already_exists");
  const weak = await client().auth.signUp({ email: "weak@example.com", password: "123" });
  assert.equal(weak.error.code, "weak_password");
  const wrong = await client().auth.signInWithPassword({ email: SEEDED.email, password: "not-it" });
  assert.equal(wrong.error.code, "invalid_credentials");
  const res = await fetch(`${url}/auth/v1/token?grant_type=password`, { method: "POST", body: "{}" });
  assert.equal(res.status, 401);
});

test("the seeded user signs in, reads itself, refreshes once per refresh token, signs out", async () => {
  const sb = client();
  const signedIn = await sb.auth.signInWithPassword({ email: SEEDED.email, password: SEEDED.password });
  assert.equal(signedIn.error, null);
  assert.equal(signedIn.data.user.id, SEEDED.id);
  const me = await sb.auth.getUser();
  assert.equal(me.data.user.email, SEEDED.email);
  const spent = signedIn.data.session.refresh_token;
  const refreshed = await sb.auth.refreshSession();
  assert.equal(refreshed.error, null);
  assert.notEqual(refreshed.data.session.refresh_token, spent);
  const again = await client().auth.refreshSession({ refresh_token: spent });
  assert.equal(again.error.code, "refresh_token_not_found");
  const live = refreshed.data.session.refresh_token;
  assert.equal((await sb.auth.signOut()).error, null);
  const revoked = await client().auth.refreshSession({ refresh_token: live });
  assert.equal(revoked.error.code, "refresh_token_not_found");
});

test("users, sessions and the signing key survive a restart", async () => {
  const sb = client();
  const { data } = await sb.auth.signUp({ email: "kept@example.com", password: "kept-password" });
  await stop();
  await start();
  const user = await fetch(`${url}/auth/v1/user`, { headers: { apikey: ANON, authorization: `Bearer ${data.session.access_token}` } });
  assert.equal(user.status, 200);
  const signedIn = await client().auth.signInWithPassword({ email: "kept@example.com", password: "kept-password" });
  assert.equal(signedIn.data.user.id, data.user.id);
  const refreshed = await client().auth.refreshSession({ refresh_token: data.session.refresh_token });
  assert.equal(refreshed.error, null);
});

test("a browser's preflight is answered for any origin", async () => {
  const res = await fetch(`${url}/auth/v1/token?grant_type=password`, {
    method: "OPTIONS",
    headers: { origin: "http://127.0.0.1:8787", "access-control-request-method": "POST", "access-control-request-headers": "apikey, authorization, content-type, x-client-info" },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("access-control-allow-origin"), "http://127.0.0.1:8787");
  assert.match(res.headers.get("access-control-allow-headers"), /apikey/);
});
