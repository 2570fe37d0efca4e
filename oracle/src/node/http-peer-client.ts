/**
 * The peer client over HTTP: each request is an envelope signed by this node's operator key (`peer-envelope.ts`),
 * POSTed as JSON within a timeout; an error answer's `{ error: { code, message } }` becomes a refusal.
 */
import type { PeerConfig } from "../config/index.js";
import type { DigestSigner } from "../signing/index.js";
import type { CosignAnswer, ForwardAnswer, PeerClient, PeerFailure } from "./peer-client.js";
import { signPeerEnvelope, toJson } from "./peer-envelope.js";
import { ROUTES, type CoordinatePayload, type CosignProposal } from "./wire.js";

export interface HttpPeerClientOptions {
  signer: DigestSigner;
  /** Unix seconds: the envelopes' `sentAt`. */
  now: () => number;
  /** Bound on one co-sign or broadcast call. */
  peerTimeoutMs: number;
  /** Bound on a forwarded application: the leader scores and collects within it. */
  coordinateTimeoutMs: number;
}

export type PeerResponse = { status: number; body: unknown };

/** A peer's error text is kept only this long: it ends up in logs and the borrower's error. */
const MAX_RELAYED_MESSAGE = 200;

export class HttpPeerClient implements PeerClient {
  constructor(private readonly options: HttpPeerClientOptions) {}

  cosignRequest(proposal: CosignProposal, requestId?: string) {
    const envelope = signPeerEnvelope(this.options.signer, ROUTES.cosign, proposal, this.options.now());
    return async (peer: PeerConfig, signal: AbortSignal): Promise<CosignAnswer> => {
      let response: PeerResponse;
      try {
        response = await postJson(
          `${peer.url}${ROUTES.cosign}`,
          envelope,
          this.options.peerTimeoutMs,
          requestId,
          signal,
        );
      } catch (error) {
        return { kind: "unreachable", message: (error as Error).message };
      }
      if (response.status !== 200) return refusal(response);
      const answer = response.body as { signer?: unknown; signature?: unknown } | undefined;
      return {
        kind: "signed",
        signer: typeof answer?.signer === "string" ? answer.signer : undefined,
        signature: String(answer?.signature),
      };
    };
  }

  async forwardToLeader(leader: PeerConfig, payload: CoordinatePayload, requestId: string): Promise<ForwardAnswer> {
    const envelope = signPeerEnvelope(this.options.signer, ROUTES.coordinate, payload, this.options.now());
    let response: PeerResponse;
    try {
      response = await postJson(
        `${leader.url}${ROUTES.coordinate}`,
        envelope,
        this.options.coordinateTimeoutMs,
        requestId,
      );
    } catch (error) {
      return { kind: "unreachable", message: (error as Error).message };
    }
    return response.status === 201 ? { kind: "bundle", body: response.body } : refusal(response);
  }

  async broadcastApplication(peers: readonly PeerConfig[], application: Record<string, unknown>, requestId: string) {
    const envelope = signPeerEnvelope(
      this.options.signer,
      ROUTES.peerApplications,
      { application },
      this.options.now(),
    );
    return Promise.all(
      peers.map(async (peer) => {
        let failure: PeerFailure | undefined;
        try {
          const response = await postJson(
            `${peer.url}${ROUTES.peerApplications}`,
            envelope,
            this.options.peerTimeoutMs,
            requestId,
          );
          if (response.status >= 300) failure = refusal(response);
        } catch (error) {
          failure = { kind: "unreachable", message: (error as Error).message };
        }
        return { peer, failure };
      }),
    );
  }
}

/** POSTs `body` as JSON to `url` within `timeoutMs` (or until `signal` aborts); network failures and timeouts throw. */
export async function postJson(
  url: string,
  body: unknown,
  timeoutMs: number,
  requestId?: string,
  signal?: AbortSignal,
): Promise<PeerResponse> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(requestId === undefined ? {} : { "x-request-id": requestId }) },
    body: toJson(body),
    signal:
      signal === undefined ? AbortSignal.timeout(timeoutMs) : AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = { error: { code: "invalid_peer_response", message: text.slice(0, MAX_RELAYED_MESSAGE) } };
  }
  return { status: response.status, body: parsed };
}

/** The `{ error: { code, message } }` envelope of a peer's error answer, or a generic one. */
function refusal(response: PeerResponse): PeerFailure {
  const error = (response.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return {
    kind: "refused",
    status: response.status,
    code: typeof error?.code === "string" ? error.code : `http_${response.status}`,
    message: typeof error?.message === "string" ? error.message : `HTTP ${response.status}`,
  };
}
