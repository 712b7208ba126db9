/**
 * PostgreSQL test databases: one throw-away database per test, created from a migrated template database
 * (CREATE DATABASE … TEMPLATE copies it in tens of milliseconds), dropped afterwards.
 */
import knexFactory, { type Knex } from 'knex';
import { createDb, migrateLatest } from '../../src/db/index.js';
import type { TestDatabase } from './db.js';

export function isPostgresRun(): boolean {
  return /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');
}

let admin: Knex | undefined;
let template: Promise<string> | undefined;
let counter = 0;
const created = new Set<string>();
const prefix = `hav_t${process.pid}`;

function adminUrl(): string {
  return process.env.DATABASE_URL!;
}

function urlFor(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

function adminDb(): Knex {
  admin ??= knexFactory({ client: 'pg', connection: adminUrl(), pool: { min: 0, max: 2 } });
  return admin;
}

async function migratedTemplate(): Promise<string> {
  const name = `${prefix}_template`;
  await adminDb().raw(`DROP DATABASE IF EXISTS ${name}`);
  await adminDb().raw(`CREATE DATABASE ${name}`);
  created.add(name);
  const db = createDb({ databaseUrl: urlFor(name) });
  await migrateLatest(db);
  await db.destroy();
  return name;
}

export async function freshPostgresDatabase(): Promise<TestDatabase> {
  template ??= migratedTemplate();
  const source = await template;
  const name = `${prefix}_${++counter}`;
  await adminDb().raw(`CREATE DATABASE ${name} TEMPLATE ${source}`);
  created.add(name);
  return {
    url: urlFor(name),
    async drop() {
      await adminDb().raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      created.delete(name);
    },
  };
}

/** Drops every database this process created (the template last). */
export async function dropAllPostgresDatabases(): Promise<void> {
  if (!admin) return;
  const names = [...created].sort((a, b) => (a.endsWith('_template') ? 1 : b.endsWith('_template') ? -1 : 0));
  for (const name of names) await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  created.clear();
  await admin.destroy();
  admin = undefined;
  template = undefined;
}
