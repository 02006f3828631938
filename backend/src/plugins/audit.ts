import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { isExcluded, toAuditEvent } from '../audit/http-capture';
import { createCheckpoint } from '../audit/checkpoints';
import { resolveSigningKey, type SigningKey } from '../audit/signing-key';
import { AuditWriter, treeSize, type AuditSink } from '../audit/store';
import { WriterThread } from '../audit/writer-thread';
import { latestWholeVerification, type VerificationRecord } from '../audit/verifications';
import { VerifySchedule } from '../audit/verify-schedule';

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditSink;
    auditKey: SigningKey;
  }
  interface FastifyRequest {
    /** The reason a request failed, recorded in the audit trail (5xx bodies are masked, this is not). */
    auditError: string | undefined;
  }
}

/** Commit latency buckets: a group commit takes from under a millisecond to seconds under load. */
const WRITE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The audit trail writer, shared by the ingest API and the HTTP audit hook, and its metrics. */
export default fp(
  async (app) => {
    const registers = [app.metrics.registry];
    const entries = new Counter({
      name: 'audit_log_entries_total',
      help: 'Audit entries committed by this process',
      registers,
    });
    const duration = new Histogram({
      name: 'audit_log_write_duration_seconds',
      help: 'Duration of audit write transactions (one group commit each)',
      buckets: WRITE_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'audit_log_tree_size',
      help: 'Entries in the audit trail (all processes), read from the database at scrape time',
      registers,
      async collect() {
        const size = await treeSize(app.db).catch(() => undefined);
        if (size !== undefined) this.set(size);
      },
    });
    // Both read the latest whole-trail verification recorded by any process or the CLI (audit/verifications).
    let latest: Promise<VerificationRecord | undefined> | undefined;
    const latestVerification = () => {
      latest ??= latestWholeVerification(app.db)
        .catch(() => undefined)
        .finally(() => setImmediate(() => (latest = undefined)));
      return latest;
    };
    optionalGauge(
      app.metrics.registry,
      'audit_log_integrity_check_result',
      'Result of the latest verification of the whole audit trail (any process or the CLI): 1 valid, 0 invalid; absent before the first',
      async () => {
        const record = await latestVerification();
        return record && (record.valid ? 1 : 0);
      }
    );
    optionalGauge(
      app.metrics.registry,
      'audit_log_last_verify_timestamp_seconds',
      'When the latest verification of the whole audit trail finished (Unix time); absent before the first',
      async () => {
        const record = await latestVerification();
        return record && Date.parse(record.finishedAt) / 1000;
      }
    );

    const key = resolveSigningKey(app.config.audit.signingKey, app.config.dataDir);
    app.decorate('auditKey', key);
    app.log.info(
      { source: key.source, fingerprint: key.fingerprint },
      'audit checkpoints are signed with this Ed25519 key'
    );

    // Checkpoints: after checkpointEvery new entries, and on a timer when anything was written since.
    const { checkpointEvery, checkpointIntervalMs } = app.config.audit;
    let sinceCheckpoint = 0;
    let checkpointing: Promise<void> | undefined;
    const checkpoint = (): void => {
      sinceCheckpoint = 0;
      checkpointing ??= createCheckpoint(app.db, key)
        .then(() => undefined)
        .catch((err: unknown) => app.log.warn({ err }, 'could not sign an audit checkpoint'))
        .finally(() => {
          checkpointing = undefined;
        });
    };
    const timer = setInterval(() => {
      if (sinceCheckpoint > 0) checkpoint();
    }, checkpointIntervalMs);
    timer.unref();

    const onCommit = (count: number, seconds: number): void => {
      entries.inc(count);
      duration.observe(seconds);
      sinceCheckpoint += count;
      if (sinceCheckpoint >= checkpointEvery) checkpoint();
    };
    const { url, schema, statementTimeoutMs } = app.config.database;
    let writer: AuditSink;
    if (url === undefined) {
      writer = new AuditWriter(app.db, { redactFields: app.config.audit.redactFields, onCommit });
    } else {
      const thread = new WriterThread({
        database: { url, schema, statementTimeoutMs },
        redactFields: app.config.audit.redactFields,
        onCommit,
        onThreadError: (err) =>
          app.log.error({ err }, 'the audit writer thread stopped; it restarts on the next entry'),
      });
      await thread.start();
      writer = thread;
    }
    const failures = new Counter({
      name: 'audit_log_write_failures_total',
      help: 'Audit entries of HTTP requests that could not be written',
      registers,
    });
    app.decorate('audit', writer);
    app.decorateRequest('auditError', undefined);

    if (app.config.audit.captureRequests) captureRequests(app, writer, failures);
    else app.log.warn('audit.captureRequests is off: requests to this API are not recorded in the audit trail');
    const { verifyIntervalHours } = app.config.audit;
    const schedule =
      verifyIntervalHours > 0
        ? new VerifySchedule(app.db, key, {
            intervalMs: verifyIntervalHours * 3_600_000,
            onResult: (record) =>
              record.valid
                ? app.log.info(
                    { checked: record.checked, durationMs: record.durationMs },
                    'audit trail verified: valid'
                  )
                : app.log.error({ firstInvalid: record.firstInvalid }, 'audit trail verification FAILED'),
            onError: (err) => app.log.warn({ err }, 'scheduled audit verification could not run'),
          })
        : undefined;
    schedule?.start();
    app.addHook('onClose', async () => {
      await schedule?.stop();
      clearInterval(timer);
      await writer.close();
      await checkpointing;
    });
  },
  { name: 'audit', dependencies: ['db', 'metrics', 'auth'] }
);

