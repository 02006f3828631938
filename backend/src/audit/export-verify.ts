/**
 * Offline verification of a jsonl export (GET /api/audit/export?format=jsonl) with nothing but the export and
 * the public key: every entry is re-hashed from its canonical bytes, its visible fields compared with the hashed
 * entry, seq continuity and hashPrev links checked in either order, and, when the export holds seq 0 up to the
 * trailer's tree size, the RFC 6962 root recomputed and compared with the signed checkpoint.
 * What each step proves: docs/audit-format.md. Streams line by line; memory stays O(log n).
 * The parts live in `export-verify/`: the trailer, the line verifier, the reverse-order root and the report.
 */
export { jsonEqual } from './export-verify/json';
export type { ExportCheckpointResult, ExportCoverage, ExportVerifyReport } from './export-verify/report';
export { ReverseTreeHash } from './export-verify/reverse-tree-hash';
export { parseCheckpointTrailer, readTrailer } from './export-verify/trailer';
export { ExportVerifier, type ExportVerifyOptions } from './export-verify/verifier';
export { verifyExportFile, verifyExportText, type ExportFileOptions } from './export-verify/verify-export';
