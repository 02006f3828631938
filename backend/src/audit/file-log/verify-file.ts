/**
 * Read-only verification of a log file: every line from genesis, plus tree heads recorded elsewhere that the
 * file must still reproduce, so that rewritten entries or entries removed from the end show.
 */
import { stat } from 'node:fs/promises';
import { GENESIS_HASH } from '../chain';
import { MerkleTreeBuilder } from '../merkle-builder';
import { scanLog, tornWarning } from './scanner';
import type { LogVerifyOptions, LogVerifyReport } from './types';

/** Re-verifies a log file without opening it for writing (no lock): safe on a file another process appends to. */
export async function verifyLogFile(filePath: string, options: LogVerifyOptions = {}): Promise<LogVerifyReport> {
  const heads = [...(options.knownHeads ?? [])].sort((a, b) => a.treeSize - b.treeSize);
  const total = (await stat(filePath)).size;
  let lastProgress = 0;
  const onBytes = options.onProgress
    ? (read: number) => {
        if (read - lastProgress >= 1 << 22 || read === total) {
          lastProgress = read;
          options.onProgress?.(read, total);
        }
      }
    : undefined;
  const tree = new MerkleTreeBuilder();
  let headHash = GENESIS_HASH;
  let next = 0;
  let matched = 0;
  const warnings: string[] = [];
  const report = (firstInvalid?: LogVerifyReport['firstInvalid']): LogVerifyReport => ({
    valid: firstInvalid === undefined,
    checked: tree.size,
    rootHash: tree.root().toString('hex'),
    headHash,
    ...(firstInvalid ? { firstInvalid } : {}),
    warnings,
  });
  const checkHeads = (): LogVerifyReport['firstInvalid'] => {
    for (let head = heads[next]; head !== undefined && head.treeSize === tree.size; head = heads[++next]) {
      const rootOk = head.rootHash === undefined || head.rootHash === tree.root().toString('hex');
      const headOk = head.headHash === undefined || head.headHash === headHash;
      if (!rootOk || !headOk) {
        const reason = `the first ${head.treeSize} entries do not reproduce the known ${rootOk ? 'head hash' : 'root'}: entries before it were rewritten`;
        return { seq: matched, line: matched + 1, reason };
      }
      matched = head.treeSize;
    }
    return undefined;
  };

  let problem = checkHeads();
  if (problem) return report(problem);
  for await (const event of scanLog(filePath, onBytes)) {
    if (event.kind === 'invalid') return report({ seq: event.seq, line: event.line, reason: event.reason });
    if (event.kind === 'torn') {
      warnings.push(tornWarning(event));
      break;
    }
    tree.append(Buffer.from(event.row.leafHash, 'hex'));
    headHash = event.row.hashCurrent;
    problem = checkHeads();
    if (problem) return report(problem);
  }
  const missing = heads[next];
  if (missing) {
    return report({
      seq: tree.size,
      line: tree.size + 1,
      reason: `the file ends after ${tree.size} entries, but a known head covers ${missing.treeSize}: entries were removed from the end`,
    });
  }
  return report();
}
