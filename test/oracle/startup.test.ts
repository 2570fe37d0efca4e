/**
 * Start-up checks: the node refuses to start unless its model file's sha256 is approved on chain and its key is
 * an operator's; a started node shuts down cleanly (loops stopped, HTTP drained, store closed).
 */
import { expect } from "chai";

import { loadCreditModel } from "../../oracle/src/model/index.js";
import { approveModel } from "../../scripts/deploy/deploy-system.js";
import {
  clusterConfigs,
  deployChain,
  editedModelCard,
  MODEL_PATH,
  reorderedFeatureNamesModelCopy,
  startTestNode,
  tamperedModelCopy,
  type ChainFixture,
} from "./chain-fixture.js";
import { tempDir } from "./helpers.js";
import { readFileSync } from "node:fs";

/** The shipped card's golden applicant `i` PD (the test must follow a retrained model, not pin one). */
function shippedCardGoldenPd(i: number): number {
  const card = JSON.parse(readFileSync(new URL("../../oracle/model/MODEL_CARD.json", import.meta.url), "utf8"));
  return card.goldenApplicants.applicants[i].pd;
}
import { expectRejection } from "../helpers/assertions.js";

describe("oracle node start-up", function () {
  this.timeout(60_000);
  let approved: ChainFixture;
  let dir: string;
  let cleanup: () => void;

  before(async () => {
    approved = await deployChain();
    ({ dir, cleanup } = tempDir("startup"));
  });
  after(() => cleanup());

  it("gives its store the node's clock: an injected clock (a chain that jumps ahead) stamps stored requests", async () => {
    const { dir: own, cleanup: done } = tempDir("startup-clock");
    const chainNow = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;
    const [config] = await clusterConfigs(own, approved);
    const running = await startTestNode(config!, approved, { watch: false, timing: { now: () => chainNow } });
    try {
      const request = {
        requestId: 7n,
        borrower: approved.signers[5]!.address,
        applicationHash: `0x${"ab".repeat(32)}`,
        blockNumber: 1,
      };
      running.store.recordScoreRequests("clock-test", [request], 1);
      expect(running.store.getScoreRequest(7n)!.updatedAt).to.equal(chainNow);
    } finally {
      await running.shutdown("test done");
      done();
    }
  });

  it("refuses a model that is not approved on chain, naming the modelId and its status", async () => {
    const unapproved = await deployChain({ approve: false });
    const [config] = await clusterConfigs(dir, unapproved);
    await expectRejection(
      startTestNode(config!, unapproved),
      new RegExp(`modelId ${unapproved.model.modelId}.*not approved on chain \\(status: None\\)`),
    );
  });

  it("refuses a tampered model file (one byte flipped → another sha256), naming the new modelId", async () => {
    const { dir: own, cleanup: done } = tempDir("startup-tampered");
    try {
      const tampered = tamperedModelCopy(own);
      const tamperedId = (await loadCreditModel(tampered)).modelId;
      expect(tamperedId).to.not.equal(approved.model.modelId);
      const [config] = await clusterConfigs(own, approved);
      await expectRejection(
        startTestNode({ ...config!, model: { path: tampered } }, approved),
        new RegExp(`modelId ${tamperedId}.*not approved on chain \\(status: None\\)`),
      );
    } finally {
      done();
    }
  });

  describe("the model is pinned to the validation report the chain approved it with", () => {
    /** Approves `modelPath` on the shared deployment with `report` as its validation report. */
    async function approve(modelPath: string, report: { sha256: string }) {
      const modelId = (await loadCreditModel(modelPath)).modelId;
      await approveModel(approved.system.oracle, approved.roles.regulator, {
        modelId,
        validationReportHash: report.sha256,
      });
      return modelId;
    }

    it("refuses an approved model file whose metadata reorders feature_names, naming the first difference", async () => {
      const { dir: own, cleanup: done } = tempDir("startup-reordered");
      try {
        const reordered = reorderedFeatureNamesModelCopy(own);
        const reorderedId = (await loadCreditModel(reordered)).modelId;
        const card = editedModelCard(own, "card.json", (c) => (c.modelId = reorderedId));
        await approve(reordered, card);
        const [config] = await clusterConfigs(own, approved);
        await expectRejection(
          startTestNode({ ...config!, model: { path: reordered, validationReportPath: card.path } }, approved),
          /metadata feature_names differ from the validation report's input order at position 0 \(PAY_AMT6 vs LIMIT_BAL\)/,
        );
      } finally {
        done();
      }
    });

    it("refuses it even when the report repeats the reordering: the golden applicants score differently", async () => {
      const { dir: own, cleanup: done } = tempDir("startup-golden");
      try {
        const rotate = (names: string[]) => [...names.slice(1), names[0]!];
        const reordered = reorderedFeatureNamesModelCopy(own, rotate);
        const reorderedId = (await loadCreditModel(reordered)).modelId;
        const card = editedModelCard(own, "card.json", (c) => {
          c.modelId = reorderedId;
          c.features.inputs = rotate(c.features.inputs);
        });
        await approve(reordered, card);
        const [config] = await clusterConfigs(own, approved);
        await expectRejection(
          startTestNode({ ...config!, model: { path: reordered, validationReportPath: card.path } }, approved),
          new RegExp(
            `golden applicant 0 of .* scores PD [0-9.e-]+, the report says ${String(shippedCardGoldenPd(0)).replace(".", "\\.")} ` +
              "\\(tolerance 0\\.00001\\); the model does not read its inputs as validated",
          ),
        );
      } finally {
        done();
      }
    });

    it("refuses a validation report other than the one approved on chain (another sha256)", async () => {
      const { dir: own, cleanup: done } = tempDir("startup-report-hash");
      try {
        const card = editedModelCard(own, "card.json", (c) => (c.goldenApplicants.tolerancePd = 1e-3));
        const [config] = await clusterConfigs(own, approved);
        await expectRejection(
          startTestNode({ ...config!, model: { path: MODEL_PATH, validationReportPath: card.path } }, approved),
          new RegExp(
            `validation report .*card.json has sha256 ${card.sha256}, but the chain approved the model with validationReportHash ${approved.model.validationReportHash}`,
          ),
        );
      } finally {
        done();
      }
    });
  });

  it("refuses a key that is not in the on-chain operator set", async () => {
    const { dir: own, cleanup: done } = tempDir("startup-outsider");
    try {
      const twoOperators = await deployChain({ operators: 2, threshold: 2 });
      // Three configs, but the chain only knows operators 0 and 1: node 2 is an outsider.
      const configs = await clusterConfigs(own, {
        ...twoOperators,
        operators: [...twoOperators.operators, approved.operators[2]!],
      });
      await expectRejection(
        startTestNode(configs[2]!, twoOperators),
        /operatorAddress 0x[0-9a-fA-F]{40} is not in the on-chain operator set/,
      );
      await expectRejection(
        startTestNode(configs[0]!, twoOperators),
        /peer\(s\) node-2 .* not in the on-chain operator set/,
      );
    } finally {
      done();
    }
  });

  it("refuses a keystore whose password variable is not set, naming the variable", async () => {
    const { dir: own, cleanup: done } = tempDir("startup-password");
    try {
      const [config] = await clusterConfigs(own, approved);
      await expectRejection(
        startTestNode(config!, approved, { env: {} }),
        /environment variable VERITY_TEST_KEYSTORE_PASSWORD is not set/,
      );
    } finally {
      done();
    }
  });

  it("warns at start when its key cannot pay for submissions, naming the amount, and /health says so", async () => {
    const { dir: own, cleanup: done } = tempDir("startup-unfunded");
    const { Writable } = await import("node:stream");
    const { createLogger } = await import("../../oracle/src/log/index.js");
    const lines: { level: string; msg: string; neededEth?: string }[] = [];
    const destination = new Writable({
      write: (chunk, _encoding, next) => (lines.push(JSON.parse(String(chunk))), next()),
    });
    const [config] = await clusterConfigs(own, approved);
    const balance = await approved.ethers.provider.getBalance(config!.operatorAddress);
    await approved.connection.networkHelpers.setBalance(config!.operatorAddress, 1_000n);
    try {
      const node = await startTestNode(config!, approved, {
        logger: createLogger({ nodeId: "n", level: "warn", destination }),
      });
      try {
        const warning = lines.find((line) => line.level === "warn" && line.msg.startsWith("low balance"));
        expect(warning?.msg).to.match(
          new RegExp(
            `^low balance: operator ${config!.operatorAddress} holds 0\\.000000000000001 ETH, needs ≥ [0-9.]+ ETH`,
          ),
        );
        expect(Number(warning?.neededEth)).to.be.greaterThan(0);
        const response = await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(5_000) });
        const health = (await response.json()) as { status: string; problems: string[] };
        expect(response.status).to.equal(503);
        expect(health.status).to.equal("degraded");
        expect(health.problems.join("\n")).to.match(/^low balance: operator/m);
        expect(await (await fetch(`${node.url}/metrics`)).text()).to.match(
          /^verity_oracle_operator_balance_wei 1000$/m,
        );
      } finally {
        await node.shutdown("test");
      }
    } finally {
      await approved.connection.networkHelpers.setBalance(config!.operatorAddress, balance);
      done();
    }
  });

  it("starts when everything checks out, serves /health, and shuts down cleanly", async () => {
    const { dir: own, cleanup: done } = tempDir("startup-ok");
    try {
      const [config] = await clusterConfigs(own, approved);
      const node = await startTestNode(config!, approved);
      const health = (await (await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(5_000) })).json()) as {
        status: string;
        modelId: string;
      };
      expect(health.status).to.equal("ok");
      expect(health.modelId).to.equal(approved.model.modelId);
      const result = await node.shutdown("SIGTERM");
      expect(result.drained).to.equal(true);
      expect(node.store.isOpen).to.equal(false);
      await expectRejection(fetch(`${node.url}/health`, { signal: AbortSignal.timeout(2_000) }), /fetch failed/);
    } finally {
      done();
    }
  });
});

