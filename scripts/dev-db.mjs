#!/usr/bin/env node
// The embedded dev database: PGlite (Postgres compiled to wasm) persisted under .data/pglite,
// served on 127.0.0.1:$DEV_DB_PORT (default 54329) through @electric-sql/pglite-socket, so
// `wrangler dev` (Hyperdrive's localConnectionString) and scripts/migrate.mjs reach it like
// any Postgres server. No server to install.
//
//   node scripts/dev-db.mjs [--port N] [--data DIR | --memory] [--debug]
//
// NOTE: PGlite is ONE Postgres backend. pglite-socket's own server accepts a single client by
// default (a second one gets "Too many connections" and is closed), and its multiplexer for N
// clients interleaves protocol messages one by one, so two clients' extended-protocol
// statements (Parse/Bind/Execute/Sync) can overwrite each other's unnamed statement. wrangler
// dev opens a connection per request, several at once. So this server uses pglite-socket's
// per-connection handler (framing, SSL refusal) with its own queue that hands the backend to
// one connection per unit of work: a simple query, a Parse..Sync batch, or a whole
// transaction (until the connection is idle again). Other connections wait their turn.

import net from "node:net";
import path from "node:path";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler } from "@electric-sql/pglite-socket";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const IDLE_IN_TRANSACTION_MS = 60_000;

function parseArgs(argv) {
  const opts = { port: Number(process.env.DEV_DB_PORT || 54329), data: path.join(ROOT, ".data/pglite"), debug: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i]);
    if (a.startsWith("--port")) opts.port = Number(value());
    else if (a.startsWith("--data")) opts.data = path.resolve(value());
    else if (a === "--memory") opts.data = null;
    else if (a === "--debug") opts.debug = true;
    else {
      console.error(`usage: node scripts/dev-db.mjs [--port N] [--data DIR | --memory] [--debug]`);
      process.exit(2);
    }
  }
  return opts;
}

/** Frontend message -> does it end a unit of work (after which the backend may switch)? */
function endsUnit(message) {
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  if (message.length >= 8 && view.getInt32(4) === 196608) return true; // StartupMessage
  const type = String.fromCharCode(message[0]);
  return type === "Q" || type === "S" || type === "X" || type === "p";
}

const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

/**
 * The queue pglite-socket's handler talks to (its QueryQueueManager interface: enqueue,
 * clearQueueForHandler, clearTransactionIfNeeded). Messages run one at a time; while a
 * connection owns the backend (mid-unit or in a transaction) only its messages run.
 */
class SessionQueue {
  constructor(db, { debug, onIdleInTransaction }) {
    this.db = db;
    this.debug = debug;
    this.items = []; // {handlerId, message, onData, resolve, reject}
    this.owner = null; // handler id holding the backend, or null
    this.midUnit = false; // the owner sent part of a Parse..Sync batch
    this.running = false;
    this.idle = Promise.resolve(); // settles when the current run loop stops
    this.idleTimer = null;
    this.onIdleInTransaction = onIdleInTransaction;
  }

  log(...args) {
    if (this.debug) console.log("[dev-db]", ...args);
  }

  enqueue(handlerId, message, onData) {
    return new Promise((resolve, reject) => {
      this.items.push({ handlerId, message, onData, resolve, reject });
      this.kick();
    });
  }

  kick() {
    if (!this.running) this.idle = this.run();
  }

  next() {
    const i = this.owner === null ? 0 : this.items.findIndex((it) => it.handlerId === this.owner);
    return i < 0 || i >= this.items.length ? null : this.items.splice(i, 1)[0];
  }

  async run() {
    this.running = true;
    try {
      for (let item = this.next(); item; item = this.next()) {
        clearTimeout(this.idleTimer);
        this.owner = item.handlerId;
        const last = endsUnit(item.message);
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, { onRawData: item.onData, syncToFs: last }),
          );
          item.resolve(item.message.length);
        } catch (err) {
          item.reject(err);
        }
        this.midUnit = !last;
        if (last && !this.db.isInTransaction()) {
          this.owner = null;
        } else if (last) {
          // the owner keeps the backend until its transaction ends
          const id = item.handlerId;
          this.idleTimer = setTimeout(() => this.onIdleInTransaction(id), IDLE_IN_TRANSACTION_MS);
        }
      }
    } finally {
      this.running = false;
    }
  }

  clearQueueForHandler(handlerId) {
    this.items = this.items.filter((it) => {
      if (it.handlerId !== handlerId) return true;
      it.reject(new Error("connection closed"));
      return false;
    });
  }

  /** The connection went away: undo what it left open, then let the others in. */
  async clearTransactionIfNeeded(handlerId) {
    await this.idle;
    if (this.owner !== handlerId) return;
    try {
      if (this.midUnit) await this.db.execProtocolRawStream(SYNC, { onRawData: () => {} });
      if (this.db.isInTransaction()) {
        this.log(`connection #${handlerId} left a transaction open: rollback`);
        await this.db.exec("ROLLBACK");
      }
    } finally {
      clearTimeout(this.idleTimer);
      this.owner = null;
      this.midUnit = false;
      this.kick();
    }
  }

  getQueueLength() {
    return this.items.length;
  }
}

async function portInUse(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (await portInUse(opts.port)) {
    console.error(`dev-db: 127.0.0.1:${opts.port} is already in use (another dev-db?)`);
    process.exit(1);
  }
  if (opts.data) fs.mkdirSync(opts.data, { recursive: true });
  const started = Date.now();
  const db = await PGlite.create(opts.data ?? undefined);
  const handlers = new Map();
  const queue = new SessionQueue(db, {
    debug: opts.debug,
    onIdleInTransaction: (id) => {
      console.error(`dev-db: connection #${id} idle in transaction for ${IDLE_IN_TRANSACTION_MS} ms: closing it`);
      handlers.get(id)?.detach(true);
    },
  });

  const server = net.createServer((socket) => {
    const handler = new PGLiteSocketHandler({ queryQueue: queue, closeOnDetach: true, debug: opts.debug });
    handlers.set(handler.handlerId, handler);
    const forget = () => handlers.delete(handler.handlerId);
    handler.addEventListener("close", forget);
    handler.addEventListener("error", forget);
    handler.attach(socket).catch((err) => {
      console.error("dev-db: cannot attach connection:", err);
      socket.destroy();
      forget();
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", resolve);
  });

  const { rows } = await db.query("select current_setting('server_version') as v");
  const url = `postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`;
  console.log(
    `dev-db ready: ${url} (PGlite, Postgres ${rows[0].v}, ${opts.data ? `data ${opts.data}` : "in memory"}, ${Date.now() - started} ms)`,
  );

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`dev-db: ${signal}, stopping`);
    server.close();
    for (const h of handlers.values()) await h.detach(true).catch(() => {});
    await queue.idle;
    await db.close().catch((err) => console.error("dev-db: close failed:", err));
    process.exit(0);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err) => {
  console.error("dev-db failed:", err);
  process.exit(1);
});
