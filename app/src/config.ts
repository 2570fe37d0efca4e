/**
 * The deployment the app talks to, read at start from `config.json` beside the bundle (so one static build serves
 * any deployment): the address book (inline, or a URL relative to config.json; the SDK's schema of
 * `deployments/<network>.json`, sdk/src/address-book.ts) and the service URLs. Validated once with zod; a bad file
 * stops the app with a message naming the file and the field.
 */
import { z } from "zod";

import { addressBookSchema, type AddressBook } from "../../sdk/src/address-book.js";

/** An absolute http(s) URL, or a path on the app's own origin (the local stack proxies its services). */
const serviceUrl = z
  .string()
  .refine((value) => /^(https?:\/\/|\/)/.test(value), "must be an http(s) URL or start with /");

const configFileSchema = z.strictObject({
  addressBook: z.union([addressBookSchema, z.string().min(1)]),
  rpcUrl: serviceUrl,
  bureauUrl: serviceUrl,
  oracleNodeUrls: z.array(serviceUrl).min(1),
  indexerUrl: serviceUrl.optional(),
  pollIntervalSec: z.number().positive().max(600).default(4),
});

export interface AppConfig {
  addressBook: AddressBook;
  /** Absolute URLs (paths on the app's origin resolved against it). */
  rpcUrl: string;
  bureauUrl: string;
  oracleNodeUrls: string[];
  indexerUrl?: string;
  pollIntervalSec: number;
}

function describeIssues(error: z.ZodError, where: string): string {
  return error.issues.map((issue) => `${where}: ${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { cache: "no-store", signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
  try {
    return await response.json();
  } catch (error) {
    throw new Error(`${url} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Parses a config document; `baseUrl` is the config file's own URL (relative URLs resolve against it). */
export async function parseAppConfig(raw: unknown, baseUrl: string): Promise<AppConfig> {
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(describeIssues(parsed.error, "config.json"));
  const file = parsed.data;
  const absolute = (url: string) => new URL(url, baseUrl).toString().replace(/\/$/, "");
  let addressBook: AddressBook;
  if (typeof file.addressBook === "string") {
    const bookUrl = new URL(file.addressBook, baseUrl).toString();
    const book = addressBookSchema.safeParse(await fetchJson(bookUrl));
    if (!book.success) throw new Error(describeIssues(book.error, bookUrl));
    addressBook = book.data;
  } else {
    addressBook = file.addressBook;
  }
  return {
    addressBook,
    rpcUrl: absolute(file.rpcUrl),
    bureauUrl: absolute(file.bureauUrl),
    oracleNodeUrls: file.oracleNodeUrls.map(absolute),
    ...(file.indexerUrl === undefined ? {} : { indexerUrl: absolute(file.indexerUrl) }),
    pollIntervalSec: file.pollIntervalSec,
  };
}

/** Loads `config.json` from beside the bundle. */
export async function loadAppConfig(): Promise<AppConfig> {
  const url = new URL(`${import.meta.env.BASE_URL}config.json`, window.location.href).toString();
  return parseAppConfig(await fetchJson(url), url);
}
