import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { canonicalBytes, chainHash, GENESIS_HASH, leafHash, merkleRoot, inclusionProof } from '../../src/audit';
import { signTreeHead, verifyTreeHead } from '../../src/audit/checkpoint';
import { buildEntry, entryBytes, type AuditEventInput } from '../../src/audit/entry';
import { verifyExportText } from '../../src/audit/export-verify';
import {
  ImmutableLog,
  ImmutableLogCorruptError,
  ImmutableLogLockedError,
  verifyLogFile,
  type ImmutableLogLine,
} from '../../src/audit/immutable-log';
import { verifyInclusion } from '../../src/audit/merkle-verify';
import { DEFAULT_REDACTED_FIELDS, REDACTED } from '../../src/audit/redact';
import { registerOfflineAuditCommands } from '../../src/cli/audit-offline';
import { auditEvent, bearer, createTestApp, tempDir, TEST_TOKENS } from '../helpers';

const logs: ImmutableLog[] = [];
afterEach(async () => {
  await Promise.all(logs.splice(0).map((log) => log.close()));
});

/** A log in a fresh folder, opened, closed after the test. */
async function openLog(filePath = path.join(tempDir('immutable-log-'), 'audit.log'), fsync = true) {
  const log = new ImmutableLog({ filePath, fsync });
  logs.push(log);
  const opened = await log.open();
  return { log, filePath, opened };
}

/** A closed log file holding `n` entries. */
async function logFile(n: number): Promise<string> {
  const { log, filePath } = await openLog();
  await log.append(Array.from({ length: n }, (_, i) => auditEvent(i)));
  await log.close();
  return filePath;
}

const readLines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').slice(0, -1);
const writeLines = (file: string, lines: string[]) => writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
const parse = (line: string) => JSON.parse(line) as ImmutableLogLine;
const leaves = (file: string) => readLines(file).map((l) => Buffer.from(parse(l).leafHash, 'hex'));

/** open() must refuse the file, naming the line. */
async function expectCorrupt(file: string, line: number, reason: RegExp): Promise<void> {
  const log = new ImmutableLog({ filePath: file });
  const error = await log.open().then(
    () => undefined,
    (err: unknown) => err
  );
  expect(error).toBeInstanceOf(ImmutableLogCorruptError);
  expect(error).toMatchObject({ line });
  expect((error as Error).message).toMatch(reason);
  expect(existsSync(`${file}.lock`)).toBe(false); // a failed open releases the lock
  const report = await verifyLogFile(file);
  expect(report).toMatchObject({ valid: false, firstInvalid: { line } });
}

