#!/usr/bin/env node
// Applies migrations/*.sql in name order, each once, each in its own transaction together
// with its schema_migrations row. Serialised by an advisory lock so two runners never race.
//
//   node scripts/migrate.mjs [--local | --local=auto] [--dev] DATABASE_URL
//
// --local       first apply migrations/local/*.sql (what Supabase already has: the auth
//               schema, roles), recorded as local/<file>. Never for a Supabase database.
// --local=auto  the same, but only when the database has no `auth` schema of its own (or
//               already has local migrations recorded).
// --dev         last, apply migrations/dev/*.sql (scripts/dev's development data: the local
//               generation models), recorded as dev/<file>; only where local ones apply.
// Works against PostgreSQL 15+ and against PGlite served by scripts/dev-db.mjs.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import postgres from "postgres";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const MIGRATIONS_DIR = path.join(ROOT, "migrations");
const LOCK_KEY = 7_161_523_414_201; // arbitrary, fixed: "alphogen migrations"

function sqlFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
}

/** The migrations of one folder: [{version: "<folder>/<file>", file}] in name order. */
function folderList(folder) {
  return sqlFiles(path.join(MIGRATIONS_DIR, folder)).map((f) => ({
    version: `${folder}/${f}`,
    file: path.join(MIGRATIONS_DIR, folder, f),
  }));
}

/** Every migration in apply order: [{version, file}] (local ones first, dev ones last, when asked). */
export function migrationList({ local = false, dev = false } = {}) {
  const list = local ? folderList("local") : [];
  for (const f of sqlFiles(MIGRATIONS_DIR)) list.push({ version: f, file: path.join(MIGRATIONS_DIR, f) });
  if (local && dev) list.push(...folderList("dev"));
  return list;
}

/**
 * Applies what is missing. `local`: true, false or "auto"; `dev`: also migrations/dev/ where
 * local ones apply. Returns the versions applied. `log(line)` receives one line per applied file.
 */
export async function migrate(url, { local = false, dev = false, log = () => {} } = {}) {
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
           applied_at timestamptz default now())`,
      );
      const done = new Set((await conn.unsafe("select version from public.schema_migrations")).map((r) => r.version));
      let withLocal = local === true;
      if (local === "auto") {
        const [{ has_auth }] = await conn.unsafe(
          "select exists (select 1 from pg_namespace where nspname = 'auth') as has_auth",
        );
        withLocal = !has_auth || [...done].some((v) => v.startsWith("local/"));
      }
      for (const { version, file } of migrationList({ local: withLocal, dev })) {
        if (done.has(version)) continue;
        const text = fs.readFileSync(file, "utf8");
        await conn.unsafe("begin");
        try {
          await conn.unsafe(text).simple(); // simple protocol: many statements, DO blocks
          await conn.unsafe("insert into public.schema_migrations (version) values ($1)", [version]);
          await conn.unsafe("commit");
        } catch (err) {
          await conn.unsafe("rollback").catch(() => {});
          err.message = `${version}: ${err.message}`;
          throw err;
        }
        applied.push(version);
        log(`applied ${version}`);
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
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await cli(process.argv.slice(2));
}
