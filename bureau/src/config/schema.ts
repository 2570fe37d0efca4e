/**
 * The credit bureau's configuration: a strict zod schema (an unknown key is an error, so a typo never falls back
 * to a default). The listen, keystore and path rules are the oracle node's own sections, so both services read
 * the same file conventions. Secrets never appear here: the keystore password comes from the variable or file
 * the keystore section names.
 */
import { z } from "zod";

import {
  addressSchema,
  filePathSchema,
  keystoreSchema,
  listenSchema,
  LOG_LEVELS,
} from "../../../oracle/src/config/index.js";

const positiveInt = z.int("must be an integer").positive("must be > 0");

/** A consent longer than this is a standing authorisation, not one for a credit application. */
export const MAX_CONSENT_LIFETIME_CAP_SEC = 30 * 24 * 3600;
/** The longest a provider may vouch for a released file. */
export const MAX_FILE_VALIDITY_SEC = 365 * 24 * 3600;

export const BUREAU_DEFAULTS = { maxBodyBytes: 8_192, drainTimeoutMs: 5_000 } as const;

export const bureauConfigSchema = z.strictObject({
  listen: listenSchema,
  keystore: keystoreSchema,
  // The SQLite store (credit files, consent log, used nonces); its folder is created at start.
  store: z.strictObject({ path: filePathSchema }),
  // Both EIP-712 domains (CreditFile, Consent) are bound to this chain and this CreditScoreOracle.
  chain: z.strictObject({ chainId: positiveInt, oracle: addressSchema }),
  provider: z.strictObject({
    // The provider's id in the on-chain registry (the files' `provider` field).
    id: addressSchema,
    // The approved signing key the keystore must hold; stating it catches a wrong keystore before any signing.
    signerAddress: addressSchema.optional(),
  }),
  // The feature schema the bureau attests: the model card's `features.inputs` (default: the shipped card), or an
  // explicit list. Every name must have a documented range (oracle/src/model/application.ts).
  schema: z
    .strictObject({
      modelCardPath: filePathSchema.optional(),
      featureNames: z.array(z.string().min(1, "must not be empty")).min(1, "must list at least one feature").optional(),
    })
    .refine(
      (s) => s.modelCardPath === undefined || s.featureNames === undefined,
      "give modelCardPath or featureNames, not both",
    )
    .prefault({}),
  files: z.strictObject({
    validitySec: positiveInt.max(MAX_FILE_VALIDITY_SEC, `must be ≤ ${MAX_FILE_VALIDITY_SEC} (one year)`),
  }),
  consent: z.strictObject({
    maxLifetimeSec: positiveInt.max(
      MAX_CONSENT_LIFETIME_CAP_SEC,
      `must be ≤ ${MAX_CONSENT_LIFETIME_CAP_SEC} (30 days)`,
    ),
  }),
  // Releases per borrower address: `requests` within any `windowSec` (a token bucket refilled evenly).
  rateLimit: z.strictObject({ requests: positiveInt, windowSec: positiveInt }),
  http: z
    .strictObject({
      maxBodyBytes: z
        .int("must be an integer")
        .min(256, "must be ≥ 256")
        .max(1_048_576, "must be ≤ 1048576")
        .default(BUREAU_DEFAULTS.maxBodyBytes),
      drainTimeoutMs: z
        .int("must be an integer")
        .min(0, "must be ≥ 0")
        .max(60_000, "must be ≤ 60000")
        .default(BUREAU_DEFAULTS.drainTimeoutMs),
    })
    .prefault({}),
  logLevel: z.enum(LOG_LEVELS).default("info"),
});

export type BureauConfig = z.infer<typeof bureauConfigSchema> & {
  /** The file the config was loaded from (absolute), when it came from one. */
  configFile?: string;
};
export type BureauConfigInput = z.input<typeof bureauConfigSchema>;
