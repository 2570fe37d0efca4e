import { expect } from "chai";
import { Wallet } from "ethers";

import {
  checkConsent,
  RateLimiter,
  ReleaseRefused,
  type ConsentPolicy,
  type RefusalCode,
} from "../../bureau/src/release/index.js";
import { consentPurposeHash, hashConsent } from "../../oracle/src/protocol/credit-file.js";
import { borrowerWallet, CHAIN_ID, consent, ORACLE, PROVIDER_ID, signedRequest } from "./helpers.js";

const NOW = 1_790_000_000;
const MAX_LIFETIME = 3_600;
const policy: ConsentPolicy = {
  chainId: CHAIN_ID,
  verifyingContract: ORACLE,
  providerId: PROVIDER_ID,
  maxLifetimeSec: MAX_LIFETIME,
};
const borrower = borrowerWallet(0);
const OTHER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function refusedWith(body: unknown, code: RefusalCode, message?: RegExp): void {
  let error: unknown;
  try {
    checkConsent(body, policy, NOW);
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${code}`).to.be.instanceOf(ReleaseRefused);
  expect((error as ReleaseRefused).code).to.equal(code);
  if (message !== undefined) expect((error as Error).message).to.match(message);
}

describe("bureau consent checks", () => {
  it("accepts a consent signed by its borrower and returns its EIP-712 digest", async () => {
    const message = consent(borrower.address, NOW);
    const checked = checkConsent(await signedRequest(borrower, message), policy, NOW);
    expect(checked.consent).to.deep.equal(message);
    expect(checked.digest).to.equal(hashConsent(policy, message));
  });

  it("shape: refuses a non-object, a missing or unknown field, a bad nonce, naming the field", async () => {
    const good = await signedRequest(borrower, consent(borrower.address, NOW));
    const inner = good.consent as Record<string, unknown>;
    refusedWith([], "invalid_body", /^body: must be a JSON object$/);
    refusedWith({ ...good, extra: 1 }, "invalid_body", /^extra: unknown field$/);
    refusedWith(
      { consent: { ...inner, nonce: undefined }, signature: good.signature },
      "invalid_body",
      /^consent\.nonce: required$/,
    );
    refusedWith({ consent: { ...inner, nonce: 1 }, signature: good.signature }, "invalid_body", /^consent\.nonce: /);
    refusedWith(
      { consent: { ...inner, nonce: "1e3" }, signature: good.signature },
      "invalid_body",
      /^consent\.nonce: must be a uint256 as a decimal string$/,
    );
    refusedWith(
      { consent: { ...inner, nonce: (2n ** 256n).toString() }, signature: good.signature },
      "invalid_body",
      /^consent\.nonce: must be at most 2\^256 − 1$/,
    );
    refusedWith(
      { consent: { ...inner, borrower: "0x12" }, signature: good.signature },
      "invalid_body",
      /^consent\.borrower: must be a 20-byte hex address/,
    );
    refusedWith(
      { consent: { ...inner, expiresAt: 1.5 }, signature: good.signature },
      "invalid_body",
      /^consent\.expiresAt: /,
    );
    refusedWith(
      { consent: inner, signature: "0x1234" },
      "invalid_body",
      /^signature: must be a 64- or 65-byte hex signature$/,
    );
  });

  it("shape: the largest uint256 nonce is accepted", async () => {
    const message = consent(borrower.address, NOW, { nonce: 2n ** 256n - 1n });
    expect(checkConsent(await signedRequest(borrower, message), policy, NOW).consent.nonce).to.equal(2n ** 256n - 1n);
  });

  it("provider: must be this bureau (any case of its address), another provider is refused", async () => {
    const ours = consent(borrower.address, NOW, { provider: PROVIDER_ID.toLowerCase() });
    expect(checkConsent(await signedRequest(borrower, ours), policy, NOW).consent.provider).to.equal(PROVIDER_ID);
    refusedWith(
      await signedRequest(borrower, consent(borrower.address, NOW, { provider: OTHER })),
      "wrong_provider",
      new RegExp(`consent\\.provider ${OTHER} is not this bureau`),
    );
  });

  it("oracle: must be the configured CreditScoreOracle", async () => {
    refusedWith(
      await signedRequest(borrower, consent(borrower.address, NOW, { oracle: OTHER })),
      "wrong_oracle",
      /is not the CreditScoreOracle this bureau serves/,
    );
  });

  it('purpose: must be keccak256("credit scoring")', async () => {
    refusedWith(
      await signedRequest(borrower, consent(borrower.address, NOW, { purpose: consentPurposeHash("marketing") })),
      "wrong_purpose",
      /credit scoring/,
    );
  });

  it("expiry: one second in the future is accepted, now is refused", async () => {
    expect(
      checkConsent(await signedRequest(borrower, consent(borrower.address, NOW, { expiresAt: NOW + 1 })), policy, NOW)
        .consent.expiresAt,
    ).to.equal(NOW + 1);
    refusedWith(
      await signedRequest(borrower, consent(borrower.address, NOW, { expiresAt: NOW })),
      "consent_expired",
      new RegExp(`consent\\.expiresAt ${NOW} is not in the future`),
    );
  });

  it("lifetime: exactly the maximum is accepted, one second more is refused", async () => {
    expect(
      checkConsent(
        await signedRequest(borrower, consent(borrower.address, NOW, { expiresAt: NOW + MAX_LIFETIME })),
        policy,
        NOW,
      ),
    ).to.have.property("digest");
    refusedWith(
      await signedRequest(borrower, consent(borrower.address, NOW, { expiresAt: NOW + MAX_LIFETIME + 1 })),
      "consent_too_long",
      /3601 s away; this bureau accepts at most 3600 s/,
    );
  });

  it("signature: another signer, another chain, or a malformed signature is refused", async () => {
    const message = consent(borrower.address, NOW);
    refusedWith(
      await signedRequest(Wallet.createRandom(), message),
      "bad_signature",
      new RegExp(`not by the borrower ${borrower.address}`),
    );
    refusedWith(await signedRequest(borrower, message, { chainId: 1, verifyingContract: ORACLE }), "bad_signature");
    const good = await signedRequest(borrower, message);
    refusedWith({ ...good, signature: `0x${"00".repeat(65)}` }, "bad_signature", /not a valid secp256k1 signature/);
  });
});

describe("bureau rate limiter", () => {
  it("allows `requests` per window per address, then answers how long to wait; other addresses are not affected", () => {
    let now = 0;
    const limiter = new RateLimiter(3, 60, () => now);
    for (let i = 0; i < 3; i++) expect(limiter.take("a")).to.deep.equal({ ok: true });
    expect(limiter.take("a")).to.deep.equal({ ok: false, retryAfterSec: 20 });
    expect(limiter.take("b")).to.deep.equal({ ok: true });
    now = 19_999;
    expect(limiter.take("a").ok).to.equal(false);
    now = 20_000;
    expect(limiter.take("a")).to.deep.equal({ ok: true });
    expect(limiter.take("a").ok).to.equal(false);
  });
});
