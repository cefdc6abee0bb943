#!/usr/bin/env node
// Applies migrations/ to a database, serialised by an advisory lock so two runners never race:
//
//   local/*.sql      (--local) what Supabase already has; once each, recorded as local/<file>
//   NNNN_*.sql       tables, indexes, RLS and grants; once each, in name order
//   functions/*.sql  one file per area: its functions, triggers and their grants; applied again
//                    whenever its content changes (schema_migrations keeps its sha256)
//   dev/*.sql        (--dev) scripts/dev's development data; once each, recorded as dev/<file>
//
// Each file runs in its own transaction together with its schema_migrations row, so a file that
// fails leaves nothing behind, its recorded checksum included. A database whose
// schema_migrations names a numbered file this folder does not have was built from other
// migrations (the layout before functions/, or another branch's): nothing is applied.
//
//   node scripts/migrate.mjs [--local | --local=auto] [--dev] DATABASE_URL
//
// --local       apply migrations/local/ first. Never for a Supabase database.
// --local=auto  the same, but only when the database has no `auth` schema of its own (or
//               already has local migrations recorded).
// --dev         apply migrations/dev/ last; only where local ones apply.
// Exit status: 0 done, 1 failed, 2 usage, 3 built from other migrations (nothing applied).
// Works against PostgreSQL 15+ and against PGlite served by scripts/dev-db.mjs.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import postgres from "postgres";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const MIGRATIONS_DIR = path.join(ROOT, "migrations");
const LOCK_KEY = 7_161_523_414_201; // arbitrary, fixed: "alphogen migrations"
const FUNCTIONS = "functions";

/** The database was built from migrations this folder does not have; nothing was applied. */
export class ForeignMigrationsError extends Error {
  constructor(versions, layoutBeforeFunctions) {
    const names = versions.length > 3 ? `${versions.slice(0, 3).join(", ")}, … (${versions.length})` : versions.join(", ");
    const whose = layoutBeforeFunctions ? "the layout before migrations/functions/" : "another checkout's";
    super(`built from other migrations (${whose}: schema_migrations records ${names}, which migrations/ does not have); nothing applied`);
    this.name = "ForeignMigrationsError";
    this.versions = versions;
  }
}

function sqlFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
}

/** The files of one folder of `dir` ("" = dir itself): [{version, file, repeatable}] in name order. */
function folderList(dir, folder, repeatable = false) {
  return sqlFiles(path.join(dir, folder)).map((f) => ({
    version: folder ? `${folder}/${f}` : f,
    file: path.join(dir, folder, f),
    repeatable,
  }));
}

/**
 * Every migration in apply order: [{version, file, repeatable}] (local ones first, dev ones
 * last, when asked). repeatable: applied again whenever its content changes.
 */
export function migrationList({ local = false, dev = false, dir = MIGRATIONS_DIR } = {}) {
  return [
    ...(local ? folderList(dir, "local") : []),
    ...folderList(dir, ""),
    ...folderList(dir, FUNCTIONS, true),
    ...(local && dev ? folderList(dir, "dev") : []),
  ];
}

/** The numbered versions `recorded` (version → checksum) names that `dir` does not have. */
function foreignVersions(recorded, dir) {
  const known = new Set(folderList(dir, "").map((m) => m.version));
  return [...recorded.keys()].filter((v) => !v.includes("/") && !known.has(v)).sort();
}

const checksum = (text) => crypto.createHash("sha256").update(text).digest("hex");

/**
 * Applies what is missing or changed. `local`: true, false or "auto"; `dev`: also
 * migrations/dev/ where local ones apply; `dir`: the migrations folder. Returns the versions
 * applied. `log(line)` receives one line per applied file. Throws ForeignMigrationsError,
 * having changed nothing, for a database built from other migrations.
 */
export async function migrate(url, { local = false, dev = false, dir = MIGRATIONS_DIR, log = () => {} } = {}) {
  // NOTE: max 1 = one session for the lock and the transactions (sql.reserve() hangs in
  // postgres.js 3.4 when called before the first connection exists).
  const conn = postgres(url, {
    max: 1,
    prepare: false,
    fetch_types: false,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: "alphogen-migrate" },
  });
  const applied = [];
  try {
    await conn.unsafe("select pg_advisory_lock($1)", [LOCK_KEY]);
    try {
      await conn.unsafe(
        `create table if not exists public.schema_migrations (
           version text primary key,
           applied_at timestamptz default now(),
           checksum text)`,
      );
      // to_jsonb: the table of a runner before checksums has no such column
      const rows = await conn.unsafe(
        "select version, to_jsonb(m) ->> 'checksum' as checksum from public.schema_migrations m",
      );
      const recorded = new Map(rows.map((r) => [r.version, r.checksum]));
      const foreign = foreignVersions(recorded, dir);
      if (foreign.length > 0) {
        throw new ForeignMigrationsError(foreign, !rows.some((r) => r.version.startsWith(`${FUNCTIONS}/`)));
      }
      await conn.unsafe("alter table public.schema_migrations add column if not exists checksum text");
      let withLocal = local === true;
      if (local === "auto") {
        const [{ has_auth }] = await conn.unsafe(
          "select exists (select 1 from pg_namespace where nspname = 'auth') as has_auth",
        );
        withLocal = !has_auth || [...recorded.keys()].some((v) => v.startsWith("local/"));
      }
      for (const { version, file, repeatable } of migrationList({ local: withLocal, dev, dir })) {
        const text = fs.readFileSync(file, "utf8");
        const sum = checksum(text);
        const again = recorded.has(version);
        if (again && (!repeatable || recorded.get(version) === sum)) continue;
        await conn.unsafe("begin");
        try {
          await conn.unsafe(text).simple(); // simple protocol: many statements, DO blocks
          await conn.unsafe(
            `insert into public.schema_migrations (version, checksum) values ($1, $2)
             on conflict (version) do update set checksum = excluded.checksum, applied_at = now()`,
            [version, sum],
          );
          await conn.unsafe("commit");
        } catch (err) {
          await conn.unsafe("rollback").catch(() => {});
          err.message = `${version}: ${err.message}`;
          throw err;
        }
        applied.push(version);
        log(again ? `re-applied ${version} (changed)` : `applied ${version}`);
      }
    } finally {
      await conn.unsafe("select pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
    }
  } finally {
    await conn.end({ timeout: 5 });
  }
  return applied;
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable url)";
  }
}

async function cli(argv) {
  let local = false;
  let dev = false;
  const rest = [];
  for (const a of argv) {
    if (a === "--local") local = true;
    else if (a === "--local=auto") local = "auto";
    else if (a === "--dev") dev = true;
    else if (a === "-h" || a === "--help") rest.length = 99;
    else rest.push(a);
  }
  const url = rest.length === 1 ? rest[0] : rest.length === 0 ? process.env.DATABASE_URL : null;
  if (!url) {
    console.error("usage: node scripts/migrate.mjs [--local | --local=auto] [--dev] DATABASE_URL");
    process.exit(2);
  }
  try {
    const applied = await migrate(url, { local, dev, log: (line) => console.log(line) });
    if (applied.length === 0) console.error(`migrate: ${redact(url)} is up to date`);
  } catch (err) {
    console.error(`migrate: ${redact(url)}: ${err.code ? `${err.code} ` : ""}${err.message}`);
    process.exit(err instanceof ForeignMigrationsError ? 3 : 1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await cli(process.argv.slice(2));
}
