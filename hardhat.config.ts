import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

// Hardhat cannot download compilers on a machine without internet access, so the
// exact solc release is an npm dependency and Hardhat loads its wasm build from there.
const require = createRequire(import.meta.url);
const SOLC_VERSION = "0.8.28";
const solcJsPath = require.resolve("solc/soljson.js");

function compilerSettings(optimizerRuns: number) {
  return { optimizer: { enabled: true, runs: optimizerRuns }, evmVersion: "cancun" };
}

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    compilers: [{ version: SOLC_VERSION, path: solcJsPath, settings: compilerSettings(10_000) }],
    // The pool is the largest contract: fewer optimizer runs keep it under EIP-170's 24,576-byte limit at a
    // small cost per call. Its cold paths (collateral listing, price pokes) live in the linked library
    // `CollateralLogic` rather than in its bytecode. A test (test/contracts/lendingPool.test.ts, "deployment")
    // keeps the deployed size at least 300 bytes under the limit; the sizes and the gas of each hot path are
    // in snapshots/ (`npm run snapshot`).
    overrides: {
      "contracts/core/LendingPool.sol": { version: SOLC_VERSION, path: solcJsPath, settings: compilerSettings(5_000) },
    },
  },
  // `npm run coverage` measures the protocol's contracts: test harnesses and local-chain mocks stay out of the figure.
  coverage: { skipFiles: ["contracts/test/**", "contracts/mocks/**"] },
  test: {
    solidity: {
      // The invariant campaign tallies its counters over its runs and writes its report here
      // (test/solidity/invariants/LendingInvariants.t.sol).
      fsPermissions: {
        readWriteFile: ["cache/invariant-campaign.json", "cache/invariant-campaign.md"],
      },
    },
  },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    // A `hardhat node` on this machine; LOCALHOST_RPC_URL points every `--network localhost` command at another port.
    localhost: { type: "http", chainType: "l1", url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545" },
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
});
