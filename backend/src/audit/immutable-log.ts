/**
 * The audit trail as an append-only JSONL file (ImmutableLog), and its verification without opening it for
 * writing. The parts live in `file-log/`: the log itself, its writer lock, the line format and scanner, the
 * verifier and the streaming readers.
 */
export { ImmutableLogCorruptError, ImmutableLogLockedError } from './file-log/errors';
export { ImmutableLog } from './file-log/log';
export { MAX_LINE_BYTES } from './file-log/scanner';
export type * from './file-log/types';
export { verifyLogFile } from './file-log/verify-file';
