/**
 * EIP-712 digests for structs whose members each take one 32-byte word, and the shapes every typed-data builder
 * returns. Browser-safe (Uint8Array, no Buffer).
 *
 * ethers' `TypedDataEncoder.hash(domain, types, value)` rebuilds the type encoder and re-hashes the domain on
 * every call (~340 µs for a ScoreReport): the structs here are fixed layouts of static members (address, bytes32,
 * uintN, and one fixed array that EIP-712 hashes into a word), so their struct hash is
 * `keccak256(typeHash ‖ word₁ ‖ … ‖ wordₙ)`, written straight into one buffer, and each domain's separator (from
 * ethers) is kept. `test/oracle/ecdsa.test.ts` and `test/sdk/eip712.test.ts` check every digest against
 * `TypedDataEncoder.hash`.
 */
import {
  concat,
  getAddress,
  getBytes,
  isHexString,
  keccak256,
  toUtf8Bytes,
  TypedDataEncoder,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

const WORD = 32;

/** What a wallet signs: `signer.signTypedData(domain, types, message)`; `primaryType` is for EIP-1193 wallets. */
export interface TypedData<Primary extends string, Message> {
  domain: TypedDataDomain;
  types: Record<string, TypedDataField[]>;
  primaryType: Primary;
  message: Message;
}

/** Anything that signs typed data the ethers v6 way (`Wallet`, `JsonRpcSigner`, `HardhatEthersSigner`, ...). */
export interface TypedDataSigner {
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** A typed-data signer that also knows its address (a wallet, a Hardhat signer). */
export interface AddressedTypedDataSigner extends TypedDataSigner {
  address: string;
}

/**
 * A struct's members (or a fixed array's elements) as words, checked as ethers would check them. `hash()` is
 * `keccak256(typeHash ‖ words)` for a struct, `keccak256(words)` for an array (no type hash).
 */
export class StructWords {
  private readonly bytes: Uint8Array;
  private readonly first: number;
  private next: number;

  constructor(
    private readonly words: number,
    typeHash?: string,
  ) {
    this.first = typeHash === undefined ? 0 : 1;
    this.next = this.first;
    this.bytes = new Uint8Array(WORD * (words + this.first));
    if (typeHash !== undefined) this.bytes.set(getBytes(typeHash), 0);
  }

  address(name: string, value: string): this {
    let checksummed: string;
    try {
      checksummed = getAddress(value);
    } catch (error) {
      throw new Error(`EIP-712 ${name}: not an address (${JSON.stringify(value)})`, { cause: error });
    }
    return this.put(getBytes(checksummed), 12);
  }

  bytes32(name: string, value: string): this {
    if (!isHexString(value, WORD))
      throw new Error(`EIP-712 ${name}: not 32 bytes of 0x-prefixed hex (${JSON.stringify(value)})`);
    return this.put(getBytes(value), 0);
  }

  uint(name: string, value: bigint | number, bits: number): this {
    const big = typeof value === "bigint" ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
    if (big < 0n || big >= 1n << BigInt(bits)) throw new Error(`EIP-712 ${name}: not a uint${bits} (${String(value)})`);
    return this.put(getBytes(`0x${big.toString(16).padStart(WORD * 2, "0")}`), 0);
  }

  /** keccak256 of the type hash (if any) and the members, once all of them are written. */
  hash(): string {
    const written = this.next - this.first;
    if (written !== this.words) throw new Error(`EIP-712: ${written} of ${this.words} members written`);
    return keccak256(this.bytes);
  }

  private put(bytes: Uint8Array, padBytes: number): this {
    if (this.next - this.first >= this.words) throw new Error(`EIP-712: more than ${this.words} members`);
    this.bytes.set(bytes, this.next * WORD + padBytes);
    this.next += 1;
    return this;
  }
}

/** keccak256 of the type string: the first word of every struct hash of that type. */
export const typeHash = (typeString: string): string => keccak256(toUtf8Bytes(typeString));

/** `encodeType` of `primary` in `types`, as EIP-712 defines it. */
export const encodeType = (types: Record<string, TypedDataField[]>, primary: string): string =>
  TypedDataEncoder.from(types).encodeType(primary);

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
