/**
 * Reads and validates the node config once at start-up, failing fast with a message that names the bad field.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

import type { z } from "zod";

import { valueAt } from "../validation/index.js";
import { nodeConfigSchema, type KeystoreConfig, type NodeConfig } from "./schema.js";

/** The config file could not be read, parsed or validated; `message` names the file or every bad field. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** `config.peers[1].address`-style path of an issue, as an operator would look it up in the file. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : `${text}.${String(key)}`),
    "config",
  );
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${fieldPath([...issue.path, key])}: unknown field`).join("\n");
  }
  // zod reports an absent field as a type mismatch; "required" says what to fix.
  if (issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined)
    return `${fieldPath(issue.path)}: required`;
  return `${fieldPath(issue.path)}: ${issue.message}`;
}

/** Every issue of a failed parse of `raw`, one line each, naming the field as it is written in the file. */
export function describeConfigIssues(raw: unknown, issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => describeIssue(raw, issue)).join("\n");
}

/** Validates an already-parsed config object; throws a ConfigError listing every bad field, one per line. */
export function parseConfig(raw: unknown, source = "config"): NodeConfig {
  const result = nodeConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`invalid node config ${source}:\n${describeConfigIssues(raw, result.error.issues)}`);
  }
  return result.data;
}

/**
 * Loads the JSON config at `path`. File paths inside it (keystore, password file, model and its validation
 * report, deployment file, store) are resolved against the config file's folder, not the working directory, so a
 * node folder can be moved or mounted as a whole; errors about them name the resolved path (`configPathNote`).
 */
export async function loadConfig(path: string): Promise<NodeConfig> {
  const config = parseConfig(await readJsonConfigFile(path, "node"), path);
  const configFile = resolve(path);
  return { ...resolveConfigPaths(config, dirname(configFile)), configFile };
}

/** Reads and parses the JSON file at `path`; a ConfigError names the file (`kind`: "node", "bureau") and the problem. */
export async function readJsonConfigFile(path: string, kind: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `cannot read ${kind} config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      {
        cause: error,
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${kind} config file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The config fields that hold file paths, as an operator finds them in the file. */
export const CONFIG_PATH_FIELDS = {
  "keystore.path": (c: NodeConfig) => c.keystore.path,
  "keystore.passwordFile": (c: NodeConfig) => c.keystore.passwordFile,
  "model.path": (c: NodeConfig) => c.model.path,
  "model.validationReportPath": (c: NodeConfig) => c.model.validationReportPath,
  "chain.deploymentFile": (c: NodeConfig) => c.chain.deploymentFile,
  "store.path": (c: NodeConfig) => c.store.path,
} as const;

/**
 * Where a resolved path came from, for an error message: ` (keystore.path in /abs/node.json, resolved against the
 * config's folder)`; empty for a config not loaded from a file.
 */
export function configPathNote(config: NodeConfig, field: keyof typeof CONFIG_PATH_FIELDS): string {
  return config.configFile === undefined
    ? ""
    : ` (${field} in ${config.configFile}, resolved against the config's folder)`;
}

/**
 * Runs `work`; an error whose message names one of the config's file paths gets that path's origin appended
 * (`configPathNote`), so "file not found" says which field to fix and in which file.
 */
export async function explainingConfigPaths<T>(config: NodeConfig, work: () => Promise<T>): Promise<T> {
  const paths = Object.fromEntries(
    Object.entries(CONFIG_PATH_FIELDS).map(([field, pathOf]) => [field, pathOf(config)]),
  );
  return explainingPaths(config.configFile, paths, work);
}

/**
 * `explainingConfigPaths` for any service's config: `paths` maps each field (as written in the file) to its
 * resolved path; an error naming one gets ` (<field> in <configFile>, resolved against the config's folder)`.
 */
export async function explainingPaths<T>(
  configFile: string | undefined,
  paths: Record<string, string | undefined>,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (configFile !== undefined && error instanceof Error && !error.message.includes(configFile)) {
      const field = Object.keys(paths).find((name) => {
        const path = paths[name];
        return path !== undefined && error.message.includes(path);
      });
      if (field !== undefined) error.message += ` (${field} in ${configFile}, resolved against the config's folder)`;
    }
    throw error;
  }
}

/** A keystore section (the node's, the bureau's) with its keystore and password file resolved against `baseDir`. */
export function resolveKeystorePaths(keystore: KeystoreConfig, baseDir: string): KeystoreConfig {
  return {
    ...keystore,
    path: resolve(baseDir, keystore.path),
    ...(keystore.passwordFile === undefined ? {} : { passwordFile: resolve(baseDir, keystore.passwordFile) }),
  };
}

/** Returns a copy of `config` whose file paths are absolute, relative ones taken from `baseDir`. */
export function resolveConfigPaths(config: NodeConfig, baseDir: string): NodeConfig {
  const at = (p: string): string => resolve(baseDir, p);
  return {
    ...config,
    keystore: resolveKeystorePaths(config.keystore, baseDir),
    model: {
      path: at(config.model.path),
      ...(config.model.validationReportPath === undefined
        ? {}
        : { validationReportPath: at(config.model.validationReportPath) }),
    },
    chain: { ...config.chain, deploymentFile: at(config.chain.deploymentFile) },
    store: { path: at(config.store.path) },
  };
}
