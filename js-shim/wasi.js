// The WASI (wasi_snapshot_preview1) imports the core needs; any other WASI function answers
// ENOSYS, so a new libc call never breaks instantiation.
// stdout/stderr carry only what the core's libc prints (its own logs travel in the steps):
// each line is logged as {level, msg}.

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOSYS = 52;
const ESPIPE = 70;
const RANDOM_CHUNK = 65536; // crypto.getRandomValues refuses more per call

/** Thrown by proc_exit: the core asked to stop, which the shim treats like a trap. */
export class WasiExit extends Error {
  constructor(code) {
    super(`wasm called proc_exit(${code})`);
    this.name = "WasiExit";
    this.code = code;
  }
}

const decoder = new TextDecoder();

/** Logs one line the core's libc printed, at the level its stream implies. */
function logLine(fd, bytes) {
  let text = decoder.decode(bytes);
  if (text.endsWith("\r")) text = text.slice(0, -1);
  if (text.length === 0) return;
  if (fd === 2) console.error({ level: "error", msg: text });
  else console.log({ level: "info", msg: text });
}

/** Per-fd byte buffer, flushed line by line. */
class LineBuffer {
  constructor(fd) {
    this.fd = fd;
    this.pending = new Uint8Array(0);
  }

  write(bytes) {
    let data = bytes;
    if (this.pending.length > 0) {
      data = new Uint8Array(this.pending.length + bytes.length);
      data.set(this.pending, 0);
      data.set(bytes, this.pending.length);
    }
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] === 0x0a) {
        logLine(this.fd, data.subarray(start, i));
        start = i + 1;
      }
    }
    this.pending = data.slice(start);
  }

  flush() {
    if (this.pending.length > 0) logLine(this.fd, this.pending);
    this.pending = new Uint8Array(0);
  }
}

/**
 * Builds the import object for `mod`. `getMemory()` returns the instance's exported memory
 * (known only after instantiation). Returns {imports, flush}.
 */
export function createImports(mod, getMemory) {
  const streams = { 1: new LineBuffer(1), 2: new LineBuffer(2) };
  const view = () => new DataView(getMemory().buffer);
  const bytes = (ptr, len) => new Uint8Array(getMemory().buffer, ptr, len);

  const wasi = {
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      const dv = view();
      let written = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = dv.getUint32(iovs + i * 8, true);
        const len = dv.getUint32(iovs + i * 8 + 4, true);
        if (streams[fd]) streams[fd].write(bytes(ptr, len).slice());
        written += len;
      }
      if (!streams[fd] && fd !== 0) return EBADF;
      dv.setUint32(nwrittenPtr, written, true);
      return ESUCCESS;
    },
    fd_read(fd, _iovs, _iovsLen, nreadPtr) {
      if (fd !== 0) return EBADF;
      view().setUint32(nreadPtr, 0, true); // stdin is always empty
      return ESUCCESS;
    },
    random_get(ptr, len) {
      for (let off = 0; off < len; off += RANDOM_CHUNK) {
        crypto.getRandomValues(bytes(ptr + off, Math.min(RANDOM_CHUNK, len - off)));
      }
      return ESUCCESS;
    },
    clock_time_get(id, _precision, timePtr) {
      // 0 = realtime, 1 = monotonic, 2/3 = cpu time: all from the same (coarse) Worker clock.
      if (id < 0 || id > 3) return EINVAL;
      const ms = id === 0 ? Date.now() : performance.now();
      view().setBigUint64(timePtr, BigInt(Math.round(ms * 1e6)), true);
      return ESUCCESS;
    },
    clock_res_get(_id, resPtr) {
      view().setBigUint64(resPtr, 1000000n, true);
      return ESUCCESS;
    },
    proc_exit(code) {
      throw new WasiExit(code);
    },
    sched_yield() {
      return ESUCCESS;
    },
    environ_sizes_get(countPtr, sizePtr) {
      const dv = view();
      dv.setUint32(countPtr, 0, true);
      dv.setUint32(sizePtr, 0, true);
      return ESUCCESS;
    },
    environ_get() {
      return ESUCCESS;
    },
    args_sizes_get(countPtr, sizePtr) {
      const dv = view();
      dv.setUint32(countPtr, 0, true);
      dv.setUint32(sizePtr, 0, true);
      return ESUCCESS;
    },
    args_get() {
      return ESUCCESS;
    },
    fd_close(fd) {
      return fd <= 2 ? ESUCCESS : EBADF;
    },
    fd_seek(fd, _offset, _whence, _newOffsetPtr) {
      return fd <= 2 ? ESPIPE : EBADF;
    },
    fd_fdstat_get(fd, statPtr) {
      if (fd > 2) return EBADF;
      const dv = view();
      dv.setUint8(statPtr, 2); // filetype: character device
      dv.setUint16(statPtr + 2, 0, true); // flags
      dv.setBigUint64(statPtr + 8, 0xffffffffn, true); // rights base
      dv.setBigUint64(statPtr + 16, 0n, true); // rights inheriting
      return ESUCCESS;
    },
    fd_fdstat_set_flags() {
      return ESUCCESS;
    },
    fd_prestat_get() {
      return EBADF; // no preopened directories
    },
    fd_prestat_dir_name() {
      return EBADF;
    },
  };

  // The module imports only WASI (tests/integration/module.test.mjs checks it); a WASI
  // function it names that is not implemented above answers ENOSYS.
  const imports = { wasi_snapshot_preview1: {} };
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.kind === "function" && imp.module === "wasi_snapshot_preview1") {
      imports.wasi_snapshot_preview1[imp.name] = wasi[imp.name] ?? (() => ENOSYS);
    }
  }
  return {
    imports,
    flush() {
      streams[1].flush();
      streams[2].flush();
    },
  };
}
