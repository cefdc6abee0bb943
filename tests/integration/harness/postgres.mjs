// Test databases on a real PostgreSQL server. Once per run (whatever the number of test files
// running in parallel), a template database gets every migration (local ones included); each
// test file then gets its own clone (CREATE DATABASE ... TEMPLATE), dropped at the end.
//
//   const db = await createTestDatabase();   // {url, name, sql, drop()}
//   after(() => db.drop());
//
// The server: $AG_TEST_PG_URL (e.g. postgres://postgres:postgres@127.0.0.1:54330/postgres,
// set by scripts/test). Unset: the harness starts one itself with scripts/lib/postgres.sh
// under .data/test-postgres on port $AG_TEST_PG_PORT (default 54330), or uses the server already
// answering there.

import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { migrate, migrationList } from "../../../scripts/migrate.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TEMPLATE_LOCK = 7_161_523_414_202;

const quiet = { onnotice: () => {}, prepare: false, fetch_types: false, connect_timeout: 10 };
// The application_name of the Worker's sessions (js-shim/effects/sql.js).
const WORKER_APP = "alphogen-api";

let serverUrlPromise = null;

/** The server URL (maintenance database), starting a local server when none is given. */
export function serverUrl() {
  serverUrlPromise ??= (async () => {
    if (process.env.AG_TEST_PG_URL) return process.env.AG_TEST_PG_URL;
    const port = process.env.AG_TEST_PG_PORT || "54330";
    const dir = path.join(ROOT, ".data/test-postgres"); // the same server scripts/test starts
    execFileSync(
      "bash",
      [
        "-c",
        // a server already answering on the port (e.g. started by scripts/test) is used as is
        '"${AG_PG_BIN:-/usr/lib/postgresql/15/bin}/pg_isready" -q -h 127.0.0.1 -p "$3" -t 1 ||' +
          '{ source "$1/scripts/lib/postgres.sh" && pg_start "$2" "$3"; }',
        "_",
        ROOT,
        dir,
        port,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  })();
  return serverUrlPromise;
}

export function databaseUrl(server, name) {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Name of the template for the current migrations (a change makes a new one). */
function templateName() {
  const hash = crypto.createHash("sha256");
  for (const { version, file } of migrationList({ local: true })) {
    hash.update(version).update("\0").update(fs.readFileSync(file)).update("\0");
  }
  return `ag_tpl_${hash.digest("hex").slice(0, 16)}`;
}

let templatePromise = null;

/** Creates the template once (per server and migration set), under an advisory lock. */
export function ensureTemplate() {
  templatePromise ??= (async () => {
    const server = await serverUrl();
    const name = templateName();
    const admin = postgres(server, { ...quiet, max: 1 });
    try {
      await admin.unsafe("select pg_advisory_lock($1)", [TEMPLATE_LOCK]);
      try {
        const [row] = await admin.unsafe("select datistemplate from pg_database where datname = $1", [name]);
        if (!row?.datistemplate) {
          // absent, or left half-made by a crashed run
          await admin.unsafe(`drop database if exists "${name}" with (force)`);
          await admin.unsafe(`create database "${name}"`);
          await migrate(databaseUrl(server, name), { local: true });
          await admin.unsafe(`alter database "${name}" with is_template true allow_connections false`);
          // templates of older migration sets are garbage now
          const stale = await admin.unsafe(
            "select datname from pg_database where datname like 'ag\\_tpl\\_%' and datname <> $1",
            [name],
          );
          for (const { datname } of stale) {
            await admin.unsafe(`alter database "${datname}" with is_template false`).catch(() => {});
            await admin.unsafe(`drop database if exists "${datname}" with (force)`).catch(() => {});
          }
        }
      } finally {
        await admin.unsafe("select pg_advisory_unlock($1)", [TEMPLATE_LOCK]).catch(() => {});
      }
    } finally {
      await admin.end({ timeout: 5 });
    }
    return { server, name };
  })();
  templatePromise.catch(() => {
    templatePromise = null;
  });
  return templatePromise;
}

/** A fresh, fully migrated database of its own (`empty`: with no migration): {url, name, sql, drop()}. */
export async function createTestDatabase({ prefix = "ag_t", empty = false } = {}) {
  const { server, name: template } = empty ? { server: await serverUrl(), name: "template0" } : await ensureTemplate();
  const name = `${prefix}_${process.pid}_${crypto.randomBytes(4).toString("hex")}`;
  const admin = postgres(server, { ...quiet, max: 1 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database "${name}" template "${template}"`);
        break;
      } catch (err) {
        // 55006: the template is busy (another clone starting); try again shortly
        if (err.code !== "55006" || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = databaseUrl(server, name);
  const sql = postgres(url, { ...quiet, max: 2 });
  return {
    url,
    name,
    sql,
    async drop() {
      await sql.end({ timeout: 5 }).catch(() => {});
      // `with (force)` would reset a Worker session that is still closing, and with it the
      // socket of Miniflare's Hyperdrive proxy that carried it (see waitForWorkerSessions).
      await waitForWorkerSessions(url, 5_000).catch(() => {});
      const a = postgres(server, { ...quiet, max: 1 });
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end({ timeout: 5 });
      }
    },
  };
}

/**
 * Waits (at most `ms`) until no session of a Worker is connected to the database at `url`.
 * A Worker's background work (a job's webhook delivery) may still hold a connection after its
 * response has gone; disposing workerd under it resets that connection inside Miniflare's
 * Hyperdrive proxy, which has no error handler (an uncaught ECONNRESET).
 */
export async function waitForWorkerSessions(url, ms = 10_000) {
  const sql = postgres(url, { ...quiet, max: 1 });
  try {
    for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
      const [{ n }] = await sql`select count(*)::int as n from pg_stat_activity
                                where datname = current_database() and application_name = ${WORKER_APP}`;
      if (n === 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * A login role of its own, member of alphogen_api: what the Worker connects as in production
 * (docs/configuration.md, "Database role"). `{name, url}` (url: `db` as that role); `drop()` once `db` is gone
 * (roles are cluster-wide, and its grants die with the database).
 */
export async function createApiRole(db, prefix) {
  const name = `${prefix}_${crypto.randomBytes(6).toString("hex")}`;
  const password = crypto.randomBytes(12).toString("hex");
  await db.sql.unsafe(`create role ${name} login password '${password}' in role alphogen_api`);
  const url = new URL(db.url);
  url.username = name;
  url.password = password;
  return {
    name,
    url: url.toString(),
    async drop() {
      const admin = postgres(await serverUrl(), { ...quiet, max: 1 });
      try {
        await admin.unsafe(`drop role if exists ${name}`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
}
