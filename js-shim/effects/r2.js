// The `r2.*` effects on the ASSETS bucket. Bulk bytes never enter wasm: uploads stream the
// request body straight into R2, and `r2.get` with `stream` keeps the object body as a handle
// that the response can pipe (see ../respond.js).

import { declaredLength, readCapped, TooLarge } from "./read-capped.js";
import { decodeBase64 } from "../base64.js";

const encoder = new TextEncoder();

function bucket(scope) {
  const b = scope.env.ASSETS;
  if (!b) throw Object.assign(new Error("no R2 binding ASSETS"), { code: "unavailable" });
  return b;
}

/** R2Object -> the metadata fields of the ABI. */
function meta(obj) {
  return {
    key: obj.key,
    size: obj.size,
    etag: obj.etag,
    content_type: obj.httpMetadata?.contentType ?? null,
    uploaded: obj.uploaded instanceof Date ? obj.uploaded.getTime() : Number(obj.uploaded ?? 0),
  };
}

/** R2's answered range -> {offset, length}. */
function normaliseRange(range, size) {
  if (!range) return undefined;
  if ("suffix" in range && range.suffix != null) {
    const length = Math.min(range.suffix, size);
    return { offset: size - length, length };
  }
  const offset = range.offset ?? 0;
  const length = range.length ?? Math.max(0, size - offset);
  return { offset, length };
}

function toR2Range(range) {
  if (!range || typeof range !== "object") return undefined;
  if (range.suffix != null) return { suffix: range.suffix };
  const r = { offset: range.offset ?? 0 };
  if (range.length != null) r.length = range.length;
  return r;
}

async function put(effect, scope) {
  const maxBytes = Number.isFinite(effect.max_bytes) ? effect.max_bytes : null;
  const options = {};
  if (effect.content_type) options.httpMetadata = { contentType: effect.content_type };
  let body;
  if (effect.body && typeof effect.body === "object" && effect.body.from === "request") {
    if (scope.requestBodyTaken) {
      return { error: { code: "consumed", message: "the request body was already read" } };
    }
    const declared = declaredLength(scope.request.headers);
    if (declared === null) {
      return { error: { code: "length_required", message: "streaming into R2 needs a Content-Length" } };
    }
    if (maxBytes != null && declared > maxBytes) {
      return { error: { code: "too_large", message: `content-length ${declared} exceeds ${maxBytes} bytes` } };
    }
    scope.requestBodyTaken = true;
    body = scope.request.body ?? "";
  } else if (effect.body && typeof effect.body === "object" && effect.body.from === "url") {
    const source = await openSource(effect.body, maxBytes);
    if (source.error) return source;
    body = source.body;
    if (!options.httpMetadata && source.contentType) options.httpMetadata = { contentType: source.contentType };
  } else if (effect.body && typeof effect.body === "object" && effect.body.from === "base64") {
    body = decodeBase64(effect.body.data);
    if (body == null) return { error: { code: "invalid_base64", message: "the payload is not base64" } };
    if (maxBytes != null && body.length > maxBytes) {
      return { error: { code: "too_large", message: `payload exceeds ${maxBytes} bytes` } };
    }
  } else if (typeof effect.body === "string") {
    body = effect.body;
    if (maxBytes != null && encoder.encode(body).length > maxBytes) {
      return { error: { code: "too_large", message: `body exceeds ${maxBytes} bytes` } };
    }
  } else {
    return { error: { code: "invalid_effect", message: "r2.put body must be a string or {from: \"request\"}" } };
  }
  const obj = await bucket(scope).put(effect.key, body, options);
  if (!obj) return { error: { code: "precondition_failed", message: "R2 refused the put" } };
  return meta(obj);
}

const MAX_REDIRECTS = 5;

class RefusedRedirect extends Error {}

/**
 * fetch(url), following redirects by hand and only to https: a redirect must never move a
 * copy to clear text (an output may carry the user's media or a signed link).
 */
async function fetchFollowingHttps(url, signal) {
  for (let hops = 0; ; hops++) {
    const res = await fetch(url, { signal, redirect: "manual" });
    const location = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
    if (location === null) return res;
    await res.body?.cancel().catch(() => {});
    const next = new URL(location, url);
    if (next.protocol !== "https:") throw new RefusedRedirect(`a redirect to ${next.protocol} is not followed`);
    if (hops >= MAX_REDIRECTS) throw new RefusedRedirect(`more than ${MAX_REDIRECTS} redirects`);
    url = next;
  }
}

