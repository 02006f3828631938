/**
 * The `ingest` section of soar-config.yml: which JSON-lines logs to tail and how. Validated here, as the
 * `autoBlocker` section is in soar/config.ts, so that every error names its key, e.g.
 * `soar-config.yml: ingest.files[2].from`. Relative paths are resolved against the working directory, as DATA_DIR is.
 */
import path from 'node:path';
import { fail, integer, mapping } from '../config/values';
import { JAIL_PATTERN } from '../soar/event';
import { MAX_LINE_BYTES } from '../soar/line-splitter';

export const StartAt = { start: 'start', end: 'end' } as const;
export type StartAt = (typeof StartAt)[keyof typeof StartAt];

export interface IngestFileConfig {
  /** Absolute path; the file is followed by name, across rotations. */
  path: string;
  /** Set on events of this file that do not name a jail themselves. */
  jail: string | null;
  /** Where to begin when there is no saved position and the file already exists at start-up. */
  from: StartAt;
}

export interface IngestConfig {
  files: IngestFileConfig[];
  /** Files are checked this often even when no change notification arrives. */
  pollIntervalMs: number;
  /** Most events handed to the pipeline at once. */
  batchSize: number;
  /** Where read positions are kept across restarts. */
  stateFile: string;
  /** Longer lines are skipped and counted, never buffered. */
  maxLineBytes: number;
  /** A rotated file is still read until it has not grown for this long (writers reopen their log late). */
  rotateWaitMs: number;
}

/** Room for a large field that no rule reads (a stack trace, a request body) on top of the longest event. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024 + MAX_LINE_BYTES;
/** Each followed file keeps one line buffer of `maxLineBytes`; the cap keeps a typo from taking the memory. */
const MAX_FILES = 256;

function filePath(value: unknown, key: string, cwd: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(key, 'must be a file path', value);
  if (value.includes('\0')) fail(key, 'must not contain a NUL character');
  return path.resolve(cwd, value.trim());
}

function parseFile(raw: unknown, key: string, cwd: string): IngestFileConfig {
  if (typeof raw === 'string') return { path: filePath(raw, key, cwd), jail: null, from: StartAt.start };
  const f = mapping(raw, key, ['path', 'jail', 'from']);
  let jail: string | null = null;
  if (f.jail !== undefined && f.jail !== null) {
    if (typeof f.jail !== 'string' || !JAIL_PATTERN.test(f.jail)) {
      fail(`${key}.jail`, 'must be a Fail2ban jail name (letters, digits, _ . -)', f.jail);
    }
    jail = f.jail;
  }
  const from = f.from ?? StartAt.start;
  if (from !== StartAt.start && from !== StartAt.end) fail(`${key}.from`, 'must be one of start, end', from);
  return { path: filePath(f.path, `${key}.path`, cwd), jail, from };
}

/**
 * Validates the `ingest` section; `where` prefixes the keys in errors. An absent section tails nothing.
 * `dataDir` holds the default state file.
 */
export function parseIngestConfig(raw: unknown, where: string, dataDir: string, cwd: string): IngestConfig {
  const section = raw === undefined || raw === null ? {} : mapping(raw, where, INGEST_KEYS);
  const files = section.files ?? [];
  if (!Array.isArray(files)) fail(`${where}.files`, 'must be a list', files);
  if (files.length > MAX_FILES) fail(`${where}.files`, `must list at most ${MAX_FILES} files`);
  const parsed = files.map((f, i) => parseFile(f, `${where}.files[${i}]`, cwd));
  const seen = new Map<string, number>();
  parsed.forEach((f, i) => {
    const first = seen.get(f.path);
    // Two tailers on one file would hand every event twice.
    if (first !== undefined) fail(`${where}.files[${i}]`, `repeats the path of files[${first}]`, f.path);
    seen.set(f.path, i);
  });
  const stateFile =
    section.stateFile === undefined
      ? path.join(dataDir, 'ingest', 'positions.json')
      : filePath(section.stateFile, `${where}.stateFile`, cwd);
  return {
    files: parsed,
    pollIntervalMs: integer(section.pollIntervalMs, `${where}.pollIntervalMs`, 10, 60_000, 1000),
    batchSize: integer(section.batchSize, `${where}.batchSize`, 1, 100_000, 500),
    stateFile,
    maxLineBytes: integer(
      section.maxLineBytes,
      `${where}.maxLineBytes`,
      MAX_LINE_BYTES,
      64 * 1024 * 1024,
      DEFAULT_MAX_LINE_BYTES
    ),
    rotateWaitMs: integer(section.rotateWaitMs, `${where}.rotateWaitMs`, 0, 3_600_000, 5000),
  };
}

const INGEST_KEYS = ['files', 'pollIntervalMs', 'batchSize', 'stateFile', 'maxLineBytes', 'rotateWaitMs'] as const;
