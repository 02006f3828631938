import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { canonicalBytes, chainHash, GENESIS_HASH, leafHash, merkleRoot } from '../../src/audit';
import { publicKeyFingerprint, signTreeHead } from '../../src/audit/checkpoint';
import { buildEntry, entryBytes } from '../../src/audit/entry';
import { CSV_COLUMNS, checkpointTrailer, type CheckpointTrailer } from '../../src/audit/export';
import {
  parseCheckpointTrailer,
  readTrailer,
  ReverseTreeHash,
  verifyExportFile,
  verifyExportText,
  type ExportVerifyReport,
} from '../../src/audit/export-verify';
import { DEFAULT_REDACTED_FIELDS } from '../../src/audit/redact';
import { registerOfflineAuditCommands } from '../../src/cli/audit-offline';
import { auditEvent, tempDir } from '../helpers';
import { keyFromSeed } from './keys';
import { EXAMPLE_SEED } from './worked-example';

type Line = Record<string, unknown> & {
  seq: number;
  leafHash: string;
  hashPrev: string;
  hashCurrent: string;
  canonical: string | null;
};

const HASH_COLUMNS = new Set(['leafHash', 'hashPrev', 'hashCurrent', 'archived', 'canonical']);

/** Entries as GET /api/audit/export?format=jsonl writes them: visible fields, hashes, canonical bytes. */
function exportLines(n: number): Line[] {
  let prev = GENESIS_HASH;
  return Array.from({ length: n }, (_, seq) => {
    const entry = buildEntry(seq, auditEvent(seq, { body: { n: seq } }), DEFAULT_REDACTED_FIELDS);
    const bytes = entryBytes(entry);
    const record = Object.fromEntries(Object.entries(entry));
    const fields = Object.fromEntries(
      CSV_COLUMNS.filter((c) => !HASH_COLUMNS.has(c)).map((c) => [c, record[c] ?? null])
    );
    const line: Line = {
      ...fields,
      seq,
      leafHash: leafHash(bytes).toString('hex'),
      hashPrev: prev,
      hashCurrent: chainHash(prev, bytes),
      archived: false,
      canonical: bytes.toString('base64'),
    };
    prev = line.hashCurrent;
    return line;
  });
}

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

function signedTrailer(lines: readonly Line[], treeSize: number, key: KeyObject = privateKey): CheckpointTrailer {
  const leaves = lines.slice(0, treeSize).map((l) => Buffer.from(l.leafHash, 'hex'));
  const head = { treeSize, rootHash: merkleRoot(leaves).toString('hex'), timestamp: '2025-06-01T12:00:00.000Z' };
  return checkpointTrailer({ ...head, signature: signTreeHead(head, key), keyFingerprint: publicKeyFingerprint(key) });
}

const text = (lines: readonly object[], trailer?: CheckpointTrailer) =>
  [...lines, ...(trailer ? [trailer] : [])].map((l) => `${JSON.stringify(l)}\n`).join('');

/** Recomputes hashPrev, hashCurrent and leafHash from `from` on, as someone rewriting history would. */
function rehash(lines: Line[], from: number): Line[] {
  let prev = from === 0 ? GENESIS_HASH : (lines[from - 1] as Line).hashCurrent;
  return lines.map((line, i) => {
    if (i < from || line.canonical === null) return line;
    const bytes = Buffer.from(line.canonical, 'base64');
    const next = {
      ...line,
      hashPrev: prev,
      hashCurrent: chainHash(prev, bytes),
      leafHash: leafHash(bytes).toString('hex'),
    };
    prev = next.hashCurrent;
    return next;
  });
}

function withEntry(line: Line, change: Record<string, unknown>): Line {
  const entry = JSON.parse(Buffer.from(line.canonical as string, 'base64').toString()) as Record<string, unknown>;
  return { ...line, ...change, canonical: canonicalBytes({ ...entry, ...change }).toString('base64') };
}

const verify = (body: string, key: KeyObject | null = publicKey): ExportVerifyReport =>
  verifyExportText(body, { publicKey: key ?? undefined });

