/**
 * The response contract the contract tests check against: the one in src/cdn/contract.ts
 * (also used by `npm run check-upstream`), kept equal to the fixtures by contract-source.test.ts.
 */
export { CONTRACTS, type BodyContract, type FieldKind, type LevelContract } from '../../../src/cdn/contract';
export { checkBody, contractViolations, describeFinding, type Finding } from '../../../src/cdn/contract-check';