describe("npm run oracle (CLI)", function () {
  this.timeout(60_000);

  it("fails fast on a bad config, naming the field, with exit code 1", async () => {
    const { execFile } = await import("node:child_process");
    const { writeFileSync } = await import("node:fs");
    const { dir, cleanup } = tempDir("cli");
    try {
      const path = `${dir}/node.json`;
      writeFileSync(path, JSON.stringify({ nodeId: "n", operatorAddress: "0x1234" }));
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(
          "node_modules/.bin/tsx",
          ["oracle/src/main.ts", "--config", path],
          { timeout: 30_000 },
          (error, _stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stderr }),
        );
        child.stdin?.end();
      });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/config\.operatorAddress: must be a 20-byte hex address/);
      expect(result.stderr).to.match(/config\.listen: required/);
    } finally {
      cleanup();
    }
  });

  it("names a missing file by its resolved path, the field and the config it came from", async () => {
    const { execFile } = await import("node:child_process");
    const { readFileSync, writeFileSync } = await import("node:fs");
    const { dir, cleanup } = tempDir("cli-paths");
    try {
      const path = `${dir}/node.json`;
      // The shipped example, as an operator copies it: its relative paths resolve against this folder.
      writeFileSync(path, readFileSync("oracle/node.example.json", "utf8"));
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(
          "node_modules/.bin/tsx",
          ["oracle/src/main.ts", "--config", path],
          { timeout: 30_000 },
          (error, _stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stderr }),
        );
        child.stdin?.end();
      });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include(
        `keystore file not found: ${dir}/data/operator-1.keystore.json (keystore.path in ${path}, resolved against the config's folder)`,
      );
    } finally {
      cleanup();
    }
  });
});
