// The `store` of a `fetch` effect (src/abi/README.md): a successful reply's bulk bytes go into
// R2 instead of into the core, which gets the metadata. Either the whole body is one file, or
// the reply is JSON whose `json.items` array holds base64 files in `json.field` (OpenAI's
// b64_json): each is decoded into R2, and removed from the body handed on.

import { decodeBase64 } from "../base64.js";
import { readCapped } from "./read-capped.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class StoreError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function metaOf(obj) {
  return { key: obj.key, size: obj.size, etag: obj.etag, content_type: obj.httpMetadata?.contentType ?? null };
}

async function put(env, key, body, contentType) {
  const bucket = env.ASSETS;
  if (!bucket) throw new StoreError("unavailable", "no R2 binding ASSETS");
  const options = contentType ? { httpMetadata: { contentType } } : {};
  return metaOf(await bucket.put(key, body, options));
}

/** Reads `response` (2xx) into R2 as `store` says; resolves to {body, stored}. Throws
 *  TooLarge past store.max_bytes, StoreError for a reply that is not what was asked for. */
export async function storeReply(response, store, env) {
  const name = (n) => `${store.key_prefix}${n}${store.extension ?? ""}`;
  const bytes = await readCapped(response.body, store.max_bytes);
  if (!store.json) {
    const type = store.content_type ?? response.headers.get("content-type");
    return { body: new Uint8Array(0), stored: [await put(env, name(1), bytes, type)] };
  }
  let reply;
  try {
    reply = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new StoreError("not_json", "the reply is not JSON");
  }
  const items = reply?.[store.json.items];
  const stored = [];
  if (Array.isArray(items)) {
    for (const item of items) {
      const data = item?.[store.json.field];
      if (typeof data !== "string") continue;
      const file = decodeBase64(data);
      if (file === null) throw new StoreError("invalid_base64", `${store.json.field} is not base64`);
      stored.push(await put(env, name(stored.length + 1), file, store.content_type));
      delete item[store.json.field];
    }
  }
  return { body: encoder.encode(JSON.stringify(reply)), stored };
}

export { StoreError };