describe('ImmutableLog', () => {
  test('writes the same canonical bytes and hashes as buildEntry and the chain, and continues after a reopen', async () => {
    const inputs: AuditEventInput[] = [0, 1, 2].map((i) =>
      auditEvent(i, { id: `00000000-0000-4000-8000-00000000000${i}`, timestamp: `2025-01-01T00:00:0${i}.000Z` })
    );
    const { log, filePath, opened } = await openLog();
    expect(opened).toMatchObject({ treeSize: 0, headHash: GENESIS_HASH, warnings: [] });
    const appended = await log.append(inputs);
    expect(appended.map((a) => a.seq)).toEqual([0, 1, 2]);

    let prev = GENESIS_HASH;
    for (const [i, line] of readLines(filePath).map(parse).entries()) {
      const bytes = entryBytes(buildEntry(i, inputs[i] as AuditEventInput, DEFAULT_REDACTED_FIELDS));
      expect(line).toEqual({
        seq: i,
        leafHash: leafHash(bytes).toString('hex'),
        hashPrev: prev,
        hashCurrent: chainHash(prev, bytes),
        canonical: bytes.toString('base64'),
      });
      prev = line.hashCurrent;
    }
    await log.close();
    expect(existsSync(`${filePath}.lock`)).toBe(false);

    const again = await openLog(filePath, false);
    expect(again.opened).toMatchObject({
      treeSize: 3,
      headHash: prev,
      rootHash: merkleRoot(leaves(filePath)).toString('hex'),
    });
    const more = await again.log.append([auditEvent(3), auditEvent(4)]);
    expect(more.map((a) => a.seq)).toEqual([3, 4]);
    const lines = readLines(filePath).map(parse);
    expect(lines[3]?.hashPrev).toBe(prev);
    const report = await again.log.verify();
    expect(report).toEqual({
      valid: true,
      checked: 5,
      rootHash: merkleRoot(leaves(filePath)).toString('hex'),
      headHash: lines[4]?.hashCurrent,
      warnings: [],
    });
  });

  test('the file lines are byte for byte the rows the database trail stores for the same events', async () => {
    const t = await createTestApp();
    try {
      t.app.config.audit.excludePaths.push('/api');
      const inputs: AuditEventInput[] = Array.from({ length: 5 }, (_, i) =>
        auditEvent(i, {
          id: `10000000-0000-4000-8000-00000000000${i}`,
          timestamp: `2025-03-0${i + 1}T10:00:00.123Z`,
          body: { password: 'p', note: `n${i}` },
          method: 'post',
          ip: i % 2 ? '2001:DB8::1' : '192.0.2.7',
          metadata: { ratio: 0.1 + i, nested: [1, { apiKey: 'k' }] },
        })
      );
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/audit/events',
        headers: { ...bearer(TEST_TOKENS.ingest), 'content-type': 'application/json' },
        payload: inputs,
      });
      expect(res.statusCode).toBe(201);
      const exported = await t.app.inject({
        method: 'GET',
        url: '/api/audit/export?format=jsonl',
        headers: bearer(TEST_TOKENS.viewer),
      });
      const rows = exported.body.trimEnd().split('\n').map(parse);

      const { log, filePath } = await openLog();
      await log.append(inputs);
      expect(readLines(filePath).map(parse)).toEqual(
        rows.map(({ seq, leafHash: leaf, hashPrev, hashCurrent, canonical }) => ({
          seq,
          leafHash: leaf,
          hashPrev,
          hashCurrent,
          canonical,
        }))
      );
      // And the file log's own export has the database export's fields, value for value.
      let text = '';
      for await (const chunk of log.export('jsonl')) text += chunk;
      expect(
        text
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown)
      ).toEqual(
        exported.body
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown)
      );
    } finally {
      await t.close();
    }
  });

  test('concurrent appends within one process keep their call order and one unbroken chain', async () => {
    const { log, filePath } = await openLog();
    const calls = Array.from({ length: 40 }, (_, call) =>
      log.append(Array.from({ length: (call % 3) + 1 }, (_, j) => auditEvent(call * 10 + j)))
    );
    const results = await Promise.all(calls);
    const seqs = results.flat().map((a) => a.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    // Entry i of call c is the event c*10+j: the file order is the call order.
    const paths = readLines(filePath).map(
      (l) => (JSON.parse(Buffer.from(parse(l).canonical, 'base64').toString()) as { path: string }).path
    );
    expect(paths.slice(0, 6)).toEqual([
      '/api/bans/0',
      '/api/bans/10',
      '/api/bans/11',
      '/api/bans/20',
      '/api/bans/21',
      '/api/bans/22',
    ]);
    expect(await log.verify()).toMatchObject({ valid: true, checked: seqs.length });
  });

  test('an invalid event rejects its whole batch, and the log goes on with the next seq', async () => {
    const { log, filePath } = await openLog();
    await log.append([auditEvent(0)]);
    await expect(log.append([auditEvent(1), auditEvent(2, { ip: 'not-an-ip' })])).rejects.toThrow(/events\[1\]\.ip/);
    expect(readLines(filePath)).toHaveLength(1);
    expect((await log.append([auditEvent(3)]))[0]?.seq).toBe(1);
    expect(await log.append([])).toEqual([]);
    await log.close();
    await expect(log.append([auditEvent(4)])).rejects.toThrow(/closed/);
  });

  test('secrets are redacted before hashing, with the default or the configured field names', async () => {
    const { log, filePath } = await openLog();
    await log.append([auditEvent(0, { body: { password: 'hunter2', nested: [{ apiKey: 'sk-live-1' }] } })]);
    const hashed = Buffer.from(parse(readFileSync(filePath, 'utf8').trimEnd()).canonical, 'base64').toString();
    expect((JSON.parse(hashed) as { body: unknown }).body).toEqual({
      password: REDACTED,
      nested: [{ apiKey: REDACTED }],
    });
    expect(hashed).not.toMatch(/hunter2|sk-live-1/);

    const custom = new ImmutableLog({ filePath: path.join(tempDir(), 'custom.log'), redactFields: ['ticket'] });
    logs.push(custom);
    await custom.open();
    await custom.append([auditEvent(0, { metadata: { supportTicket: 'T-1', password: 'visible' } })]);
    const line = parse(readFileSync(custom.filePath, 'utf8').trimEnd());
    expect(JSON.parse(Buffer.from(line.canonical, 'base64').toString())).toMatchObject({
      metadata: { supportTicket: REDACTED, password: 'visible' },
    });
  });

  test('a torn last line from a crash is cut with a warning; the log then continues', async () => {
    const file = await logFile(3);
    const size = statSync(file).size;
    const next = readLines(await logFile(4))[3] as string;
    appendFileSync(file, next.slice(0, 40)); // a write cut short: no newline
    expect((await verifyLogFile(file)).warnings).toEqual([expect.stringMatching(/^line 4 is incomplete/)]);

    const { log, opened } = await openLog(file);
    expect(opened.treeSize).toBe(3);
    expect(opened.warnings).toEqual([expect.stringMatching(/^line 4 is incomplete \(40 bytes, no newline\).*cut$/)]);
    expect(log.warnings).toEqual(opened.warnings);
    expect(statSync(file).size).toBe(size);
    expect((await log.append([auditEvent(9)]))[0]?.seq).toBe(3);
    expect(await log.verify()).toMatchObject({ valid: true, checked: 4, warnings: [] });
  });

  test('a changed field in an entry is refused at the line it is on', async () => {
    const file = await logFile(4);
    const lines = readLines(file);
    const line = parse(lines[1] as string);
    const entry = JSON.parse(Buffer.from(line.canonical, 'base64').toString()) as Record<string, unknown>;
    lines[1] = JSON.stringify({
      ...line,
      canonical: canonicalBytes({ ...entry, path: '/api/other' }).toString('base64'),
    });
    writeLines(file, lines);
    await expectCorrupt(file, 2, /seq 1: hash_current does not match the entry/);
  });

  test('a deleted, a swapped, a repeated or a malformed line is refused', async () => {
    const original = readLines(await logFile(5));
    // Entries 1 and 2 swapped with every hash recomputed: a consistent chain, but each entry names its own seq.
    let prev = parse(original[0] as string).hashCurrent;
    const moved = [original[0] as string, original[2] as string, original[1] as string].map((text, i) => {
      if (i === 0) return text;
      const bytes = Buffer.from(parse(text).canonical, 'base64');
      const line = {
        seq: i,
        leafHash: leafHash(bytes).toString('hex'),
        hashPrev: prev,
        hashCurrent: chainHash(prev, bytes),
      };
      prev = line.hashCurrent;
      return JSON.stringify({ ...line, canonical: bytes.toString('base64') });
    });
    const cases: [string[], number, RegExp][] = [
      [moved, 2, /canonical entry does not carry seq 1/],
      [original.filter((_, i) => i !== 2), 3, /seq 2 is missing/],
      [[original[0], original[2], original[1], original[3]] as string[], 2, /seq 1 is missing/],
      [[original[0], original[1], original[1]] as string[], 3, /seq 1 is repeated/],
      [[original[0], '{"seq":1}', original[1]] as string[], 2, /members must be exactly/],
      [[original[0], 'garbage', original[1]] as string[], 2, /not a JSON line/],
      [[original[0], JSON.stringify({ ...parse(original[1] as string), note: 'x' })] as string[], 2, /members/],
    ];
    for (const [lines, line, reason] of cases) {
      const file = path.join(tempDir(), 'tampered.log');
      writeLines(file, lines);
      await expectCorrupt(file, line, reason);
    }
  });

  test('lines removed from the end, or history rewritten with every hash, fail against a signed head', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { log, filePath } = await openLog();
    await log.append(Array.from({ length: 6 }, (_, i) => auditEvent(i)));
    const { treeSize, rootHash } = log.treeHead();
    const head = { treeSize, rootHash, timestamp: new Date().toISOString() };
    const signature = signTreeHead(head, privateKey);

    // Truncated while open: the instance knows its own head.
    const original = readLines(filePath);
    writeLines(filePath, original.slice(0, 4));
    expect((await log.verify()).firstInvalid?.reason).toMatch(/ends after 4 entries, but a known head covers 6/);
    await log.close();

    // Reopened by a process that only holds the signed head: the file is a valid chain, but too short.
    const reopened = await openLog(filePath);
    expect(reopened.opened.treeSize).toBe(4);
    expect(verifyTreeHead(head, signature, publicKey)).toBe(true);
    expect(await reopened.log.verify({ knownHeads: [head] })).toMatchObject({
      valid: false,
      checked: 4,
      firstInvalid: { seq: 4, line: 5, reason: expect.stringMatching(/entries were removed from the end/) },
    });
    await reopened.log.close();

    // Entry 2 rewritten and every later hash recomputed: self-consistent, but not the signed root.
    let prev = parse(original[1] as string).hashCurrent;
    const rewritten = original.map((text, i) => {
      if (i < 2) return text;
      const line = parse(text);
      const entry = JSON.parse(Buffer.from(line.canonical, 'base64').toString()) as Record<string, unknown>;
      const bytes = i === 2 ? canonicalBytes({ ...entry, path: '/api/forged' }) : Buffer.from(line.canonical, 'base64');
      const current = chainHash(prev, bytes);
      const out = { seq: i, leafHash: leafHash(bytes).toString('hex'), hashPrev: prev, hashCurrent: current };
      prev = current;
      return JSON.stringify({ ...out, canonical: bytes.toString('base64') });
    });
    writeLines(filePath, rewritten);
    expect((await verifyLogFile(filePath)).valid).toBe(true);
    expect(await verifyLogFile(filePath, { knownHeads: [head] })).toMatchObject({
      valid: false,
      firstInvalid: { seq: 0, reason: expect.stringMatching(/do not reproduce the known root/) },
    });
  });

  test('a second instance cannot take the lock while the first holds it, then can', async () => {
    const { log, filePath } = await openLog();
    expect(readFileSync(`${filePath}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    const second = new ImmutableLog({ filePath });
    await expect(second.open()).rejects.toEqual(expect.any(ImmutableLogLockedError));
    await expect(second.open()).rejects.toMatchObject({ pid: process.pid });
    await log.append([auditEvent(0)]);
    await log.close();
    const third = new ImmutableLog({ filePath });
    logs.push(third);
    expect((await third.open()).treeSize).toBe(1);
  });

  test('a lock held by another live process is respected; one left by a dead process is taken over', async () => {
    const filePath = path.join(tempDir(), 'audit.log');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      writeFileSync(`${filePath}.lock`, `${child.pid}\n`);
      await expect(new ImmutableLog({ filePath }).open()).rejects.toMatchObject({ pid: child.pid });
    } finally {
      child.kill();
    }
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${filePath}.lock`, `${dead.stdout}\n`);
    const { log } = await openLog(filePath);
    expect(readFileSync(log.lockPath, 'utf8')).toBe(`${process.pid}\n`);
  });

  test('inclusion proofs from the leaves in the file are RFC 6962 PATHs that verify against the root', async () => {
    const { log, filePath } = await openLog();
    await log.append(Array.from({ length: 13 }, (_, i) => auditEvent(i)));
    const all = leaves(filePath);
    for (const treeSize of [1, 7, 8, 13]) {
      for (let seq = 0; seq < treeSize; seq++) {
        const result = await log.inclusionProof(seq, treeSize);
        const expected = inclusionProof(seq, all.slice(0, treeSize)).map((p) => p.toString('hex'));
        expect(result.proof).toEqual(expected);
        expect(result.rootHash).toBe(merkleRoot(all.slice(0, treeSize)).toString('hex'));
        const proof = result.proof.map((p) => Buffer.from(p, 'hex'));
        const root = Buffer.from(result.rootHash, 'hex');
        expect(verifyInclusion(seq, treeSize, all[seq] as Buffer, proof, root)).toBe(true);
      }
    }
    expect((await log.inclusionProof(12)).treeSize).toBe(13);
    await expect(log.inclusionProof(13)).rejects.toThrow(RangeError);
    await expect(log.inclusionProof(0, 14)).rejects.toThrow(RangeError);
  });

  test('exports in the API formats: jsonl that verify-export accepts, json, and injection-safe csv', async () => {
    const { log } = await openLog();
    await log.append([auditEvent(0), auditEvent(1, { resourceId: '=HYPERLINK("http://evil.example","x")' })]);
    const collect = async (format: 'csv' | 'json' | 'jsonl') => {
      let text = '';
      for await (const chunk of log.export(format)) text += chunk;
      return text;
    };
    const jsonl = await collect('jsonl');
    expect(verifyExportText(jsonl)).toMatchObject({ valid: true, entries: 2, rehashed: 2, coverage: 'chain' });
    const json = JSON.parse(await collect('json')) as { seq: number; resourceId: string | null }[];
    expect(json.map((e) => e.seq)).toEqual([0, 1]);
    const csv = await collect('csv');
    expect(csv.split('\r\n')[0]).toMatch(/^seq,id,timestamp,/);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    // The export reads the file: a tampered line stops it instead of exporting it.
    const lines = readLines(log.filePath);
    writeLines(log.filePath, [lines[0] as string, (lines[1] as string).replace('"seq":1', '"seq":2')]);
    await expect(collect('jsonl')).rejects.toThrow(ImmutableLogCorruptError);
    // A consistent chain over something that is not an audit entry is refused too, not exported half-empty.
    const bytes = canonicalBytes({ seq: 0, id: 'x', timestamp: '2025-01-01T00:00:00.000Z', status: 'success' });
    const line = { seq: 0, leafHash: leafHash(bytes).toString('hex'), hashPrev: GENESIS_HASH };
    writeLines(log.filePath, [
      JSON.stringify({ ...line, hashCurrent: chainHash(GENESIS_HASH, bytes), canonical: bytes.toString('base64') }),
    ]);
    await expect(collect('csv')).rejects.toThrow(/line 1 \(seq 0\): canonical entry has an invalid action/);
  });
});

