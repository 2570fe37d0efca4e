import { getAddress } from "ethers";

/**
 * `getAddress` with memory. The checksum costs a keccak256 (~17 µs here) and the same few operator addresses are
 * checked on every request (leader order, proposal checks, signature collection). Bounded: the map starts over
 * once it holds `CHECKSUM_CACHE_SIZE` entries, so borrower addresses cannot grow it without limit.
 */
const CHECKSUM_CACHE_SIZE = 1_024;
const checksums = new Map<string, string>();

/** The EIP-55 checksummed form of `address`; throws (as `getAddress` does) on anything else. */
export function checksumAddress(address: string): string {
  let checksummed = checksums.get(address);
  if (checksummed === undefined) {
    checksummed = getAddress(address);
    if (checksums.size >= CHECKSUM_CACHE_SIZE) checksums.clear();
    checksums.set(address, checksummed);
  }
  return checksummed;
}

/** True when both are valid addresses of the same account (any letter case). */
export function sameAddress(a: string, b: string): boolean {
  try {
    return checksumAddress(a) === checksumAddress(b);
  } catch {
    // A malformed address cannot be the expected one; callers report the value as given.
    return false;
  }
}
