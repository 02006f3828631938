import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Icon, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import type { AuditEventDetail } from '../../api/types';
import type { EntryVerification, HashCheck } from '../../audit/verifyEntry';
import { useEntryVerification } from '../../data/useEntryVerification';
import { QueryError } from '../QueryError/QueryError';

/** The entry's hashes, each recomputed here, and its RFC 6962 inclusion proof folded up to the signed root. */
export function EntryVerificationPanel({ entry }: { entry: AuditEventDetail }) {
  const styles = useStyles2(getStyles);
  const { data, error, isLoading, refetch } = useEntryVerification(entry);
  return (
    <section aria-label="Integrity" className={styles.section}>
      <h4>
        Integrity{' '}
        {data && (
          <Badge
            text={data.verified ? 'Verified in your browser' : 'Verification failed'}
            color={data.verified ? 'green' : 'red'}
          />
        )}
      </h4>
      <dl className={styles.hashes}>
        <dt>leaf_hash</dt>
        <dd>{entry.leafHash}</dd>
        <dt>hash_prev</dt>
        <dd>{entry.hashPrev}</dd>
        <dt>hash_current</dt>
        <dd>{entry.hashCurrent}</dd>
      </dl>
      {isLoading && <LoadingPlaceholder text="Verifying the inclusion proof…" />}
      {error && <QueryError title="Could not verify this entry" error={error} onRetry={() => refetch()} />}
      {data && <Checks result={data} />}
    </section>
  );
}

function Check({ ok, children }: { ok: boolean | null; children: React.ReactNode }) {
  const styles = useStyles2(getStyles);
  const icon = ok === null ? 'minus-circle' : ok ? 'check-circle' : 'exclamation-triangle';
  return (
    <li className={ok === false ? styles.bad : undefined}>
      <Icon name={icon} /> {children}
    </li>
  );
}

function hashText(name: string, check: HashCheck): string {
  if (check.ok === null) {
    return `${name}: not recomputed (payload archived)`;
  }
  return check.ok
    ? `${name} recomputed from the entry bytes: matches`
    : `${name} recomputed: ${check.computed}, stored value differs`;
}

function Checks({ result }: { result: EntryVerification }) {
  const styles = useStyles2(getStyles);
  const { inclusion, signature } = result;
  const anchor =
    inclusion.anchor === 'checkpoint'
      ? 'the latest signed checkpoint'
      : 'the current tree head (no signed checkpoint covers this entry yet)';
  return (
    <ul aria-label="Verification checks" className={styles.checks}>
      <Check ok={result.leafHash.ok}>{hashText('Leaf hash', result.leafHash)}</Check>
      <Check ok={result.chainHash.ok}>{hashText('Chain hash', result.chainHash)}</Check>
      <Check ok={inclusion.ok}>
        Inclusion proof in the tree of {inclusion.treeSize} entries {inclusion.ok ? 'leads to' : 'does not lead to'} the
        root of {anchor}: {inclusion.rootHash}
      </Check>
      {signature && (
        <Check ok={signature.valid}>
          {signature.valid === null
            ? 'Checkpoint signature not checked: this browser has no Ed25519 in Web Crypto'
            : `Checkpoint signature ${signature.valid ? 'valid' : 'INVALID'} (Ed25519 key ${signature.fingerprint})`}
        </Check>
      )}
    </ul>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginTop: theme.spacing(3) }),
  hashes: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    dd: { margin: 0, wordBreak: 'break-all' },
  }),
  bad: css({ color: theme.colors.error.text }),
  checks: css({ listStyle: 'none', padding: 0, margin: theme.spacing(1, 0), li: { marginBottom: theme.spacing(0.5) } }),
});
