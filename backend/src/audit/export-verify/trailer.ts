/**
 * The checkpoint trailer that ends a jsonl export: its members checked, and read from the end of an export file
 * before its lines are streamed.
 */
import { open } from 'node:fs/promises';
import { treeHeadProblem } from '../checkpoint';
import type { CheckpointTrailer } from '../export';
import { isHashHex } from '../hash';
import { isRecord } from './json';

const TRAILER_KEYS = ['type', 'treeSize', 'rootHash', 'timestamp', 'signature', 'keyFingerprint'];
/** The trailer is a few hundred bytes; reading this much from the end finds it without reading the file twice. */
const TAIL_BYTES = 64 * 1024;

/** The trailer's members, or why they are not a checkpoint. */
export function parseCheckpointTrailer(value: unknown): CheckpointTrailer | string {
  if (!isRecord(value) || value.type !== 'checkpoint') return 'not a checkpoint line';
  const keys = Object.keys(value);
  if (keys.length !== TRAILER_KEYS.length || !TRAILER_KEYS.every((key) => key in value)) {
    return `members must be exactly ${TRAILER_KEYS.join(', ')}`;
  }
  const { treeSize, rootHash, timestamp, signature, keyFingerprint } = value;
  if (typeof treeSize !== 'number' || typeof rootHash !== 'string' || typeof timestamp !== 'string') {
    return 'treeSize, rootHash and timestamp have the wrong types';
  }
  const problem = treeHeadProblem({ treeSize, rootHash, timestamp });
  if (problem) return problem;
  if (typeof signature !== 'string' || !isHashHex(keyFingerprint)) {
    return 'signature must be a string and keyFingerprint 64 lowercase hex characters';
  }
  return { type: 'checkpoint', treeSize, rootHash, timestamp, signature, keyFingerprint };
}

/**
 * The checkpoint trailer of an export file, read from its end; undefined when the last line is not one (a
 * malformed trailer is then reported by the line-by-line pass).
 */
export async function readTrailer(filePath: string): Promise<CheckpointTrailer | undefined> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    const lines = tail.toString('utf8').replace(/[\r\n]+$/, '');
    const start = lines.lastIndexOf('\n');
    if (start === -1 && length < size) return undefined; // the last line is longer than any trailer
    return trailerOf(lines.slice(start + 1));
  } finally {
    await handle.close();
  }
}

/** The checkpoint trailer in one line of text; undefined when the line is not one. */
export function trailerOf(line: string): CheckpointTrailer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const trailer = parseCheckpointTrailer(value);
  return typeof trailer === 'string' ? undefined : trailer;
}
