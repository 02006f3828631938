import { ApiError, proxyUrl, request } from './client';
import type {
  AuditEventDetail,
  AuditIntegrity,
  AuditFilter,
  Checkpoint,
  InclusionProof,
  ListEventsResponse,
  VerifyReport,
} from './types';

export type ExportFormat = 'csv' | 'json' | 'jsonl';

/** Newest first, one keyset page at a time (`nextCursor` of the previous page). */
export function listAuditEvents(filter: AuditFilter, cursor?: string, limit = 100): Promise<ListEventsResponse> {
  return request<ListEventsResponse>({ path: 'api/audit/events', params: { ...filter, cursor, limit } });
}

/** One entry with the base64 canonical bytes its hashes cover. */
export function getAuditEvent(id: string): Promise<AuditEventDetail> {
  return request<AuditEventDetail>({ path: `api/audit/events/${encodeURIComponent(id)}` });
}

/** The latest signed tree head, or null before the first one is signed. */
export async function getLatestCheckpoint(): Promise<Checkpoint | null> {
  try {
    return await request<Checkpoint>({ path: 'api/audit/checkpoint' });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      return null;
    }
    throw err;
  }
}

/** RFC 6962 inclusion proof of entry `seq` in the tree of `treeSize` entries (default: the current size). */
export function getInclusionProof(seq: number, treeSize?: number): Promise<InclusionProof> {
  return request<InclusionProof>({ path: 'api/audit/proof/inclusion', params: { seq, treeSize } });
}

/** The number of entries in the trail now (the size of the tree the newest proof is taken in). */
export async function getTreeSize(): Promise<number> {
  try {
    return (await getInclusionProof(0)).treeSize;
  } catch (err) {
    // An empty trail has no entry 0 to prove.
    if (err instanceof ApiError && err.status === 400) {
      return 0;
    }
    throw err;
  }
}

/** The Ed25519 public key (SPKI PEM) that signs checkpoints. */
export function getAuditPublicKey(): Promise<string> {
  return request<string>({ path: 'api/audit/public-key', responseType: 'text' });
}

/** Re-hashes the stored entries of a seq range on the server (the whole trail without a range). */
export function verifyAuditChain(range: { fromSeq?: number; toSeq?: number } = {}): Promise<VerifyReport> {
  return request<VerifyReport>({ path: 'api/audit/verify', method: 'POST', params: range });
}

/** Admin: sign the current tree head now. */
export function signCheckpoint(): Promise<Checkpoint> {
  return request<Checkpoint>({ path: 'admin/audit/checkpoint', method: 'POST' });
}

/** A download link for the entries matching `filter`; the browser streams it through the Viewer route. */
export function auditExportUrl(filter: AuditFilter, format: ExportFormat): string {
  return proxyUrl('api/audit/export', { ...filter, format });
}

/** The result of the latest whole-trail verification (valid, invalid with the first bad seq, or unknown). */
export function getAuditIntegrity(): Promise<AuditIntegrity> {
  return request<AuditIntegrity>({ path: 'api/audit/integrity' });
}
