/** What the security and SOAR routes share: reading an address or block, and 503 answers with their reason. */
import type { FastifyReply } from 'fastify';
import { BadRequestError } from '../errors';
import { canonicalBlock } from '../security/cidr';
import { SecurityUnavailableError } from '../security/errors';

/** An address or CIDR block from client input, canonical; 400 naming the field otherwise. */
export function blockParam(value: string, field = 'ip'): string {
  const block = canonicalBlock(value);
  if (block === null) {
    throw new BadRequestError(`${field} must be an IPv4 or IPv6 address or CIDR block (got ${JSON.stringify(value)})`);
  }
  return block;
}

/**
 * Runs `work`; when the security service cannot take it now (loading, busy) answers 503 with the reason and
 * Retry-After, which the error handler would mask as it masks every 5xx.
 */
export async function unlessUnavailable<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof SecurityUnavailableError)) throw err;
    return reply.code(503).header('retry-after', '1').send({ message: err.message }) as unknown as T;
  }
}
