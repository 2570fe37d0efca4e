/**
 * One request for a credit file, end to end: the consent's checks, the borrower's rate limit (counted only once
 * the signature proved the borrower asked, so nobody can spend another borrower's allowance), then, in one store
 * transaction, the nonce, the file, the signature and the consent log. Throws a ReleaseRefused naming the check.
 */
import type { DigestSigner } from "../../../oracle/src/signing/index.js";
import type { FeatureSchema } from "../schema/feature-schema.js";
import type { BureauStore } from "../store/index.js";
import { checkConsent, type ConsentPolicy } from "./consent.js";
import { buildRelease, type CreditFileRelease } from "./credit-file.js";
import { ReleaseRefused } from "./errors.js";
import type { RateLimiter } from "./rate-limit.js";

export interface ReleaseDependencies {
  policy: ConsentPolicy;
  store: BureauStore;
  signer: DigestSigner;
  schema: FeatureSchema;
  validitySec: number;
  rateLimiter: RateLimiter;
  nowSec: () => number;
}

export function releaseCreditFile(body: unknown, deps: ReleaseDependencies): CreditFileRelease {
  const nowSec = deps.nowSec();
  const checked = checkConsent(body, deps.policy, nowSec);
  const { borrower, nonce } = checked.consent;
  const allowance = deps.rateLimiter.take(borrower);
  if (!allowance.ok) {
    throw new ReleaseRefused(
      "rate_limited",
      `too many requests for ${borrower}; retry in ${allowance.retryAfterSec} s`,
      { retryAfterSec: allowance.retryAfterSec },
    );
  }
  const outcome = deps.store.releaseOnce({ borrower, nonce, consentDigest: checked.digest }, (file) =>
    buildRelease(file, checked, {
      domain: deps.policy,
      providerId: deps.policy.providerId,
      signer: deps.signer,
      schema: deps.schema,
      validitySec: deps.validitySec,
      nowSec,
    }),
  );
  if (outcome.kind === "replayed_nonce") {
    throw new ReleaseRefused(
      "replayed_nonce",
      `consent.nonce ${nonce} of ${borrower} was already used (at ${outcome.usedAt}); sign a new consent`,
    );
  }
  if (outcome.kind === "no_credit_file")
    throw new ReleaseRefused("no_credit_file", `this bureau holds no credit file for ${borrower}`);
  return outcome.value;
}
