/**
 * The README's operator walkthrough, run as a new operator would run it: each step is the command the README
 * gives ("Deploying", "Operating an oracle node", "Operating Verity from the command line", "Running the credit
 * bureau", "The SDK"), run as a child process with the same flags, in the same order, against a `hardhat node` on
 * a free 127.0.0.1 port (`LOCALHOST_RPC_URL` points `--network localhost` at it). It ends with a score in each
 * flow: pull (a bundle, then `borrowWithReport`) and push (`requestScore`, then the leader's `submitScore`).
 *
 * The operator's files (keystores, configs, stores) live in a temporary folder; the configs are the example's
 * with the paths and ports this run needs. `npm run deploy` writes `deployments/localhost.json`: a copy already
 * there is restored in `after`. Every wait is bounded; every child is killed (its process group) in `after`.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { freePort } from "../../scripts/lib/free-port.js";
import { ROOT, spawnLogged, startHardhatNode, stop, tail, waitFor, type Child } from "../indexer/processes.js";

const PASSWORD = "walkthrough correct horse battery";
const BUREAU_PASSWORD = "walkthrough bureau staple";
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
/** Hardhat's accounts 8 and 9 (its public test mnemonic): the two borrowers. */
const BORROWER_KEYS = [
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
] as const;
const BOOK = join(ROOT, "deployments/localhost.json");

