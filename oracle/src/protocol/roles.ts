import { id } from "ethers";

/** Role ids, mirroring `contracts/libraries/Roles.sol` (keccak256 of the same strings). */
export const Roles = {
  GOVERNANCE: id("verity.role.GOVERNANCE"),
  REGULATOR: id("verity.role.REGULATOR"),
  GUARDIAN: id("verity.role.GUARDIAN"),
  ATTESTER: id("verity.role.ATTESTER"),
  POOL: id("verity.role.POOL"),
  SAVINGS: id("verity.role.SAVINGS"),
} as const;
