/**
 * Demo scene: an applicant edits one field of the credit file the bureau attested (a late payment made to look
 * paid on time) and applies with it. The application is well formed and signed by the applicant, but its features
 * are no longer the fields the provider signed: every node refuses it with the check's name, and stores nothing.
 */
import { signApplication, type AttestedCreditFile, type TypedSigner } from "../lib/attested-application.js";
import type { CreditDataDomainParams } from "../../oracle/src/protocol/credit-file.js";

/** The field edited: last month's repayment status (-1 paid duly, 1.. months late), the model's strongest input. */
export const EDITED_FIELD = "PAY_0";

export interface EditedFileRefusal {
  node: string;
  status: number;
  code: string;
  message: string;
}

export interface EditedFileOutcome {
  field: string;
  attested: number;
  claimed: number;
  refusals: EditedFileRefusal[];
}

/** Posts the edited application to every node; returns each node's answer (a node that accepts it is an error). */
export async function applyWithEditedFile(input: {
  params: CreditDataDomainParams;
  applicant: TypedSigner;
  featureNames: readonly string[];
  attested: AttestedCreditFile;
  nodes: readonly { id: string; url: string }[];
  nonce: bigint;
  expiry: number;
}): Promise<EditedFileOutcome> {
  const attestedValue = input.attested.fields[EDITED_FIELD];
  if (attestedValue === undefined) throw new Error(`the attested file has no field ${EDITED_FIELD}`);
  const claimed = attestedValue === -1 ? -2 : -1;
  const body = await signApplication(input.params, input.applicant, input.featureNames, input.attested, {
    nonce: input.nonce,
    expiry: input.expiry,
    features: { ...input.attested.fields, [EDITED_FIELD]: claimed },
  });
  const refusals: EditedFileRefusal[] = [];
  for (const node of input.nodes) {
    const response = await fetch(`${node.url}/v1/applications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await response.json()) as { error?: { code?: string; message?: string } };
    if (response.status < 400 || json.error?.code === undefined) {
      throw new Error(
        `${node.id} accepted an application whose ${EDITED_FIELD} differs from the attested file: ${response.status} ${JSON.stringify(json)}`,
      );
    }
    refusals.push({ node: node.id, status: response.status, code: json.error.code, message: json.error.message ?? "" });
  }
  return { field: EDITED_FIELD, attested: attestedValue, claimed, refusals };
}
