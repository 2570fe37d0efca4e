import { getAddress } from "ethers";

/** True when both are valid addresses of the same account (any letter case). */
export function sameAddress(a: string, b: string): boolean {
  try {
    return getAddress(a) === getAddress(b);
  } catch {
    // A malformed address cannot be the expected one; callers report the value as given.
    return false;
  }
}
