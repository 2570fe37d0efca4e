/** The tiers' names: defined in the SDK (`sdk/src/tiers.ts`), re-exported here for the node and the scripts. */
export { tierDisplayName, tierName } from "../../../sdk/src/tiers.js";
