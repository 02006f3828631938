import { useCallback, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { getTreeSize, verifyAuditChain } from '../api/audit';
import type { VerifyReport } from '../api/types';

/** Entries per verification request when the trail is too large for one request to show progress. */
export const VERIFY_CHUNK = 100_000;

export type SeqRange = { fromSeq: number; toSeq: number };

/**
 * One whole-trail run (which also compares the signed checkpoints and records the integrity status) when the
 * trail fits in one chunk; else consecutive ranges. Each range after the first starts on the previous range's last
 * entry: the server starts a range from that entry's stored hash_prev, which the previous range has just checked,
 * so the ranges together check the chain without a gap.
 */
export function planVerification(treeSize: number, chunk = VERIFY_CHUNK): Array<SeqRange | undefined> {
  if (treeSize <= chunk) {
    return [undefined];
  }
  const ranges: SeqRange[] = [];
  for (let from = 0; from < treeSize - 1; from += chunk - 1) {
    ranges.push({ fromSeq: from, toSeq: Math.min(from + chunk - 1, treeSize - 1) });
  }
  return ranges;
}

export interface ChainProgress {
  checked: number;
  total: number;
}

export interface ChainVerification extends VerifyReport {
  /** One whole-trail run (checkpoints compared, integrity status recorded) rather than ranges. */
  whole: boolean;
}

/** "Verify chain": runs the plan, reporting the entries checked so far; stops at the first invalid entry. */
export function useVerifyChain(chunk = VERIFY_CHUNK) {
  const [progress, setProgress] = useState<ChainProgress | null>(null);
  const run = useCallback(async (): Promise<ChainVerification> => {
    setProgress(null);
    const total = await getTreeSize();
    setProgress({ checked: 0, total });
    const plan = planVerification(total, chunk);
    let durationMs = 0;
    let report: VerifyReport | undefined;
    for (const range of plan) {
      report = await verifyAuditChain(range);
      durationMs += report.durationMs;
      setProgress({ checked: range ? range.toSeq + 1 : report.checked, total: Math.max(total, report.treeSize) });
      if (!report.valid) {
        break;
      }
    }
    const last = report as VerifyReport;
    const checked = plan.length === 1 ? last.checked : Math.min(total, (plan.at(-1) as SeqRange).toSeq + 1);
    return { ...last, checked: last.valid ? checked : last.checked, durationMs, whole: plan.length === 1 };
  }, [chunk]);
  const mutation = useMutation({ mutationFn: run, meta: { errorMessage: 'The verification could not run' } });
  return { ...mutation, progress };
}
