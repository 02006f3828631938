import fp from 'fastify-plugin';
import type { Database } from '../db';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

export interface DbPluginOptions {
  db: Database;
}

/** Exposes the database to routes. The caller that opened the database closes it. */
export default fp<DbPluginOptions>(
  async (app, opts) => {
    app.decorate('db', opts.db);
  },
  { name: 'db' }
);
