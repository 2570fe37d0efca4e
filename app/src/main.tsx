/** Entry: loads config.json, then renders the app; a bad config stops here with the reason on screen. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App.js";
import { loadAppConfig } from "./config.js";
import { ConfigContext } from "./ConfigContext.js";
import "./styles.css";
import { WalletProvider } from "./wallet/WalletContext.js";

const container = document.getElementById("root");
if (container === null) throw new Error("index.html has no #root");
const root = createRoot(container);

loadAppConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <ConfigContext.Provider value={config}>
          <WalletProvider>
            <App />
          </WalletProvider>
        </ConfigContext.Provider>
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <main>
        <h1>Verity cannot start</h1>
        <p role="alert" className="error">
          config.json: {(error as Error).message}
        </p>
      </main>,
    ),
);
