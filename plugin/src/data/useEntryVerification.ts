import { useQuery } from '@tanstack/react-query';
import { getAuditPublicKey, getInclusionProof, getLatestCheckpoint } from '../api/audit';
import type { AuditEventDetail } from '../api/types';
import { verifyEntry } from '../audit/verifyEntry';
import { queryKeys } from './queryKeys';

/**
 * Verifies one entry in the browser: against the latest signed checkpoint when it covers the entry (its proof is
 * taken in that tree and its signature checked), else against the current tree head.
 */
export function useEntryVerification(entry: AuditEventDetail | undefined) {
  return useQuery({
    queryKey: queryKeys.audit.entryVerification(entry?.id ?? ''),
    enabled: entry !== undefined,
    staleTime: Infinity,
    queryFn: async () => {
      const detail = entry as AuditEventDetail;
      const checkpoint = await getLatestCheckpoint();
      const covered = checkpoint !== null && checkpoint.treeSize > detail.seq;
      const [proof, publicKeyPem] = await Promise.all([
        getInclusionProof(detail.seq, covered ? checkpoint.treeSize : undefined),
        covered ? getAuditPublicKey() : Promise.resolve(null),
      ]);
      return verifyEntry({ entry: detail, proof, checkpoint: covered ? checkpoint : null, publicKeyPem });
    },
  });
}
