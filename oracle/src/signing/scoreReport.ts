/** EIP-712 `ScoreReport`: defined in the SDK (`sdk/src/eip712/score-report.ts`); re-exported whole for the node. */
export * from "../../../sdk/src/eip712/score-report.js";
