import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * Throw-away databases for tests: a SQLite file in a temp dir, or a PostgreSQL database created
 * for this run on the server at PORTICO_TEST_POSTGRES_URL (default 127.0.0.1:5432, user postgres,
 * trust auth) and dropped afterwards. PostgreSQL is a required part of the suite, never skipped.
 */
export type TestDatabase = { readonly url: string; drop(): Promise<void> };

export const postgresAdminUrl =
  process.env.PORTICO_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export const createSqliteDatabase = (): TestDatabase => {
  const dir = mkdtempSync(join(tmpdir(), "portico-test-"));
  return {
    url: `sqlite:${join(dir, "portico.db")}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

export const createPostgresDatabase = async (): Promise<TestDatabase> => {
  const name = `portico_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: postgresAdminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
};

/** Both dialects, for contract suites. */
export const dialects = [
  { name: "sqlite", create: async () => createSqliteDatabase() },
  { name: "postgres", create: createPostgresDatabase },
] as const;
