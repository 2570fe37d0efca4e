/** The validated `config.json`, for every component (loaded once by main.tsx before the app renders). */
import { createContext, useContext } from "react";

import type { AppConfig } from "./config.js";

export const ConfigContext = createContext<AppConfig | undefined>(undefined);

export function useAppConfig(): AppConfig {
  const config = useContext(ConfigContext);
  if (config === undefined) throw new Error("useAppConfig outside <ConfigContext.Provider>");
  return config;
}
