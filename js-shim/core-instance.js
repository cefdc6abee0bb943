// One instance of the C++ core per isolate: instantiation, the frame codec of src/abi/README.md,
// and trap handling. A trap (or any exception out of a call into wasm) poisons the instance: its
// in-flight tasks answer 500 and the next request builds a fresh one.

import { createImports } from "./wasi.js";

export const ABI_VERSION = 3;

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

/** True when `value` holds bytes (a Uint8Array or an ArrayBuffer) anywhere. */
function holdsBytes(value) {
  if (value === null || typeof value !== "object") return false;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return true;
  if (Array.isArray(value)) return value.some(holdsBytes);
  for (const key in value) if (holdsBytes(value[key])) return true;
  return false;
}

/**
 * A frame before it is written: its JSON text and the bytes of its blob section. Any
 * Uint8Array or ArrayBuffer inside `value` is moved to the blob section and replaced by
 * {"blob": [offset, length]}. Frames without bytes (most of them) skip the replacer, which
 * costs more than the stringify itself.
 */
export function frameParts(value) {
  if (!holdsBytes(value)) return { json: JSON.stringify(value), blobs: [], blobBytes: 0 };
  const blobs = [];
  let blobBytes = 0;
  const json = JSON.stringify(value, (_key, v) => {
    if (!(v instanceof Uint8Array) && !(v instanceof ArrayBuffer)) return v;
    const bytes = v instanceof Uint8Array ? v : new Uint8Array(v);
    const ref = { blob: [blobBytes, bytes.length] };
    blobs.push(bytes);
    blobBytes += bytes.length;
    return ref;
  });
  return { json, blobs, blobBytes };
}

export class CoreInstance {
  /** @param {WebAssembly.Module} mod @param {object} env the Worker env */
  constructor(mod, env) {
    this.poisoned = false;
    const { imports, flush } = createImports(mod, () => this.exports.memory);
    this.flushLogs = flush;
    this.instance = new WebAssembly.Instance(mod, imports);
    this.exports = this.instance.exports;
    for (const name of ["memory", "ag_abi_version", "ag_alloc", "ag_free", "ag_init", "ag_start", "ag_resume", "ag_cancel"]) {
      if (!(name in this.exports)) throw new CoreError(`wasm module lacks export ${name}`);
    }
    if (typeof this.exports._initialize === "function") this.#guard(() => this.exports._initialize());
    const version = this.#guard(() => this.exports.ag_abi_version());
    if (version !== ABI_VERSION) {
      throw new CoreError(`wasm ABI version ${version}, shim speaks ${ABI_VERSION}`);
    }
    const answer = this.#call("ag_init", frameParts({ env: stringEnv(env) }));
    if (answer && answer.error) {
      throw new CoreError(`ag_init failed: ${answer.error}: ${answer.message ?? ""}`);
    }
  }

  /** Starts a task; returns the first step. */
  start(frame) {
    return this.#call("ag_start", frameParts(frame));
  }

  /** Resumes a task with the results of its previous step; returns the next step. */
  resume(frame) {
    return this.#call("ag_resume", frameParts(frame));
  }

  /**
   * Ends a live task (its client went away); returns its last step: {done, background?} (what
   * the task leaves to run without it), or {error: "unknown_task"}.
   */
  cancel(task) {
    return this.#guard(() => this.#answer(this.exports.ag_cancel(task)));
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

  /**
   * Writes `[u32 json_len][json][blobs]` straight into wasm memory. UTF-8 needs at most three
   * bytes per UTF-16 unit; frames are nearly always ASCII, so one byte per unit is tried first.
   */
  #write({ json, blobs, blobBytes }) {
    const ex = this.exports;
    for (const bytesPerUnit of [1, 3]) {
      const capacity = json.length * bytesPerUnit;
      const ptr = ex.ag_alloc(4 + capacity + blobBytes);
      if (ptr === 0) throw new Error(`ag_alloc(${4 + capacity + blobBytes}) failed`);
      const { read, written } = encoder.encodeInto(json, new Uint8Array(ex.memory.buffer, ptr + 4, capacity));
      if (read < json.length) {
        ex.ag_free(ptr);
        continue;
      }
      new DataView(ex.memory.buffer).setUint32(ptr, written, true);
      const memory = new Uint8Array(ex.memory.buffer);
      let offset = ptr + 4 + written;
      for (const blob of blobs) {
        memory.set(blob, offset);
        offset += blob.length;
      }
      return { ptr, length: offset - ptr };
    }
    throw new Error("frame text did not fit three bytes per unit");
  }

  /** Writes a frame into wasm memory, calls `fn`, decodes the `[u32 len][json]` answer. */
  #call(fn, parts) {
    return this.#guard(() => {
      const ex = this.exports;
      const { ptr, length } = this.#write(parts);
      const out = ex[fn](ptr, length);
      ex.ag_free(ptr); // NOTE: not after a trap: the instance is dropped then anyway
      return this.#answer(out);
    });
  }

  /** Decodes the `[u32 len][json]` answer at `out`, printing its log entries. */
  #answer(out) {
    const mem = this.exports.memory.buffer; // re-read: the call may have grown memory
    const len = new DataView(mem).getUint32(out, true);
    const answer = JSON.parse(decoder.decode(new Uint8Array(mem, out + 4, len)));
    // the core's log entries of this call, as objects so that Workers Logs indexes their fields
    if (Array.isArray(answer?.logs)) {
      for (const entry of answer.logs) console.log(entry);
      delete answer.logs;
    }
    return answer;
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
