#!/usr/bin/env node
// The schema of a database as text to compare: `pg_dump --schema-only` (tables, indexes,
// functions with their bodies and owners, triggers, RLS policies, grants) without comments,
// blank lines and the migrations' own bookkeeping (schema_migrations). Two databases with the
// same schema print the same text.
//
//   node scripts/schema-dump.mjs DATABASE_URL > a.sql
//
// Uses PostgreSQL 15's pg_dump ($AG_PG_BIN, default /usr/lib/postgresql/15/bin), which
// scripts/test installs with the server.

import { execFile } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The normalised schema of the database at `url`, as one string. */
export async function schemaDump(url) {
  const pgDump = path.join(process.env.AG_PG_BIN || "/usr/lib/postgresql/15/bin", "pg_dump");
  const { stdout } = await run(pgDump, ["--schema-only", "--exclude-table=public.schema_migrations", url], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout
    .split("\n")
    // \restrict / \unrestrict carry a random key per dump (pg_dump 15.14+)
    .filter((line) => line !== "" && !line.startsWith("--") && !/^\\(un)?restrict /.test(line))
    .join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const url = process.argv[2] ?? process.env.DATABASE_URL;
  if (!url) {
    console.error("usage: node scripts/schema-dump.mjs DATABASE_URL");
    process.exit(2);
  }
  process.stdout.write(`${await schemaDump(url)}\n`);
}