describe('verify-export', () => {
  const lines = exportLines(21);

  test('a complete export with its signed checkpoint is proven up to the signed root', () => {
    const report = verify(text(lines, signedTrailer(lines, 21)));
    expect(report).toMatchObject({
      valid: true,
      entries: 21,
      rehashed: 21,
      archived: 0,
      order: 'asc',
      firstSeq: 0,
      lastSeq: 20,
      gaps: 0,
      links: 20,
      coverage: 'checkpoint',
      publicKeyFingerprint: publicKeyFingerprint(publicKey),
      checkpoint: { treeSize: 21, signature: 'valid', root: 'match' },
      notProven: [],
    });
    expect(report.proven).toEqual([
      expect.stringMatching(/^21 entries: leafHash and hashCurrent recomputed/),
      expect.stringMatching(/^seq 0\.\.20 form one unbroken hash chain from the genesis hash/),
      expect.stringMatching(/^the checkpoint of 21 entries .* is signed by the key [0-9a-f]{64}$/),
      expect.stringMatching(/^the first 21 entries hash to the checkpoint root/),
    ]);
  });

  test('entries after the checkpoint are chained to it but reported as not signed', () => {
    const report = verify(text(lines, signedTrailer(lines, 13)));
    expect(report).toMatchObject({ valid: true, coverage: 'checkpoint', checkpoint: { root: 'match' } });
    expect(report.notProven).toEqual([expect.stringMatching(/^seq 13\.\.20 came after the checkpoint/)]);
  });

  test('newest-first exports verify the same way, root included, for every tree size', () => {
    for (let n = 1; n <= 21; n++) {
      for (const treeSize of [0, 1, Math.ceil(n / 2), n]) {
        const part = lines.slice(0, n);
        const report = verify(text([...part].reverse(), signedTrailer(part, treeSize)));
        expect(report).toMatchObject({ valid: true, coverage: 'checkpoint', checkpoint: { root: 'match' } });
        if (n > 1) expect(report).toMatchObject({ order: 'desc', links: n - 1 });
      }
    }
    // A newest-first export with an entry rewritten (hashes recomputed) misses the signed root.
    const forged = rehash(
      [...lines.slice(0, 9), withEntry(lines[9] as Line, { action: 'forged' }), ...lines.slice(10)],
      9
    );
    expect(verify(text([...forged].reverse(), signedTrailer(lines, 21)))).toMatchObject({
      valid: false,
      firstInvalid: { line: 22, reason: expect.stringMatching(/do not hash to the checkpoint root/) },
    });
  });

  test('the reverse root computation equals the RFC 6962 root', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    for (let size = 0; size <= leaves.length; size++) {
      const reverse = new ReverseTreeHash(size);
      expect(reverse.root() === undefined).toBe(size > 0);
      for (let i = size - 1; i >= 0; i--) reverse.push(leaves[i] as Buffer);
      expect(reverse.root()?.toString('hex')).toBe(merkleRoot(leaves.slice(0, size)).toString('hex'));
    }
  });

  test('a visible field edited while the canonical bytes are left alone is caught', () => {
    const edited = lines.map((l, i) => (i === 4 ? { ...l, action: 'delete', body: { n: 99 } } : l));
    expect(verify(text(edited, signedTrailer(lines, 21)))).toMatchObject({
      valid: false,
      coverage: 'none',
      firstInvalid: { line: 5, seq: 4, reason: 'action differs from the hashed entry' },
    });
    const extra = lines.map((l, i) => (i === 2 ? { ...l, note: 'added' } : l));
    expect(verify(text(extra)).firstInvalid).toMatchObject({ seq: 2, reason: 'note differs from the hashed entry' });
  });

  test('canonical bytes changed without their hashes, or a broken link, are caught at their line', () => {
    const changed = lines.map((l, i) => (i === 6 ? withEntry(l, { action: 'forged' }) : l));
    expect(verify(text(changed)).firstInvalid).toMatchObject({
      line: 7,
      seq: 6,
      reason: 'leafHash does not match the canonical bytes',
    });
    const relinked = lines.map((l, i) => {
      if (i !== 8) return l;
      const other = (lines[3] as Line).hashCurrent;
      const bytes = Buffer.from(l.canonical as string, 'base64');
      return { ...l, hashPrev: other, hashCurrent: chainHash(other, bytes) };
    });
    expect(verify(text(relinked)).firstInvalid).toMatchObject({
      seq: 8,
      reason: 'hashPrev of seq 8 does not equal hashCurrent of seq 7',
    });
    const badGenesis = rehash([{ ...(lines[0] as Line), hashPrev: 'f'.repeat(64) }, ...lines.slice(1)], 1);
    const first = badGenesis[0] as Line;
    badGenesis[0] = {
      ...first,
      hashCurrent: chainHash(first.hashPrev, Buffer.from(first.canonical as string, 'base64')),
    };
    expect(verify(text(badGenesis)).firstInvalid?.reason).toBe('seq 0 does not start from the genesis hash');
  });

  test('history rewritten with every later hash recomputed passes the chain but not the signed root', () => {
    const forged = rehash([...lines.slice(0, 5), withEntry(lines[5] as Line, { path: '/x' }), ...lines.slice(6)], 5);
    expect(verify(text(forged)).valid).toBe(true); // without a checkpoint nothing shows…
    expect(verify(text(forged)).notProven).toContain(
      'no signed checkpoint ends the export: a rewrite of entries that also recomputes every later hash would not show'
    );
    expect(verify(text(forged, signedTrailer(lines, 21)))).toMatchObject({
      valid: false,
      checkpoint: { signature: 'valid', root: 'mismatch' },
      firstInvalid: { line: 22 },
    });
  });

  test('missing and reordered lines: a gap leaves only per-entry checks, disorder is invalid', () => {
    const gap = verify(text([...lines.slice(0, 7), ...lines.slice(8)], signedTrailer(lines, 21)));
    expect(gap).toMatchObject({ valid: true, gaps: 1, coverage: 'entries', checkpoint: { root: 'not-covered' } });
    expect(gap.notProven).toEqual([
      expect.stringMatching(/^the export is not contiguous \(1 gap\(s\), the first between seq 6 and 8\)/),
      expect.stringMatching(/^the checkpoint root is not recomputed/),
    ]);
    const swapped = [...lines];
    [swapped[3], swapped[4]] = [lines[4] as Line, lines[3] as Line];
    expect(verify(text(swapped)).firstInvalid).toMatchObject({
      line: 5,
      seq: 3,
      reason: expect.stringMatching(/out of order/),
    });
    const repeated = [...lines.slice(0, 4), lines[3] as Line, ...lines.slice(4)];
    expect(verify(text(repeated)).firstInvalid?.reason).toBe('seq 3 is repeated');
    // A filtered export (every other entry) checks each entry, and says that is all.
    const filtered = verify(text(lines.filter((_, i) => i % 2 === 0)));
    expect(filtered).toMatchObject({ valid: true, entries: 11, links: 0, gaps: 10, coverage: 'entries' });
  });

  test('the checkpoint signature is checked with the given key only', () => {
    const other = generateKeyPairSync('ed25519');
    const byOther = verify(text(lines, signedTrailer(lines, 21, other.privateKey)));
    expect(byOther).toMatchObject({ valid: false, checkpoint: { signature: 'invalid' } });
    expect(byOther.firstInvalid?.reason).toBe(
      `checkpoint signature does not verify (signed by key ${publicKeyFingerprint(other.publicKey)})`
    );
    const moved = { ...signedTrailer(lines, 21), rootHash: signedTrailer(lines, 20).rootHash };
    expect(verify(text(lines, moved))).toMatchObject({ valid: false, firstInvalid: { line: 22 } });
    const unchecked = verify(text(lines, signedTrailer(lines, 21)), null);
    expect(unchecked).toMatchObject({
      valid: true,
      coverage: 'chain',
      checkpoint: { signature: 'not-checked', root: 'match' },
    });
    expect(unchecked.notProven).toEqual([expect.stringMatching(/is not authenticated: no public key/)]);
  });

  test('archived entries are reported as not verifiable, not as tampering', () => {
    const archived = lines.map((l, i) =>
      i === 2 || i === 3 ? { ...l, canonical: null, archived: true, path: null, body: null, ip: null } : l
    );
    const report = verify(text(archived, signedTrailer(lines, 21)));
    expect(report).toMatchObject({ valid: true, rehashed: 19, archived: 2, coverage: 'checkpoint' });
    expect(report.notProven).toEqual([expect.stringMatching(/^2 archived entries have no canonical bytes/)]);
    const hidden = lines.map((l, i) => (i === 2 ? { ...l, canonical: null } : l));
    expect(verify(text(hidden)).firstInvalid?.reason).toBe('canonical is missing but the entry is not archived');
  });

  test('the checkpoint must be the one last line, and well formed', () => {
    const trailer = signedTrailer(lines, 21);
    expect(verify(text([...lines.slice(0, 3), trailer, ...lines.slice(3)])).firstInvalid).toMatchObject({
      line: 4,
      reason: 'a checkpoint line must be the last line, and only one',
    });
    expect(verify(`${text(lines, trailer)}${JSON.stringify(trailer)}\n`).firstInvalid?.line).toBe(23);
    const malformed = { ...trailer, treeSize: -1 };
    expect(verify(text(lines, malformed as CheckpointTrailer)).firstInvalid?.reason).toMatch(
      /^malformed checkpoint trailer/
    );
    expect(verify(`${text(lines.slice(0, 2))}\n${text(lines.slice(2))}`).firstInvalid).toMatchObject({
      line: 3,
      reason: 'empty line',
    });
    expect(verify('')).toMatchObject({ valid: true, entries: 0, coverage: 'none' });
  });

  test('from a file: the trailer is read from the end, progress reaches the total', async () => {
    const file = path.join(tempDir(), 'export.jsonl');
    const trailer = signedTrailer(lines, 21);
    writeFileSync(file, text(lines, trailer));
    expect(await readTrailer(file)).toEqual(trailer);
    const progress: [number, number][] = [];
    const report = await verifyExportFile(file, {
      publicKey,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(report).toEqual(verify(text(lines, trailer)));
    expect(progress.at(-1)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(progress.at(-1)?.[0]).toBe(progress.at(-1)?.[1]);
    writeFileSync(file, text(lines));
    expect(await readTrailer(file)).toBeUndefined();
  });
});

test('the trailer shown in docs/audit-format.md is well formed and signed by the example key', () => {
  const doc = readFileSync(path.join(__dirname, '../../../docs/audit-format.md'), 'utf8');
  const line = doc.split('\n').find((l) => l.startsWith('{"type":"checkpoint"'));
  const trailer = parseCheckpointTrailer(JSON.parse(line ?? 'null'));
  const key = createPublicKey(keyFromSeed(EXAMPLE_SEED));
  expect(trailer).toMatchObject({ treeSize: 3, keyFingerprint: publicKeyFingerprint(key) });
  expect(verifyExportText(`${line}\n`, { publicKey: key })).toMatchObject({
    valid: true,
    entries: 0,
    checkpoint: { signature: 'valid', root: 'not-covered' },
  });
});

describe('audit verify-export command', () => {
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
      await program.parseAsync(['node', 'cartae-secops', 'audit', 'verify-export', ...args]);
    } finally {
      spy.mockRestore();
    }
    const code = process.exitCode;
    process.exitCode = undefined;
    return { code: typeof code === 'number' ? code : undefined, out };
  }

  const lines = exportLines(8);
  const dir = tempDir();
  const keyFile = path.join(dir, 'public.pem');
  writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const write = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, body);
    return file;
  };

  test('exit 0 with what was proven, 1 when tampered or, with --require-checkpoint, not proven in full', async () => {
    const complete = write('complete.jsonl', text(lines, signedTrailer(lines, 8)));
    const valid = await run([complete, '--public-key', keyFile]);
    expect(valid.code).toBe(0);
    expect(valid.out).toMatch(
      /^public key: [0-9a-f]{64}\nvalid: 8 entries \(seq 0\.\.7, oldest first\) checked; verified up to: checkpoint\n/
    );
    expect(valid.out).toMatch(/\n {2}proven: the first 8 entries hash to the checkpoint root/);
    const json = await run([complete, '--public-key', keyFile, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ valid: true, coverage: 'checkpoint' });

    const withoutKey = await run([complete, '--require-checkpoint']);
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.out).toMatch(/not proven: the checkpoint of 8 entries .* is not authenticated/);
    expect(withoutKey.out).toMatch(/INVALID for --require-checkpoint/);
    expect((await run([complete])).code).toBe(0);

    const gap = write('gap.jsonl', text([...lines.slice(0, 3), ...lines.slice(4)], signedTrailer(lines, 8)));
    expect((await run([gap, '--public-key', keyFile])).code).toBe(0);
    expect((await run([gap, '--public-key', keyFile, '--require-checkpoint'])).code).toBe(1);

    const tampered = write('tampered.jsonl', text(lines.map((l, i) => (i === 5 ? { ...l, ip: '203.0.113.9' } : l))));
    expect(await run([tampered])).toEqual({
      code: 1,
      out: 'INVALID at line 6 (seq 5): ip differs from the hashed entry\n',
    });
  });

  test('an unreadable or wrong key is a configuration error, a missing export another error', async () => {
    const complete = write('c.jsonl', text(lines));
    await expect(run([complete, '--public-key', path.join(dir, 'none.pem')])).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(/--public-key cannot be read/),
    });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' });
    await expect(run([complete, '--public-key', write('rsa.pem', rsa.toString())])).rejects.toMatchObject({
      name: 'ConfigError',
    });
    await expect(run([path.join(dir, 'missing.jsonl')])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
