import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { createCheckpoint, latestCheckpoint } from '../audit/checkpoints';
import { planInclusion, planConsistency, planRoot } from '../audit/merkle-store';
import { toHex as hex } from '../audit/hash';
import { fetchNodes, treeSize as storedTreeSize } from '../audit/store';
import { BadRequestError } from '../errors';
import { Access } from '../auth/roles';
import { authErrors, bearerSecurity } from '../schemas/common';
import {
  CheckpointResponse,
  ConsistencyQuery,
  ConsistencyResponse,
  InclusionQuery,
  InclusionResponse,
} from '../schemas/audit-proof';

const errors = { 400: { $ref: 'ErrorResponse' }, 404: { $ref: 'ErrorResponse' }, ...authErrors } as const;

/** Signed checkpoints and RFC 6962 proofs (docs/audit-format.md). */
const auditProofRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/checkpoint',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary: 'The latest signed tree head',
        security: bearerSecurity,
        response: { 200: CheckpointResponse, ...errors },
      },
    },
    async (_request, reply) => {
      const checkpoint = await latestCheckpoint(app.db);
      if (!checkpoint)
        return reply.code(404).send({ message: 'no checkpoint yet: POST /api/audit/checkpoint signs one' });
      return checkpoint;
    }
  );

  app.post(
    '/checkpoint',
    {
      config: { access: Access.admin },
      schema: {
        tags: ['audit'],
        summary: 'Sign the current tree head now (returns the existing one when nothing was added)',
        security: bearerSecurity,
        response: { 201: CheckpointResponse, ...errors },
      },
    },
    async (_request, reply) => reply.code(201).send(await createCheckpoint(app.db, app.auditKey))
  );

  app.get(
    '/public-key',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary: 'The Ed25519 public key that verifies checkpoints (PEM)',
        security: bearerSecurity,
        produces: ['application/x-pem-file'],
        response: { 200: Type.String(), ...errors },
      },
    },
    async (_request, reply) =>
      reply
        .type('application/x-pem-file')
        .header('x-key-fingerprint', app.auditKey.fingerprint)
        .send(app.auditKey.publicKeyPem)
  );

  app.get(
    '/proof/inclusion',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary: 'RFC 6962 inclusion proof of entry `seq` in the tree of `treeSize` entries',
        security: bearerSecurity,
        querystring: InclusionQuery,
        response: { 200: InclusionResponse, ...errors },
      },
    },
    async (request) => {
      const size = await storedTreeSize(app.db);
      const treeSize = request.query.treeSize ?? size;
      if (treeSize > size) throw new BadRequestError(`treeSize ${treeSize} is larger than the log (${size} entries)`);
      const { seq } = request.query;
      let plan;
      try {
        plan = planInclusion(seq, treeSize);
      } catch (err) {
        throw new BadRequestError((err as Error).message);
      }
      const root = planRoot(treeSize);
      const leaf = { level: 0, index: seq };
      const lookup = await fetchNodes(app.db, [...plan.nodes, ...root.nodes, leaf]);
      const leafHash = lookup(leaf);
      if (!leafHash) throw new Error(`leaf ${seq} is missing`);
      return {
        seq,
        treeSize,
        leafHash: hex(leafHash),
        rootHash: hex(root.assemble(lookup)),
        proof: plan.assemble(lookup).map(hex),
      };
    }
  );

  app.get(
    '/proof/consistency',
    {
      config: { access: Access.viewer },
      schema: {
        tags: ['audit'],
        summary: 'RFC 6962 consistency proof between the trees of `from` and `to` entries',
        security: bearerSecurity,
        querystring: ConsistencyQuery,
        response: { 200: ConsistencyResponse, ...errors },
      },
    },
    async (request) => {
      const size = await storedTreeSize(app.db);
      const to = request.query.to ?? size;
      const { from } = request.query;
      if (to > size) throw new BadRequestError(`to ${to} is larger than the log (${size} entries)`);
      let plan;
      try {
        plan = planConsistency(from, to);
      } catch (err) {
        throw new BadRequestError((err as Error).message);
      }
      const fromRoot = planRoot(from);
      const toRoot = planRoot(to);
      const lookup = await fetchNodes(app.db, [...plan.nodes, ...fromRoot.nodes, ...toRoot.nodes]);
      return {
        from,
        to,
        fromRoot: hex(fromRoot.assemble(lookup)),
        toRoot: hex(toRoot.assemble(lookup)),
        proof: plan.assemble(lookup).map(hex),
      };
    }
  );
};

export default auditProofRoutes;