describe('audit verify-file', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  async function run(args: string[]): Promise<{ code: number | undefined; out: string }> {
    const program = new Command().exitOverride();
    registerOfflineAuditCommands(program.command('audit'));
    let out = '';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += chunk.toString();
      return true;
    });
    try {
      await program.parseAsync(['node', 'cartae-secops', 'audit', 'verify-file', ...args]);
    } finally {
      spy.mockRestore();
    }
    const code = process.exitCode;
    process.exitCode = undefined;
    return { code: typeof code === 'number' ? code : undefined, out };
  }

  test('exit 0 with the root on a valid file, 1 on a tampered one or against a different known head', async () => {
    const file = await logFile(3);
    const root = merkleRoot(leaves(file)).toString('hex');
    const valid = await run([file]);
    expect(valid.code).toBe(0);
    expect(valid.out).toMatch(new RegExp(`^valid: 3 entries checked; tree size 3, root ${root}`));
    expect(valid.out).toContain('not proven');
    expect((await run([file, '--tree-size', '3', '--root-hash', root])).out).toMatch(/known head of 3 entries matches/);
    const other = await run([file, '--tree-size', '2', '--root-hash', root]);
    expect(other).toMatchObject({ code: 1, out: expect.stringMatching(/^INVALID at line 1 \(seq 0\)/) });
    const json = await run([file, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ valid: true, checked: 3, rootHash: root });

    const lines = readLines(file);
    writeLines(file, [lines[0] as string, lines[2] as string]);
    expect(await run([file])).toMatchObject({
      code: 1,
      out: expect.stringMatching(/^INVALID at line 2 \(seq 1\): seq 1 is missing/),
    });
    await expect(run([file, '--root-hash', 'abc'])).rejects.toThrow(/--tree-size/);
  });
});