describe("e2e: the README's operator walkthrough, command by command (deploy, keys, register, fund, nodes, bureau, both flows)", function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), "verity-walkthrough-"));
  const running: Child[] = [];
  let rpcUrl = "";
  let env: NodeJS.ProcessEnv = {};
  let commandCount = 0;
  const savedBook = join(dir, "localhost.json.saved");

  /** Runs one README command to completion (bounded); returns its output, or throws with its log's tail. */
  async function run(command: string, args: string[], timeoutMs = 180_000): Promise<string> {
    const log = join(dir, `command-${++commandCount}.log`);
    const child = spawnLogged(command, args, log, env);
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        void stop(child, 2_000);
      }, timeoutMs);
      child.process.once("exit", (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    const output = readFileSync(log, "utf8");
    if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}:\n${tail(log, 40)}`);
    return output;
  }

  const npmRun = (script: string, ...args: string[]) => run("npm", ["run", "--silent", script, "--", ...args]);
  const verity = (...args: string[]) => npmRun("verity", ...args, "--network", "localhost");
  /** The address `oracle:keystore create` prints (its only output line). */
  const printedAddress = (output: string) => {
    const match = /^(0x[0-9a-fA-F]{40})$/m.exec(output);
    if (match === null) throw new Error(`no address in:\n${output}`);
    return match[1]!;
  };

  async function healthy(url: string, child: Child): Promise<void> {
    await waitFor(
      `${url}/health`,
      async () => ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) })).ok ? true : undefined),
      180_000,
      child,
      500,
    );
  }

  before(async () => {
    if (existsSync(BOOK)) renameSync(BOOK, savedBook);
    // `npx hardhat node --hostname 127.0.0.1 --port <port>`
    const port = await freePort();
    const node = await startHardhatNode(port, join(dir, "hardhat-node.log"));
    running.push(node.child);
    rpcUrl = node.url;
    env = {
      ...process.env,
      LOCALHOST_RPC_URL: rpcUrl,
      VERITY_KEYSTORE_PASSWORD: PASSWORD,
      VERITY_BUREAU_KEYSTORE_PASSWORD: BUREAU_PASSWORD,
      HARDHAT_MNEMONIC,
    };
  });

  after(async () => {
    await Promise.all(running.map((child) => stop(child)));
    if (existsSync(savedBook)) renameSync(savedBook, BOOK);
    else rmSync(BOOK, { force: true });
    if (process.env.VERITY_E2E_KEEP !== "1") rmSync(dir, { recursive: true, force: true });
  });

  it("the README gives every command this walkthrough runs, with the flags it uses", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const documented = [
      "npx hardhat node --hostname 127.0.0.1 --port",
      "LOCALHOST_RPC_URL=http://127.0.0.1:",
      "npm run deploy -- --network localhost",
      "npm run oracle:keystore -- create --out oracle/data/operator-1.keystore.json --password-env VERITY_KEYSTORE_PASSWORD",
      "npm run verity -- operators set --network localhost --operators 0x…,0x…,0x… --threshold 2",
      "`--dry-run`",
      "npm run verity -- node fund 0x… --network localhost",
      "npm run verity -- node balance 0x… --network localhost",
      "npm run verity -- providers approve <id> --name",
      "--keys <the key's address> --assessment <file> --network localhost",
      "--password-env VERITY_BUREAU_KEYSTORE_PASSWORD",
      "--assign mnemonic:HARDHAT_MNEMONIC",
      "npm run bureau -- import --config bureau/bureau-1.json --csv <file> --assign <how>",
      "npm run oracle -- --config oracle/node-1.json",
      "npm run bureau -- --config bureau/bureau-1.json",
      "npx tsx sdk/examples/borrower-cycle.ts --rpc http://127.0.0.1:8545 --address-book deployments/localhost.json --nodes",
      "--bureau http://127.0.0.1:8600 --provider <the bureau's provider id> --key <the borrower's private key>",
      "with `--flow push`",
    ];
    const missing = documented.filter((command) => !readme.includes(command));
    expect(missing, "commands this test runs that the README no longer gives").to.deep.equal([]);
  });

  it("a new operator deploys, registers and funds three nodes, runs the bureau, and scores in both flows", async () => {
    // "Deploying": npm run deploy -- --network localhost
    const deployed = await npmRun("deploy", "--network", "localhost");
    expect(deployed).to.contain('"approved": true');
    const book = JSON.parse(readFileSync(BOOK, "utf8")) as { contracts: { creditScoreOracle: string } };

    // Step 1: one encrypted keystore per operator (the folder does not exist yet).
    const keystores = [1, 2, 3].map((i) => join(dir, "data", `operator-${i}.keystore.json`));
    const operators: string[] = [];
    for (const out of keystores) {
      operators.push(
        printedAddress(
          await npmRun("oracle:keystore", "create", "--out", out, "--password-env", "VERITY_KEYSTORE_PASSWORD"),
        ),
      );
    }

    // Step 2: governance registers them; each key is funded and its balance checked.
    await verity("operators", "set", "--operators", operators.join(","), "--threshold", "2", "--dry-run");
    expect(await verity("operators", "set", "--operators", operators.join(","), "--threshold", "2")).to.contain(
      "operator set version  1",
    );
    for (const operator of operators) await verity("node", "fund", operator);
    for (const operator of operators)
      expect(await verity("node", "balance", operator)).to.contain("funded: enough to post reports");

    // Step 3: the configs, from the example, with this run's ports and the files above.
    const example = JSON.parse(readFileSync(join(ROOT, "oracle/node.example.json"), "utf8")) as Record<string, unknown>;
    const ports = [await freePort(), await freePort(), await freePort()];
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const configs = operators.map((operator, i) => {
      const config = {
        ...example,
        nodeId: `operator-${i + 1}`,
        operatorAddress: operator,
        listen: { host: "127.0.0.1", port: ports[i] },
        keystore: { path: keystores[i], passwordEnv: "VERITY_KEYSTORE_PASSWORD" },
        model: {
          path: join(ROOT, "oracle/model/credit-model.onnx"),
          validationReportPath: join(ROOT, "oracle/model/MODEL_CARD.json"),
        },
        chain: { ...(example.chain as object), rpcUrl, deploymentFile: BOOK },
        peers: operators.flatMap((address, j) => (j === i ? [] : [{ id: `operator-${j + 1}`, url: urls[j], address }])),
        store: { path: join(dir, "data", `operator-${i + 1}.sqlite`) },
      };
      const path = join(dir, `node-${i + 1}.json`);
      writeFileSync(path, JSON.stringify(config, null, 2));
      return path;
    });

    // "Running the credit bureau": its key, the regulator's approval, its config, the import, the service.
    const bureauKeystore = join(dir, "bureau-data", "bureau.keystore.json");
    const providerId = printedAddress(
      await npmRun(
        "oracle:keystore",
        "create",
        "--out",
        bureauKeystore,
        "--password-env",
        "VERITY_BUREAU_KEYSTORE_PASSWORD",
      ),
    );
    const assessment = join(dir, "assessment.md");
    writeFileSync(assessment, "the regulator's data-quality assessment of the bureau\n");
    await verity(
      "providers",
      "approve",
      providerId,
      "--name",
      "Walkthrough Bureau",
      "--keys",
      providerId,
      "--assessment",
      assessment,
    );
    const bureauExample = JSON.parse(readFileSync(join(ROOT, "bureau/bureau.example.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect((bureauExample.chain as { oracle: string }).oracle, "bureau.example.json's chain.oracle").to.equal(
      book.contracts.creditScoreOracle,
    );
    const bureauPort = await freePort();
    const bureauConfig = join(dir, "bureau-1.json");
    writeFileSync(
      bureauConfig,
      JSON.stringify({
        ...bureauExample,
        listen: { host: "127.0.0.1", port: bureauPort },
        keystore: { path: bureauKeystore, passwordEnv: "VERITY_BUREAU_KEYSTORE_PASSWORD" },
        store: { path: join(dir, "bureau-data", "bureau.sqlite") },
        // The example's chain section as shipped: its oracle is the one a fresh local deployment makes.
        provider: { id: providerId },
      }),
    );
    mkdirSync(join(dir, "csv"), { recursive: true });
    const csv = join(dir, "csv", "files.csv");
    const trainRows = readFileSync(join(ROOT, "oracle/training/data/taiwan-default/train.csv"), "utf8").split("\n");
    writeFileSync(csv, `${trainRows.slice(0, 11).join("\n")}\n`); // rows 0–9: Hardhat accounts 0–9
    expect(
      await npmRun("bureau", "import", "--config", bureauConfig, "--csv", csv, "--assign", "mnemonic:HARDHAT_MNEMONIC"),
    ).to.contain("imported 10 credit files");

    // Step 4 and the bureau's step 4: start everything, wait for each to answer.
    const bureauUrl = `http://127.0.0.1:${bureauPort}`;
    const bureau = spawnLogged(
      "npm",
      ["run", "--silent", "bureau", "--", "--config", bureauConfig],
      join(dir, "bureau.log"),
      env,
    );
    running.push(bureau);
    const nodes = configs.map((config, i) => {
      const child = spawnLogged(
        "npm",
        ["run", "--silent", "oracle", "--", "--config", config],
        join(dir, `node-${i + 1}.log`),
        env,
      );
      running.push(child);
      return child;
    });
    await Promise.all([healthy(bureauUrl, bureau), ...nodes.map((child, i) => healthy(urls[i]!, child))]);

    // "The SDK": a borrower's pull cycle, then a push score.
    const common = [
      "--rpc",
      rpcUrl,
      "--address-book",
      BOOK,
      "--nodes",
      urls.join(","),
      "--bureau",
      bureauUrl,
      "--provider",
      providerId,
    ];
    const pull = await run("npx", ["tsx", "sdk/examples/borrower-cycle.ts", ...common, "--key", BORROWER_KEYS[1]]);
    expect(pull).to.match(/scored: PD \d+\.\d\d %/);
    expect(pull).to.match(/borrowed 1,000\.00 vUSD in Tier [A-E]/);
    expect(pull).to.contain("repaid with a permit");
    const push = await run("npx", [
      "tsx",
      "sdk/examples/borrower-cycle.ts",
      ...common,
      "--key",
      BORROWER_KEYS[0],
      "--flow",
      "push",
    ]);
    expect(push).to.match(/score posted in block \d+: PD \d+\.\d\d %/);

    // Both scores are on chain, valid, each from its own flow.
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
    try {
      const { CreditScoreOracle__factory } = await import("../../types/ethers-contracts/index.js");
      const oracle = CreditScoreOracle__factory.connect(book.contracts.creditScoreOracle, provider);
      const posted = await oracle.queryFilter(oracle.filters.ScorePosted());
      expect(posted.map((e) => e.args.borrower)).to.have.members([
        "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
        "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
      ]);
    } finally {
      provider.destroy();
    }
    for (const child of [bureau, ...nodes])
      expect(readFileSync(child.log, "utf8")).not.to.match(/"level":"(warn|error)"/);
  });
});
