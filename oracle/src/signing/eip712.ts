/**
 * EIP-712 digests on the hot path, for structs whose members each take one 32-byte word.
 *
 * ethers' `TypedDataEncoder.hash(domain, types, value)` rebuilds the type encoder and re-hashes the domain on
 * every call: ~340 µs for a ScoreReport here, twice per application (the borrower's application, the report).
 * Both structs are fixed layouts of static members (address, bytes32, uintN, and one fixed array that EIP-712
 * hashes into a word), so their struct hash is `keccak256(typeHash ‖ word₁ ‖ … ‖ wordₙ)`, written straight into
 * one buffer, and each domain's separator (from ethers) is kept. `test/oracle/ecdsa.test.ts` checks every digest
 * against `TypedDataEncoder.hash`, and the contract tests check the report digest against `CreditScoreOracle`.
 */
import { concat, getAddress, isHexString, keccak256, toUtf8Bytes, TypedDataEncoder, type TypedDataDomain } from "ethers";

const WORD = 32;

/**
 * A struct's members (or a fixed array's elements) as words, checked as ethers would check them. `hash()` is
 * `keccak256(typeHash ‖ words)` for a struct, `keccak256(words)` for an array (no type hash).
 */
export class StructWords {
  private readonly bytes: Buffer;
  private readonly first: number;
  private next: number;

  constructor(
    private readonly words: number,
    typeHash?: string,
  ) {
    this.first = typeHash === undefined ? 0 : 1;
    this.next = this.first;
    this.bytes = Buffer.alloc(WORD * (words + this.first));
    if (typeHash !== undefined) this.bytes.write(typeHash.slice(2), 0, "hex");
  }

  address(name: string, value: string): this {
    let checksummed: string;
    try {
      checksummed = getAddress(value);
    } catch (error) {
      throw new Error(`EIP-712 ${name}: not an address (${JSON.stringify(value)})`, { cause: error });
    }
    return this.hex(checksummed.slice(2), 12);
  }

  bytes32(name: string, value: string): this {
    if (!isHexString(value, WORD)) throw new Error(`EIP-712 ${name}: not 32 bytes of 0x-prefixed hex (${JSON.stringify(value)})`);
    return this.hex(value.slice(2), 0);
  }

  uint(name: string, value: bigint | number, bits: number): this {
    const big = typeof value === "bigint" ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
    if (big < 0n || big >= 1n << BigInt(bits)) throw new Error(`EIP-712 ${name}: not a uint${bits} (${String(value)})`);
    return this.hex(big.toString(16).padStart(WORD * 2, "0"), 0);
  }

  /** keccak256 of the type hash (if any) and the members, once all of them are written. */
  hash(): string {
    const written = this.next - this.first;
    if (written !== this.words) throw new Error(`EIP-712: ${written} of ${this.words} members written`);
    return keccak256(this.bytes);
  }

  private hex(digits: string, padBytes: number): this {
    if (this.next - this.first >= this.words) throw new Error(`EIP-712: more than ${this.words} members`);
    this.bytes.write(digits, this.next * WORD + padBytes, "hex");
    this.next += 1;
    return this;
  }
}

/** keccak256 of the type string: the first word of every struct hash of that type. */
export const typeHash = (typeString: string): string => keccak256(toUtf8Bytes(typeString));

const separators = new Map<string, string>();

/** `keccak256(0x1901 ‖ domainSeparator ‖ structHash)`; separators are computed by ethers once per domain. */
export function typedDataDigest(domain: TypedDataDomain, structHash: string): string {
  const key = JSON.stringify(domain, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  let separator = separators.get(key);
  if (separator === undefined) {
    separator = TypedDataEncoder.hashDomain(domain);
    separators.set(key, separator);
  }
  return keccak256(concat(["0x1901", separator, structHash]));
}
