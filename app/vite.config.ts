/**
 * The dApp's build: a static bundle in app/dist that reads its deployment from `config.json` beside it at run
 * time (app/src/config.ts), so one build serves any deployment. `/supervisor` is a client-side route: the build
 * also writes `supervisor/index.html` and `404.html` (copies of index.html) so a static host without rewrites
 * serves it.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";

import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const ROUTES = ["supervisor", "borrow"];

function routeCopies(): Plugin {
  let outDir = "";
  return {
    name: "verity-route-copies",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const index = join(outDir, "index.html");
      await copyFile(index, join(outDir, "404.html"));
      for (const route of ROUTES) {
        await mkdir(join(outDir, route), { recursive: true });
        await copyFile(index, join(outDir, route, "index.html"));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [react(), routeCopies()],
  // ethers and React are most of the entry chunk (~570 kB, ~190 kB gzip); the dashboard is split off.
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, target: "es2022", chunkSizeWarningLimit: 700 },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});
