/** Rule ids and names: defined in the SDK (`sdk/src/rules.ts`); re-exported whole here for the node and scripts. */
export * from "../../../sdk/src/rules.js";