/** Opens an http(s) URL for copying into R2: streamed when its length is declared (R2 needs
 *  a known length), else read into memory up to `maxBytes`. */
async function openSource(source, maxBytes) {
  let url;
  try {
    url = new URL(source.url);
  } catch {
    return { error: { code: "invalid_url", message: "not a URL" } };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { error: { code: "invalid_url", message: "only http(s) URLs are copied" } };
  }
  const timeoutMs = Number.isFinite(source.timeout_ms) && source.timeout_ms > 0 ? source.timeout_ms : 60_000;
  let res;
  try {
    res = await fetchFollowingHttps(url, AbortSignal.timeout(timeoutMs));
  } catch (err) {
    if (err instanceof RefusedRedirect) return { error: { code: "redirect_refused", message: err.message } };
    return { error: { code: "fetch_failed", message: String(err?.message ?? err) } };
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    return { error: { code: "fetch_failed", message: `source answered ${res.status}`, status: res.status } };
  }
  const contentType = res.headers.get("content-type");
  const declared = declaredLength(res.headers);
  if (declared !== null) {
    if (maxBytes != null && declared > maxBytes) {
      await res.body?.cancel().catch(() => {});
      return { error: { code: "too_large", message: `content-length ${declared} exceeds ${maxBytes} bytes` } };
    }
    return { body: res.body ?? "", contentType };
  }
  try {
    return { body: await readCapped(res.body, maxBytes), contentType };
  } catch (err) {
    if (err instanceof TooLarge) return { error: { code: "too_large", message: err.message } };
    return { error: { code: "fetch_failed", message: String(err?.message ?? err) } };
  }
}

async function get(effect, scope) {
  const options = {};
  const range = toR2Range(effect.range);
  if (range) options.range = range;
  if (effect.if_none_match) options.onlyIf = { etagDoesNotMatch: effect.if_none_match };
  const obj = await bucket(scope).get(effect.key, options);
  if (!obj) return { found: false };
  const result = { found: true, ...meta(obj) };
  if (range) result.range = normaliseRange(obj.range ?? range, obj.size);
  if (!("body" in obj) || obj.body == null) {
    // the onlyIf condition failed: R2 answers the metadata without a body
    result.not_modified = true;
    delete result.range;
    return result;
  }
  if (effect.stream) {
    result.handle = scope.holdHandle(obj.body);
  } else {
    result.body = await readCapped(obj.body, null);
  }
  return result;
}

async function head(effect, scope) {
  const obj = await bucket(scope).head(effect.key);
  return obj ? { found: true, ...meta(obj) } : { found: false };
}

async function del(effect, scope) {
  await bucket(scope).delete(effect.keys ?? effect.key);
  return {};
}

async function list(effect, scope) {
  const options = {};
  if (effect.prefix != null) options.prefix = effect.prefix;
  if (effect.cursor != null) options.cursor = effect.cursor;
  if (effect.limit != null) options.limit = effect.limit;
  const page = await bucket(scope).list(options);
  const result = {
    objects: page.objects.map((o) => ({
      key: o.key,
      size: o.size,
      etag: o.etag,
      uploaded: o.uploaded instanceof Date ? o.uploaded.getTime() : Number(o.uploaded ?? 0),
    })),
    truncated: Boolean(page.truncated),
  };
  if (page.truncated && page.cursor) result.cursor = page.cursor;
  return result;
}

const OPS = { "r2.put": put, "r2.get": get, "r2.head": head, "r2.delete": del, "r2.list": list };

export async function performR2(effect, scope) {
  try {
    const named = typeof effect.key === "string" || (effect.op === "r2.delete" && Array.isArray(effect.keys));
    if (!named && effect.op !== "r2.list") {
      return { error: { code: "invalid_effect", message: `${effect.op} without key` } };
    }
    return await OPS[effect.op](effect, scope);
  } catch (err) {
    return { error: { code: err?.code === "unavailable" ? "unavailable" : "r2_error", message: String(err?.message ?? err) } };
  }
}

export const R2_OPS = Object.keys(OPS);
