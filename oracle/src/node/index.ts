export { OracleNode, ROUTES, type OracleNodeOptions } from "./oracle-node.js";
export { startNode, type RunningNode, type StartNodeOptions } from "./start.js";
export { signPeerEnvelope, verifyPeerEnvelope, postJson, type PeerEnvelope } from "./peer.js";
export { reportSchema, reportToJson, type ReportJson, type ScoreBundle } from "./wire.js";