/**
 * A gauge without labels that has no sample while `read` gives undefined: a plain prom-client Gauge would show 0,
 * which for the integrity result would read as "invalid" before any verification ran.
 */
function optionalGauge(registry: Registry, name: string, help: string, read: () => Promise<number | undefined>): void {
  const gauge = new Gauge({ name, help, registers: [registry] });
  const get = gauge.get.bind(gauge);
  gauge.get = async () => {
    const [metric, value] = await Promise.all([get(), read()]);
    return { ...metric, values: value === undefined ? [] : [{ value, labels: {} }] };
  };
}

/**
 * Records every request (but excluded paths) after the response is sent, so the client never waits for
 * it; group commit batches these with everything else being written.
 */
function captureRequests(app: FastifyInstance, writer: AuditSink, failures: Counter): void {
  // Callback-style hooks: they run on every request, and an async hook costs a promise each time.
  app.addHook('onError', (request, _reply, error, done) => {
    request.auditError = error.message;
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && request.auditError === undefined && typeof payload === 'string') {
      try {
        const message = (JSON.parse(payload) as { message?: unknown }).message;
        if (typeof message === 'string') request.auditError = message;
      } catch {
        // not JSON: nothing to record
      }
    }
    done(null, payload);
  });
  const failed = (request: FastifyRequest, err: unknown): void => {
    failures.inc();
    request.log.error({ err }, 'could not write the audit entry of this request');
  };
  app.addHook('onResponse', (request, reply, done) => {
    try {
      const path = request.url.split('?')[0] ?? request.url;
      if (!isExcluded(path, app.config.audit.excludePaths)) {
        const event = toAuditEvent({
          method: request.method,
          url: request.url,
          route: request.is404 ? undefined : request.routeOptions.url,
          params: (request.params ?? {}) as Record<string, unknown>,
          query: request.query,
          body: request.body,
          ip: request.ip,
          userAgent: request.headers['user-agent'],
          user: request.principal?.user,
          role: request.principal?.role,
          requestId: request.id,
          statusCode: reply.statusCode,
          responseTimeMs: reply.elapsedTime,
          errorMessage: request.auditError,
        });
        writer.append([event], { background: true }).catch((err: unknown) => failed(request, err));
      }
    } catch (err) {
      failed(request, err);
    }
    done();
  });
}
