// One instance of the C++ core per isolate: instantiation, the frame codec of src/abi/README.md,
// and trap handling. A trap (or any exception out of a call into wasm) poisons the instance: its
// in-flight tasks answer 500 and the next request builds a fresh one.

import { createImports } from "./wasi.js";

export const ABI_VERSION = 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Raised by calls into a poisoned or broken instance. */
export class CoreError extends Error {
  constructor(message, cause) {
    super(message, cause ? { cause } : undefined);
    this.name = "CoreError";
  }
}

/** The string-valued entries of a Worker env (vars and secrets; bindings are objects). */
export function stringEnv(env) {
  const out = {};
  for (const [name, value] of Object.entries(env ?? {})) {
    if (typeof value === "string") out[name] = value;
  }
  return out;
}

/** `[u32 json_len][json][blobs]` from JSON text and the blobs it refers to, in order. */
function frameOf(json, blobs = [], blobBytes = 0) {
  const jsonBytes = encoder.encode(json);
  const frame = new Uint8Array(4 + jsonBytes.length + blobBytes);
  new DataView(frame.buffer).setUint32(0, jsonBytes.length, true);
  frame.set(jsonBytes, 4);
  let off = 4 + jsonBytes.length;
  for (const b of blobs) {
    frame.set(b, off);
    off += b.length;
  }
  return frame;
}

/**
 * Encodes `[u32 json_len][json][blobs]`. Any Uint8Array inside `value` is moved to the blob
 * section and replaced by {"blob": [offset, length]}.
 */
export function encodeFrame(value) {
  const blobs = [];
  let blobBytes = 0;
  const json = JSON.stringify(value, (_key, v) => {
    if (v instanceof Uint8Array) {
      const ref = { blob: [blobBytes, v.length] };
      blobs.push(v);
      blobBytes += v.length;
      return ref;
    }
    if (v instanceof ArrayBuffer) {
      const u8 = new Uint8Array(v);
      const ref = { blob: [blobBytes, u8.length] };
      blobs.push(u8);
      blobBytes += u8.length;
      return ref;
    }
    return v;
  });
  return frameOf(json, blobs, blobBytes);
}

/**
 * Encodes a frame that carries no binary payloads (init and start frames): without
 * encodeFrame's replacer, which costs more than the stringify itself on every request.
 */
export function encodeJsonFrame(value) {
  return frameOf(JSON.stringify(value));
}

export class CoreInstance {
  /** @param {WebAssembly.Module} mod @param {object} env the Worker env */
  constructor(mod, env) {
    this.poisoned = false;
    const { imports, flush } = createImports(mod, () => this.exports.memory);
    this.flushLogs = flush;
    this.instance = new WebAssembly.Instance(mod, imports);
    this.exports = this.instance.exports;
    for (const name of ["memory", "ag_abi_version", "ag_alloc", "ag_free", "ag_init", "ag_start", "ag_resume"]) {
      if (!(name in this.exports)) throw new CoreError(`wasm module lacks export ${name}`);
    }
    if (typeof this.exports._initialize === "function") this.#guard(() => this.exports._initialize());
    const version = this.#guard(() => this.exports.ag_abi_version());
    if (version !== ABI_VERSION) {
      throw new CoreError(`wasm ABI version ${version}, shim speaks ${ABI_VERSION}`);
    }
    const answer = this.#call("ag_init", encodeJsonFrame({ env: stringEnv(env) }));
    if (answer && answer.error) {
      throw new CoreError(`ag_init failed: ${answer.error}: ${answer.message ?? ""}`);
    }
  }

  /** Starts a task; returns the first step. Start frames carry no blobs (src/abi/README.md). */
  start(frame) {
    return this.#call("ag_start", encodeJsonFrame(frame));
  }

  /** Resumes a task with the results of its previous step; returns the next step. */
  resume(frame) {
    return this.#call("ag_resume", encodeFrame(frame));
  }

  liveTasks() {
    return typeof this.exports.ag_live_tasks === "function"
      ? this.#guard(() => this.exports.ag_live_tasks())
      : -1;
  }

  #guard(fn) {
    if (this.poisoned) throw new CoreError("core instance is poisoned by an earlier trap");
    try {
      return fn();
    } catch (err) {
      this.poisoned = true;
      throw new CoreError(`wasm call failed: ${err?.message ?? err}`, err);
    } finally {
      this.flushLogs?.();
    }
  }

  /** Writes an encoded frame into wasm memory, calls `fn`, decodes the `[u32 len][json]` answer. */
  #call(fn, frame) {
    return this.#guard(() => {
      const ex = this.exports;
      const ptr = ex.ag_alloc(frame.length);
      if (ptr === 0 && frame.length > 0) throw new Error(`ag_alloc(${frame.length}) failed`);
      new Uint8Array(ex.memory.buffer, ptr, frame.length).set(frame);
      const out = ex[fn](ptr, frame.length);
      ex.ag_free(ptr); // NOTE: not after a trap: the instance is dropped then anyway
      const mem = ex.memory.buffer; // re-read: the call may have grown memory
      const len = new DataView(mem).getUint32(out, true);
      const answer = JSON.parse(decoder.decode(new Uint8Array(mem, out + 4, len)));
      // the core's log entries of this call, as objects so that Workers Logs indexes their fields
      if (Array.isArray(answer?.logs)) {
        for (const entry of answer.logs) console.log(entry);
        delete answer.logs;
      }
      return answer;
    });
  }
}

let current = null;

/**
 * The isolate's core instance, built on first use and rebuilt after a trap. Throws a CoreError
 * when the module cannot be instantiated (the caller answers 500 and retries next request).
 */
export function coreFor(mod, env) {
  if (current && !current.poisoned) return current;
  current = null;
  try {
    current = new CoreInstance(mod, env);
  } catch (err) {
    throw err instanceof CoreError ? err : new CoreError(`cannot instantiate core: ${err?.message ?? err}`, err);
  }
  return current;
}
