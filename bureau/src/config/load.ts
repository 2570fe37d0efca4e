/**
 * Reads and validates the bureau config once, at start. Paths inside it (keystore, password file, store, model
 * card) are resolved against the config file's folder, as the oracle node does, so errors name absolute paths.
 */
import { dirname, resolve } from "node:path";

import {
  ConfigError,
  describeConfigIssues,
  readJsonConfigFile,
  resolveKeystorePaths,
} from "../../../oracle/src/config/index.js";
import { bureauConfigSchema, type BureauConfig } from "./schema.js";

/** Validates an already-parsed config; throws a ConfigError listing every bad field, one per line. */
export function parseBureauConfig(raw: unknown, source = "config"): BureauConfig {
  const result = bureauConfigSchema.safeParse(raw);
  if (!result.success)
    throw new ConfigError(`invalid bureau config ${source}:\n${describeConfigIssues(raw, result.error.issues)}`);
  return result.data;
}

export async function loadBureauConfig(path: string): Promise<BureauConfig> {
  const configFile = resolve(path);
  const config = parseBureauConfig(await readJsonConfigFile(configFile, "bureau"), configFile);
  return { ...resolveBureauPaths(config, dirname(configFile)), configFile };
}

/** A copy of `config` whose file paths are absolute, relative ones taken from `baseDir`. */
export function resolveBureauPaths(config: BureauConfig, baseDir: string): BureauConfig {
  const at = (p: string): string => resolve(baseDir, p);
  const { modelCardPath, featureNames } = config.schema;
  return {
    ...config,
    keystore: resolveKeystorePaths(config.keystore, baseDir),
    store: { path: at(config.store.path) },
    schema: {
      ...(modelCardPath === undefined ? {} : { modelCardPath: at(modelCardPath) }),
      ...(featureNames === undefined ? {} : { featureNames }),
    },
  };
}
