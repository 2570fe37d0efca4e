/** One-word-per-member EIP-712 digests: defined in the SDK (`sdk/src/eip712/typed-data.ts`); re-exported here. */
export { StructWords, typedDataDigest, typeHash } from "../../../sdk/src/eip712/typed-data.js";
