/**
 * Consent, application and decision through the SDK: the bureau's file for a signed consent
 * (`sdk.requestCreditFile`, the wallet signs with eth_signTypedData_v4), the signed application posted to the
 * quorum (`sdk.OracleNodesClient`, which tries the next node when one is down), and what the score means under
 * the rules in force (`SupervisionPolicy.tierOf` / `termsOf`).
 */
import type { Signer } from "ethers";

import * as sdk from "../../../sdk/src/index.js";
import type { ReadSide } from "./chain.js";

export interface Decision {
  bundle: sdk.ScoreBundleJson;
  /** The node that answered. */
  node: string;
  pdBps: number;
  tier: number;
  declined: boolean;
  terms: {
    maxPdBps: bigint;
    maxLtvBps: bigint;
    liquidationThresholdBps: bigint;
    aprBps: bigint;
    creditLimitWad: bigint;
  };
  /** The bureau whose file the score used (the registry's name for the report's provider). */
  bureau: { id: string; name: string };
  validUntilSec: number;
}

/** Asks the bureau for the signer's file; the wallet signs the consent. */
export async function fetchCreditFile(
  read: ReadSide,
  bureauUrl: string,
  signer: Signer,
  provider: string,
): Promise<sdk.CreditFileResponse> {
  return sdk.requestCreditFile({
    url: bureauUrl,
    signer,
    provider,
    ...sdk.creditDataDomainOf(read.addressBook),
  });
}

/** Signs the application for `file` and posts it to the quorum; returns the decision under the rules in force. */
export async function applyForScore(
  read: ReadSide,
  nodeUrls: readonly string[],
  signer: sdk.AddressedTypedDataSigner,
  file: sdk.CreditFileResponse,
): Promise<Decision> {
  const nowSec = Math.floor(Date.now() / 1000);
  const application = await sdk.signApplication(
    sdk.creditDataDomainOf(read.addressBook),
    signer,
    sdk.featureNamesOf(file),
    file,
    { nonce: BigInt(Date.now()), expiry: nowSec + 600 },
  );
  const { node, bundle } = await new sdk.OracleNodesClient({ nodes: nodeUrls }).submitApplication(application);
  return decisionOf(read, node, bundle);
}

export async function decisionOf(read: ReadSide, node: string, bundle: sdk.ScoreBundleJson): Promise<Decision> {
  const { supervisionPolicy, creditScoreOracle } = read.contracts;
  const [tierRaw, declined] = await supervisionPolicy.tierOf(bundle.report.pdBps);
  const tier = Number(tierRaw);
  const [raw, info] = await Promise.all([
    supervisionPolicy.termsOf(tier),
    creditScoreOracle.providerInfo(bundle.report.provider),
  ]);
  return {
    bundle,
    node,
    pdBps: bundle.report.pdBps,
    tier,
    declined,
    terms: {
      maxPdBps: BigInt(raw.maxPdBps),
      maxLtvBps: BigInt(raw.maxLtvBps),
      liquidationThresholdBps: BigInt(raw.liquidationThresholdBps),
      aprBps: BigInt(raw.aprBps),
      creditLimitWad: BigInt(raw.creditLimitWad),
    },
    bureau: { id: bundle.report.provider, name: info.name === "" ? bundle.report.provider : info.name },
    validUntilSec: Number(bundle.report.validUntil),
  };
}
