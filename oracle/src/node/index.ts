export { OracleNode, type OracleNodeOptions } from "./oracle-node.js";
export { startNode, type RunningNode, type StartNodeOptions } from "./start.js";
export { signPeerEnvelope, verifyPeerEnvelope, type PeerEnvelope } from "./peer-envelope.js";
export { postJson } from "./http-peer-client.js";
export { NodeError, type NodeErrorCode } from "./errors.js";
export type { PeerClient, CosignAnswer, ForwardAnswer, PeerFailure } from "./peer-client.js";
export { ROUTES, reportSchema, reportToJson, type ReportJson, type ScoreBundle } from "./wire.js";
export { nodeOpenApiDocument, NODE_API_VERSION, toOpenApiPath } from "./openapi.js";
