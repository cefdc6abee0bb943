// Requests to the API as a client sends them, and the users who send them.
//
//   const user = await newUser(auth);   // auth: harness/supabase-auth.mjs
//   const { status, body } = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox" } });
//   const res = await request(worker, "/assets/a.bin");   // fetch's own Response: bytes, streams
//   assertError(await json(res), "not_found");
//
// The target: a Worker of harness/worker.mjs, or the base URL of a server (scripts/dev's API, a
// stand-in: with `requestId: false`, as a stand-in's answers carry no x-request-id).

import assert from "node:assert/strict";
import crypto from "node:crypto";

function send(target, path, init) {
  return typeof target === "string" ? fetch(`${target}${path}`, init) : target.fetch(path, init);
}

/** `init` sent to `path` on `target` as fetch sends it; the Response, which must carry an x-request-id. */
export async function request(target, path, init = {}) {
  const res = await send(target, path, init);
  assert.ok(res.headers.get("x-request-id"), `${init.method ?? "GET"} ${path}: no x-request-id header`);
  return res;
}

/**
 * `path` on `target`, as a client sends it: `token` as a Bearer Authorization, a `body` that is
 * not a string as JSON (with its content type unless `headers` names one). Every answer must
 * carry an x-request-id (unless `requestId: false`). Resolves to {status, headers, text, body}:
 * `body` is the answer's JSON, or null when it is not JSON.
 */
export async function call(target, path, { method = "GET", token, headers = {}, body, requestId = true } = {}) {
  const sent = { ...headers };
  if (token) sent.authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    sent["content-type"] ??= "application/json";
  }
  const init = { method, headers: sent, body: payload };
  const res = await (requestId ? request : send)(target, path, init);
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: `text` has it
  }
  return { status: res.status, headers: res.headers, text, body: json };
}

/** The JSON of a Response; fails the test when it is not JSON. */
export async function json(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    assert.fail(`expected a JSON body, got ${res.status} ${JSON.stringify(text.slice(0, 200))}`);
  }
}

/** `body` is the API's error answer with this `code`: {ok: false, error: code, message}. */
export function assertError(body, code) {
  assert.equal(body.ok, false, `ok should be false in ${JSON.stringify(body)}`);
  assert.equal(body.error, code, `error code in ${JSON.stringify(body)}`);
  assert.equal(typeof body.message, "string", `message in ${JSON.stringify(body)}`);
}

/**
 * A new user signed in with an HS256 token that the Supabase Auth stand-in `auth` mints:
 * {id, email, token, headers} (`headers` carries the token, for call's `headers`).
 */
export async function newUser(auth) {
  const id = crypto.randomUUID();
  const email = `${id.slice(0, 8)}@example.com`;
  const token = await auth.mint({ alg: "HS256", claims: { sub: id, email } });
  return { id, email, token, headers: { authorization: `Bearer ${token}` } };
}
