import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram } from 'prom-client';
import { AuditWriter } from '../audit/store';

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditWriter;
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
        const head = await app.db.query<{ tree_size: number }>('SELECT tree_size FROM audit_head').catch(() => null);
        const size = head?.rows[0]?.tree_size;
        if (size !== undefined) this.set(size);
      },
    });
    const writer = new AuditWriter(app.db, {
      redactFields: app.config.audit.redactFields,
      onCommit: (count, seconds) => {
        entries.inc(count);
        duration.observe(seconds);
      },
    });
    app.decorate('audit', writer);
    app.addHook('onClose', async () => {
      await writer.flush();
    });
  },
  { name: 'audit', dependencies: ['db', 'metrics'] }
);
