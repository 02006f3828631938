/**
 * docs/audit-format.md is the contract for independent verifiers: every value of its worked example must be
 * what the code computes, and must verify with the code's own verifiers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPublicKey } from 'node:crypto';
import { verifyTreeHead } from '../../src/audit/checkpoint';
import { hashFromHex } from '../../src/audit/hash';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle-verify';
import { EXAMPLE_SEED, workedExample } from './worked-example';
import { keyFromSeed } from './keys';

const doc = readFileSync(path.join(__dirname, '../../../docs/audit-format.md'), 'utf8');
// Markdown table rows as trimmed cells, so the check does not depend on how a formatter pads the columns.
const tableRows = doc
  .split('\n')
  .filter((line) => line.startsWith('|'))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim())
  );
const example = workedExample();

describe('docs/audit-format.md worked example', () => {
  it('shows the canonical bytes of each entry and the hex of the first', () => {
    example.canonical.forEach((text, seq) => expect(doc).toContain(`seq ${seq}: ${text}\n`));
    expect(doc).toContain(example.entry0Hex);
  });

  it('shows each row with its leaf hash, previous hash and chain hash', () => {
    example.leaves.forEach((leaf, seq) => {
      const prev = seq === 0 ? '0'.repeat(64) : example.chain[seq - 1];
      expect(tableRows).toContainEqual([`${seq}`, `\`${leaf}\``, `\`${prev}\``, `\`${example.chain[seq]}\``]);
    });
  });

  it('shows the tree heads, proofs and checkpoint the code computes', () => {
    example.roots.forEach((root, i) => {
      expect(tableRows.find((cells) => cells[0] === `${i + 1}` && cells[1]?.startsWith(`\`${root}\``))).toBeDefined();
    });
    const block = (proof: string[]): string => proof.map((h) => `"${h}"`).join(',\n    ');
    expect(doc).toContain(`{ "leafIndex": 0, "treeSize": 3, "proof": [\n    ${block(example.inclusion0)}] }`);
    expect(doc).toContain(`{ "leafIndex": 2, "treeSize": 3, "proof": [\n    ${block(example.inclusion2)}] }`);
    expect(doc).toContain(`{ "size1": 1, "size2": 3, "proof": [\n    ${block(example.consistency1to3)}] }`);
    expect(doc).toContain(`{ "size1": 2, "size2": 3, "proof": [\n    ${block(example.consistency2to3)}] }`);
    expect(doc).toContain(`signed bytes: ${example.headBytes}\n`);
    expect(doc).toContain(`public key:   ${example.publicKeyHex}\n`);
    expect(doc).toContain(`fingerprint:  ${example.fingerprint}\n`);
    expect(doc).toContain(`signature:    ${example.signature}\n`);
    expect(doc).toContain(EXAMPLE_SEED);
  });

  it('has proofs and a signature that verify', () => {
    const leaves = example.leaves.map(hashFromHex);
    const roots = example.roots.map(hashFromHex);
    const root3 = roots[2] as Buffer;
    expect(verifyInclusion(0, 3, leaves[0] as Buffer, example.inclusion0.map(hashFromHex), root3)).toBe(true);
    expect(verifyInclusion(2, 3, leaves[2] as Buffer, example.inclusion2.map(hashFromHex), root3)).toBe(true);
    expect(verifyConsistency(1, 3, roots[0] as Buffer, root3, example.consistency1to3.map(hashFromHex))).toBe(true);
    expect(verifyConsistency(2, 3, roots[1] as Buffer, root3, example.consistency2to3.map(hashFromHex))).toBe(true);
    const publicKey = createPublicKey(keyFromSeed(EXAMPLE_SEED));
    expect(verifyTreeHead(example.head, example.signature, publicKey)).toBe(true);
  });
});
