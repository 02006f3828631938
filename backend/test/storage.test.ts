import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '../src/db';
import { loadMigrations, migrate, MigrationError, migrationStatus } from '../src/db/migrate';
import { tempDir, testDatabases } from './helpers';

function migrationsDir(files: Record<string, string>): string {
  const dir = path.join(tempDir(), 'migrations');
  mkdirSync(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

describe.each(testDatabases)('storage on $name', ({ open }) => {
  let db: Database;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(async () => {
    await db.close();
  });

  test('the shipped migrations apply once; applying them again is a no-op', async () => {
    const first = await migrate(db);
    expect(first.map((m) => m.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(first.length).toBeGreaterThan(0);
    const second = await migrate(db);
    expect(second).toEqual([]);
    const status = await migrationStatus(db);
    expect(status.pending).toEqual([]);
    expect(status.applied.map((m) => m.version)).toEqual(first.map((m) => m.version));
    const tables = await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM schema_migrations');
    expect(tables.rows[0]?.n).toBe(first.length);
  });

  test('concurrent migrate calls apply each migration exactly once', async () => {
    const results = await Promise.all([migrate(db), migrate(db), migrate(db)]);
    const appliedCounts = results.map((r) => r.length).sort();
    expect(appliedCounts).toEqual([0, 0, loadMigrations().length]);
  });

  test('a failing migration rolls back entirely and names the file', async () => {
    const dir = migrationsDir({
      '0001_ok.sql': 'CREATE TABLE ok_table (id int);',
      '0002_broken.sql': 'CREATE TABLE broken (id int); SELECT no_such_column FROM broken;',
    });
    await expect(migrate(db, loadMigrations(dir))).rejects.toThrow(/0002_broken failed: .*no_such_column/);
    const exists = await db.query<{ present: boolean }>("SELECT to_regclass('ok_table') IS NOT NULL AS present");
    expect(exists.rows[0]?.present).toBe(false);
  });

  test('an applied migration that was edited afterwards is refused', async () => {
    await migrate(db, loadMigrations(migrationsDir({ '0001_a.sql': 'CREATE TABLE a (id int);' })));
    const edited = loadMigrations(migrationsDir({ '0001_a.sql': 'CREATE TABLE a (id bigint);' }));
    await expect(migrate(db, edited)).rejects.toThrow(MigrationError);
    await expect(migrationStatus(db, edited)).rejects.toThrow(/changed after it was applied/);
  });

  test('pending migrations are reported before they are applied', async () => {
    const v1 = loadMigrations(migrationsDir({ '0001_a.sql': 'CREATE TABLE a (id int);' }));
    await migrate(db, v1);
    const v2 = loadMigrations(
      migrationsDir({ '0001_a.sql': 'CREATE TABLE a (id int);', '0002_b.sql': 'CREATE TABLE b (id int);' })
    );
    expect((await migrationStatus(db, v2)).pending.map((m) => m.name)).toEqual(['b']);
    expect((await migrate(db, v2)).map((m) => m.name)).toEqual(['b']);
  });

  test('transactions commit on success and roll back on error', async () => {
    await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', [1]);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1)', [2]);
        throw new Error('abort');
      })
    ).rejects.toThrow('abort');
    await expect(db.transaction((tx) => tx.query('INSERT INTO t VALUES ($1)', [1]))).rejects.toThrow(/duplicate key/);
    const rows = await db.query<{ id: number }>('SELECT id FROM t ORDER BY id');
    expect(rows.rows).toEqual([{ id: 1 }]);
  });

  test('both implementations return the same JavaScript values', async () => {
    const result = await db.query<Record<string, unknown>>(
      `SELECT 9007199254740991::int8 AS big, 42::int4 AS small, 1.50::numeric AS amount, true AS flag,
              '2026-01-02T03:04:05.678Z'::timestamptz AS at, '{"b":1,"a":[1,"x"]}'::jsonb AS doc,
              '192.0.2.1'::inet AS ip, ARRAY['a','b']::text[] AS list, NULL::text AS nothing,
              '6f1c4c1e-7c1b-4c1e-9c1b-6f1c4c1e7c1b'::uuid AS id, $1::text AS param`,
      ['hello']
    );
    expect(result.rows[0]).toEqual({
      big: 9007199254740991,
      small: 42,
      amount: '1.50',
      flag: true,
      at: new Date('2026-01-02T03:04:05.678Z'),
      doc: { a: [1, 'x'], b: 1 },
      ip: '192.0.2.1',
      list: ['a', 'b'],
      nothing: null,
      id: '6f1c4c1e-7c1b-4c1e-9c1b-6f1c4c1e7c1b',
      param: 'hello',
    });
    expect(result.rowCount).toBe(1);
  });

  test('rowCount counts the rows a statement changed', async () => {
    await db.exec('CREATE TABLE r (id int); INSERT INTO r VALUES (1), (2), (3);');
    expect((await db.query('UPDATE r SET id = id + 10 WHERE id > $1', [1])).rowCount).toBe(2);
    expect((await db.query('DELETE FROM r')).rowCount).toBe(3);
  });

  test('a closed database fails its ping', async () => {
    await db.ping();
    await db.close();
    await expect(db.ping()).rejects.toThrow();
    db = await open(); // afterEach closes this one
  });
});

test('migration files must be named NNNN_name.sql with unique versions', () => {
  expect(() => loadMigrations(migrationsDir({ 'init.sql': '' }))).toThrow(/NNNN_name\.sql/);
  expect(() => loadMigrations(migrationsDir({ '0001_a.sql': '', '0001_b.sql': '' }))).toThrow(/share version 0001/);
});
