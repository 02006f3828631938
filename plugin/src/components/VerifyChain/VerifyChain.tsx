import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, useStyles2 } from '@grafana/ui';
import { useVerifyChain, type ChainProgress, type ChainVerification } from '../../data/useVerifyChain';

const count = (n: number) => n.toLocaleString('en-US');

/** "Verify chain": the backend re-hashes every stored entry; shows how far it got and what it found. */
export function VerifyChain() {
  const styles = useStyles2(getStyles);
  const { mutate, isPending, data, error, progress } = useVerifyChain();
  return (
    <div className={styles.container}>
      <Button icon={isPending ? 'spinner' : 'shield'} variant="secondary" disabled={isPending} onClick={() => mutate()}>
        Verify chain
      </Button>
      {isPending && <Progress progress={progress} />}
      {!isPending && data && <ChainResult result={data} />}
      {!isPending && error && (
        <Alert severity="error" title="The verification could not run">
          {error.message}
        </Alert>
      )}
    </div>
  );
}

function Progress({ progress }: { progress: ChainProgress | null }) {
  const styles = useStyles2(getStyles);
  const total = progress?.total ?? 0;
  return (
    <div role="status" className={styles.progress}>
      <progress
        aria-label="Verification progress"
        max={total || undefined}
        value={total ? progress?.checked : undefined}
      />
      <span>
        {total ? `Verifying… ${count(progress?.checked ?? 0)} of ${count(total)} entries` : 'Reading the tree head…'}
      </span>
    </div>
  );
}

function ChainResult({ result }: { result: ChainVerification }) {
  if (!result.valid) {
    const bad = result.firstInvalid;
    return (
      <Alert severity="error" title={bad ? `Chain invalid at seq ${bad.seq}` : 'Chain invalid'}>
        {bad?.reason}. Entries before seq {bad?.seq ?? '?'} verified; nothing from this entry on can be trusted.
      </Alert>
    );
  }
  const scope = result.whole
    ? `${count(result.checkpointsChecked)} signed checkpoint(s) matched`
    : 'checked in ranges: signed checkpoints are compared by the scheduled whole-trail verification';
  return (
    <Alert severity="success" title={`Chain valid: ${count(result.checked)} entries`}>
      Every entry re-hashed in {Math.round(result.durationMs)} ms; {scope}.
      {result.rootHash && <div>Root hash {result.rootHash}</div>}
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), alignItems: 'flex-start' }),
  progress: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center' }),
});
