import { explainingPaths } from "../../../oracle/src/config/index.js";
import type { BureauConfig } from "./schema.js";

/** Runs `work`; an error naming one of the config's files says which field and which config file it came from. */
export function explainingBureauPaths<T>(config: BureauConfig, work: () => Promise<T>): Promise<T> {
  const paths = {
    "keystore.path": config.keystore.path,
    "keystore.passwordFile": config.keystore.passwordFile,
    "store.path": config.store.path,
    "schema.modelCardPath": config.schema.modelCardPath,
  };
  return explainingPaths(config.configFile, paths, work);
}
