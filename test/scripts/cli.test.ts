/**
 * The ops CLI (`npm run verity`), every command run in-process against a freshly deployed system on Hardhat's
 * in-process network: happy paths, and the refusals (wrong role, bad input, execute before the ETA, a dry run
 * sends nothing). The address book is written to a temporary file and passed with `--deployment`.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { encodeBytes32String, HDNodeWallet, id, parseEther, parseUnits, Wallet, ZeroHash } from "ethers";
import { network } from "hardhat";

import { buildAddressBook } from "../../scripts/deploy/address-book.js";
import { approveDataProviders, approveModel, deploySystem, sha256File, shippedFeatureNames, shippedModel } from "../../scripts/deploy/deploy-system.js";
import { defaultParameters } from "../../scripts/deploy/parameters.js";
import { runCli } from "../../scripts/cli/program.js";
import { describeRevert } from "../../sdk/src/index.js";
import { DEMO_PROVIDER } from "../../scripts/lib/attested-application.js";
import { featureSchemaHash } from "../../oracle/src/protocol/credit-file.js";
import { withContext, type CliEnv } from "../../scripts/cli/context.js";
import { verityErrors } from "../../scripts/cli/errors.js";
import { Roles } from "../../oracle/src/protocol/roles.js";
import { ruleId, tierRuleId } from "../../oracle/src/protocol/rules.js";
import { packSignatures, scoreReportDomain, signScoreReport, type ScoreReport } from "../../oracle/src/signing/index.js";

const { ethers, networkHelpers } = await network.create();
const MODEL_PATH = "oracle/model/credit-model.onnx";
const MODEL_CARD_PATH = "oracle/model/MODEL_CARD.json";
const DAY = 86_400;

async function deployed() {
  const signers = await ethers.getSigners();
  const [deployer, governance, regulator, guardian, attester] = signers;
  const roles = { deployer: deployer!, governance: governance!, regulator: regulator!, guardian: guardian!, attester: attester! };
  const operators = [signers[10]!, signers[11]!];
  const system = await deploySystem(ethers, roles, { ...defaultParameters, oracle: { operators: operators.map((o) => o.address), threshold: 2 } });
  const model = await shippedModel(MODEL_PATH, MODEL_CARD_PATH);
  await approveModel(system.oracle, roles.regulator, model);
  await approveDataProviders(system.oracle, roles.regulator, defaultParameters.dataProviders, await shippedFeatureNames());
  const book = await buildAddressBook("default", { chainId: (await ethers.provider.getNetwork()).chainId, system, roles, model, modelApproved: true });
  const dir = await mkdtemp(join(tmpdir(), "verity-cli-"));
  const bookPath = join(dir, "default.json");
  await writeFile(bookPath, JSON.stringify(book));
  return { system, roles, operators, model, bookPath, dir, borrower: signers[6]!, stranger: signers[7]! };
}

type Deployed = Awaited<ReturnType<typeof deployed>>;

/** Runs `verity <args>` in-process on this test's network; returns the exit code and what it printed. */
async function verity(d: Deployed, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const env: CliEnv = { connect: async () => ({ ethers, close: async () => {} }), out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await runCli(["--network", "default", "--deployment", d.bookPath, ...args], env);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function nonces(...addresses: string[]) {
  return Promise.all(addresses.map((a) => ethers.provider.getTransactionCount(a)));
}

describe("ops CLI (npm run verity)", function () {
  this.timeout(120_000);
  let d: Deployed;
  beforeEach(async () => {
    d = await networkHelpers.loadFixture(deployed);
  });

  it("--help on the program, every group and every subcommand", async () => {
    const root = await verity(d, "--help");
    expect(root.code).to.equal(0);
    const groups = ["operators", "node", "model", "providers", "rules", "breaker", "exposure", "fairness", "monitoring"];
    for (const group of groups) expect(root.out).to.contain(group);
    const commands = [
      ["operators", "list"], ["operators", "set"], ["node", "balance"], ["node", "fund"], ["model", "list"], ["model", "propose"], ["model", "approve"], ["model", "retire"], ["providers", "list"], ["providers", "approve"], ["providers", "retire"],
      ["rules", "list"], ["rules", "pending"], ["rules", "schedule"], ["rules", "execute"], ["rules", "cancel"], ["breaker", "status"], ["breaker", "reset"],
      ["exposure", "snapshot"], ["fairness", "publish"], ["monitoring", "publish"], ["position"], ["decode-error"],
    ];
    for (const command of [...groups.map((g) => [g]), ...commands]) {
      const help = await verity(d, ...command, "--help");
      expect(help.code, command.join(" ")).to.equal(0);
      expect(help.out, command.join(" ")).to.match(/^Usage: verity /);
    }
    const writes = commands.filter(([g, c]) => ["set", "fund", "propose", "approve", "retire", "schedule", "execute", "cancel", "reset", "snapshot", "publish"].includes(c ?? g!));
    for (const command of writes) expect((await verity(d, ...command, "--help")).out, command.join(" ")).to.contain("--dry-run");
  });

  it("refuses an unknown network and a missing address book, naming them", async () => {
    const out: string[] = [];
    const env: CliEnv = { connect: async (name) => (name === "default" ? { ethers, close: async () => {} } : Promise.reject(new Error(`network "${name}" is not defined`))), out: (l) => out.push(l), err: (l) => out.push(l) };
    expect(await runCli(["--network", "nowhere", "rules", "list"], env)).to.equal(1);
    expect(out.join("\n")).to.contain('network "nowhere" is not defined');
    expect(await runCli(["--network", "default", "--deployment", join(d.dir, "missing.json"), "rules", "list"], env)).to.equal(1);
    expect(out.join("\n")).to.contain("missing.json does not exist");
  });

  it("reads events from the deployment block in bounded ranges (providers cap eth_getLogs)", async () => {
    const env: CliEnv = { connect: async () => ({ ethers, close: async () => {} }), out: () => {}, err: () => {} };
    const ranges: Array<[number, number]> = [];
    const proposed = await withContext(env, { network: "default", deployment: d.bookPath }, (ctx) =>
      ctx.eventsSinceDeployment((from, to) => {
        ranges.push([from, to]);
        return ctx.oracle.queryFilter(ctx.oracle.filters.ModelProposed(), from, to);
      }, 4),
    );
    expect(proposed.map((e) => e.args.modelId)).to.deep.equal([d.model.modelId]);
    const head = await ethers.provider.getBlockNumber();
    expect(ranges[0]![0]).to.equal(d.system.deployedAtBlock);
    expect(ranges.at(-1)![1]).to.equal(head);
    expect(ranges.every(([from, to], i) => to - from < 4 && (i === 0 || from === ranges[i - 1]![1] + 1))).to.equal(true);
  });

  describe("decode-error", () => {
    it("decodes any contract's custom error with its arguments in their units", async () => {
      const data = verityErrors.encodeErrorResult("SupervisionRuleViolated", [encodeBytes32String("DEBT_CEILING"), parseEther("10000000"), parseEther("10000001.5")]);
      const decoded = await verity(d, "decode-error", data);
      expect(decoded.code).to.equal(0);
      const [technical, sentence] = decoded.out.split("\n");
      expect(technical).to.equal("SupervisionRuleViolated (SupervisionPolicy): rule DEBT_CEILING, limit 10,000,000.00 vUSD, actual 10,000,001.50 vUSD");
      // The second line is the SDK's sentence for the same data (what a dApp shows the borrower).
      expect(sentence).to.equal(`  ${describeRevert({ data })}`);
      expect(sentence).to.match(/10,000,000\.00 vUSD/);
      const byOneWei = verityErrors.encodeErrorResult("SupervisionRuleViolated", [encodeBytes32String("BORROWER_CAP"), parseEther("1000000"), parseEther("1000000") + 1n]);
      expect((await verity(d, "decode-error", byOneWei)).out).to.contain("limit 1,000,000.00 vUSD, actual 1,000,000.00 vUSD (exactly 1000000.000000000000000001)");
      const notReady = verityErrors.encodeErrorResult("SupervisionChangeNotReady", [ZeroHash, 1_800_000_000, 1_799_999_000]);
      expect((await verity(d, "decode-error", notReady)).out).to.contain("executableAt 2027-01-15T08:00:00Z (1800000000)");
      const status = verityErrors.encodeErrorResult("OracleModelStatusTransition", [ZeroHash, 2, 1]);
      expect((await verity(d, "decode-error", status)).out).to.contain("from Approved, to Proposed");
      const pool = verityErrors.encodeErrorResult("LendingPoolInsufficientCollateral", [d.borrower.address, parseEther("100"), parseEther("150")]);
      expect((await verity(d, "decode-error", pool)).out.split("\n")[0]).to.equal(`LendingPoolInsufficientCollateral (LendingPool): borrower ${d.borrower.address}, collateralValueWad 100.00 vUSD, requiredWad 150.00 vUSD`);
    });

    it("refuses data that is not a Verity error", async () => {
      const unknown = await verity(d, "decode-error", "0x12345678");
      expect(unknown.code).to.equal(1);
      expect(unknown.err).to.contain("selector 0x12345678 is not a custom error of any Verity contract");
      expect((await verity(d, "decode-error", "nonsense")).err).to.contain('"nonsense" is not revert data');
    });
  });

  describe("operators", () => {
    it("list prints the version, k of n and each operator", async () => {
      const listed = await verity(d, "operators", "list");
      expect(listed.out).to.contain("operator set version 1: threshold 2 of 2");
      expect(listed.out).to.contain(d.operators[1]!.address);
    });

    it("set, as governance (found in the address book), bumps the version", async () => {
      const fresh = [Wallet.createRandom().address, Wallet.createRandom().address, d.operators[0]!.address];
      const set = await verity(d, "operators", "set", "--operators", fresh.join(","), "--threshold", "2");
      expect(set.code, set.err).to.equal(0);
      expect(set.out).to.contain("CreditScoreOracle.setOperators");
      expect(set.out).to.contain("operator set version  2");
      const [version, threshold, operators] = await d.system.oracle.operatorSet();
      expect([version, threshold, [...operators]]).to.deep.equal([2n, 2n, fresh]);
    });

    it("refuses another role's key, a bad address and a threshold above n; a dry run prints the calldata and sends nothing", async () => {
      const fresh = [Wallet.createRandom().address, Wallet.createRandom().address];
      const before = await nonces(d.roles.governance.address, d.roles.regulator.address);
      const wrongRole = await verity(d, "operators", "set", "--operators", fresh.join(","), "--threshold", "1", "--from", d.roles.regulator.address);
      expect(wrongRole.code).to.equal(1);
      expect(wrongRole.err).to.contain(`needs the governance role (GOVERNANCE on CreditScoreOracle); ${d.roles.regulator.address} does not hold it`);
      expect((await verity(d, "operators", "set", "--operators", `${fresh[0]},0x1234`, "--threshold", "1")).err).to.contain('"0x1234" is not an address');
      expect((await verity(d, "operators", "set", "--operators", fresh.join(","), "--threshold", "3")).err).to.contain("--threshold must be an integer in 1..2");
      const dry = await verity(d, "operators", "set", "--operators", fresh.join(","), "--threshold", "2", "--dry-run");
      expect(dry.code, dry.err).to.equal(0);
      expect(dry.out).to.contain(d.system.oracle.interface.encodeFunctionData("setOperators", [fresh, 2]));
      expect(dry.out).to.contain("nothing sent");
      expect(await nonces(d.roles.governance.address, d.roles.regulator.address)).to.deep.equal(before);
      expect((await d.system.oracle.operatorSet()).version).to.equal(1n);
    });
  });

  describe("node balance", () => {
    it("says a funded operator key is funded, and exits 1 with the shortfall for an empty one", async () => {
      const funded = await verity(d, "node", "balance", d.operators[0]!.address);
      expect(funded.code, funded.err).to.equal(0);
      expect(funded.out).to.contain("member of version 1");
      expect(funded.out).to.contain("funded: enough to post reports");
      const empty = Wallet.createRandom().address;
      const short = await verity(d, "node", "balance", empty);
      expect(short.code).to.equal(1);
      expect(short.out).to.contain("balance         0.0 ETH");
      expect(short.err).to.contain(`${empty} is short of funds: send it at least`);
      expect((await verity(d, "node", "balance", "0xnope")).err).to.contain('<address>: "0xnope" is not an address');
    });

    it("fund sends a new operator key what it needs (10 × the node's rule by default, or --amount), and then balance says funded", async () => {
      const key = Wallet.createRandom().address;
      const dry = await verity(d, "node", "fund", key, "--dry-run");
      expect(dry.code, dry.err).to.equal(0);
      expect(dry.out).to.contain("dry run: nothing sent");
      expect(await ethers.provider.getBalance(key)).to.equal(0n);
      const funded = await verity(d, "node", "fund", key);
      expect(funded.code, funded.err).to.equal(0);
      expect(funded.out).to.match(/sent: transaction 0x[0-9a-f]{64}/);
      const balance = await verity(d, "node", "balance", key);
      expect(balance.code, balance.err).to.equal(0);
      expect(balance.out).to.contain("funded: enough to post reports");
      const other = Wallet.createRandom().address;
      expect((await verity(d, "node", "fund", other, "--amount", "0.25")).code).to.equal(0);
      expect(await ethers.provider.getBalance(other)).to.equal(parseEther("0.25"));
      const bad = await verity(d, "node", "fund", other, "--amount", "lots");
      expect([bad.code, bad.err]).to.deep.equal([1, 'verity: --amount: "lots" is not an amount of ETH (e.g. 0.05)']);
    });
  });

  describe("providers", () => {
    const bank = Wallet.createRandom();
    const bankKey = Wallet.createRandom();

    it("list shows the demo provider approved; approve (assessment from a file) and retire walk a new one through", async () => {
      const listed = await verity(d, "providers", "list");
      expect(listed.code, listed.err).to.equal(0);
      expect(listed.out).to.contain(`provider ${DEMO_PROVIDER.id}`);
      expect(listed.out).to.match(/status\s+Approved/);
      const assessment = join(d.dir, "assessment.md");
      await writeFile(assessment, "data-quality assessment of the bank's bureau feed\n");
      const approved = await verity(d, "providers", "approve", bank.address, "--name", "Bank of Example", "--keys", bankKey.address, "--assessment", assessment);
      expect(approved.code, approved.err).to.equal(0);
      const [status, name, keys, schemaHash, dataQualityHash] = await d.system.oracle.providerInfo(bank.address);
      expect([status, name, [...keys]]).to.deep.equal([1n, "Bank of Example", [bankKey.address]]);
      expect(schemaHash).to.equal(featureSchemaHash(await shippedFeatureNames()));
      expect(dataQualityHash).to.equal(await sha256File(assessment));
      const retired = await verity(d, "providers", "retire", bank.address);
      expect(retired.code, retired.err).to.equal(0);
      expect(retired.out).to.match(/status\s+Retired/);
      expect((await d.system.oracle.providerInfo(bank.address))[0]).to.equal(2n);
    });

    it("refuses bad input, a retirement the registry cannot make (decoded), the wrong role, and a dry run sends nothing", async () => {
      const hash = `0x${"ab".repeat(32)}`;
      expect((await verity(d, "providers", "approve", "bank", "--name", "B", "--keys", bankKey.address, "--assessment", hash)).err).to.contain('<provider>: "bank" is not an address');
      expect((await verity(d, "providers", "approve", bank.address, "--name", "B", "--keys", `${bankKey.address},0x12`, "--assessment", hash)).err).to.contain("--keys[1]");
      expect((await verity(d, "providers", "approve", bank.address, "--name", "B", "--keys", bankKey.address, "--assessment", "no-such-file")).err).to.contain('"no-such-file" is neither a 32-byte hash');
      const never = await verity(d, "providers", "retire", bank.address);
      expect(never.code).to.equal(1);
      expect(never.err).to.contain("OracleProviderStatusTransition");
      const wrongRole = await verity(d, "providers", "approve", bank.address, "--name", "B", "--keys", bankKey.address, "--assessment", hash, "--from", d.roles.governance.address);
      expect(wrongRole.err).to.contain("needs the regulator role");
      const [before] = await nonces(d.roles.regulator.address);
      const dry = await verity(d, "providers", "approve", bank.address, "--name", "B", "--keys", bankKey.address, "--assessment", hash, "--dry-run");
      expect(dry.code, dry.err).to.equal(0);
      expect(dry.out).to.contain("nothing sent");
      expect(await nonces(d.roles.regulator.address)).to.deep.equal([before]);
      expect((await d.system.oracle.providerInfo(bank.address))[0]).to.equal(0n);
    });
  });

  describe("model", () => {
    async function otherModel() {
      // Another model file with its own validation report: the shipped card, naming the new file's hash.
      const onnx = join(d.dir, "other.onnx");
      await writeFile(onnx, Buffer.concat([await readFile(MODEL_PATH), Buffer.from([0])]));
      const card = JSON.parse(await readFile(MODEL_CARD_PATH, "utf8"));
      card.modelId = await sha256File(onnx);
      await writeFile(join(d.dir, "MODEL_CARD.json"), JSON.stringify(card));
      return { onnx, modelId: card.modelId as string, reportHash: await sha256File(join(d.dir, "MODEL_CARD.json")) };
    }

    it("list shows the shipped model approved; propose (from the ONNX file), approve and retire walk a new one through", async () => {
      const listed = await verity(d, "model", "list");
      expect(listed.out).to.contain(`${d.model.modelId} (the address book's model)`);
      expect(listed.out).to.match(/status\s+Approved/);
      const other = await otherModel();
      const proposed = await verity(d, "model", "propose", "--onnx", other.onnx);
      expect(proposed.code, proposed.err).to.equal(0);
      expect(proposed.out).to.contain(`model ${other.modelId}: Proposed, validation report ${other.reportHash}`);
      expect((await verity(d, "model", "approve", other.modelId)).out).to.contain(`model ${other.modelId}: Approved`);
      expect((await verity(d, "model", "retire", other.onnx)).out).to.contain(`model ${other.modelId}: Retired`);
      expect((await d.system.oracle.modelInfo(other.modelId)).status).to.equal(3n);
    });

    it("refuses a report for another model, a model the registry cannot move (decoded), the wrong role, and a dry run sends nothing", async () => {
      const other = await otherModel();
      const mismatch = await verity(d, "model", "propose", "--onnx", other.onnx, "--report", MODEL_CARD_PATH);
      expect(mismatch.err).to.contain(`is for model ${d.model.modelId}, but ${other.onnx} hashes to ${other.modelId}`);
      const again = await verity(d, "model", "propose", "--onnx", MODEL_PATH);
      expect(again.code).to.equal(1);
      expect(again.err).to.contain(`reverted: OracleModelStatusTransition (CreditScoreOracle): modelId ${d.model.modelId}, from Approved, to Proposed`);
      expect((await verity(d, "model", "approve", other.modelId, "--from", d.roles.governance.address)).err).to.contain("needs the regulator role");
      expect((await verity(d, "model", "approve", "0x1234")).err).to.contain('<model>: "0x1234" is not a 32-byte hex value');
      expect((await verity(d, "model", "approve", "no-such.onnx")).err).to.contain('"no-such.onnx" is neither a model id (0x and 64 hex digits) nor a readable ONNX file');
      const [before] = await nonces(d.roles.regulator.address);
      const dry = await verity(d, "model", "propose", "--onnx", other.onnx, "--dry-run");
      expect(dry.out).to.contain(`modelId               ${other.modelId}`);
      expect(dry.out).to.contain("nothing sent");
      expect(await nonces(d.roles.regulator.address)).to.deep.equal([before]);
      expect((await d.system.oracle.modelInfo(other.modelId)).status).to.equal(0n);
    });
  });

  describe("rules", () => {
    it("list prints every rule in its unit and the tier table", async () => {
      const listed = await verity(d, "rules", "list");
      expect(listed.code, listed.err).to.equal(0);
      expect(listed.out).to.match(/DEBT_CEILING\s+10,000,000\.00 vUSD/);
      expect(listed.out).to.match(/CONCENTRATION_CAP\s+25\.00%/);
      expect(listed.out).to.match(/TIMELOCK_DELAY\s+2 d 0 h \(172800 s\)/);
      expect(listed.out).to.match(/ATTESTATION_REQUIRED\s+no/);
      expect(listed.out).to.match(/PSM_EXPOSURE_LIMIT\s+0\.00 vUSD/);
      expect(listed.out).to.match(/0\s+5\.00%\s+80\.00% \(85\.00%\)\s+85\.00% \(90\.00%\)\s+4\.00% \(8\.00%\)\s+1,000,000\.00 vUSD \(2,000,000\.00 vUSD\)/);
      expect(listed.out).to.contain("PD above 28.00%: credit declined");
    });

    it("schedule shows the ETA, pending lists it, execute refuses before the ETA and applies it after", async () => {
      const scheduled = await verity(d, "rules", "schedule", "DEBT_CEILING", "12,000,000");
      expect(scheduled.code, scheduled.err).to.equal(0);
      expect(scheduled.out).to.contain("12,000,000.00 vUSD (now 10,000,000.00 vUSD");
      expect(scheduled.out).to.contain("(in 2 d 0 h)");
      const changeId = /change id\s+(0x[0-9a-f]{64})/.exec(scheduled.out)![1]!;
      const pending = await verity(d, "rules", "pending");
      expect(pending.out).to.contain(changeId);
      expect(pending.out).to.contain("DEBT_CEILING: 10,000,000.00 vUSD -> 12,000,000.00 vUSD");
      const early = await verity(d, "rules", "execute", changeId);
      expect(early.code).to.equal(1);
      expect(early.err).to.match(/cannot execute before \d{4}-\d\d-\d\dT[\d:]+Z \(in 2 d 0 h\): the timelock has not passed/);
      expect(await d.system.policy.ruleValue(ruleId("DEBT_CEILING"))).to.equal(parseEther("10000000"));
      await networkHelpers.time.increase(2 * DAY);
      expect((await verity(d, "rules", "pending")).out).to.contain("ready to execute");
      const executed = await verity(d, "rules", "execute", changeId);
      expect(executed.code, executed.err).to.equal(0);
      expect(executed.out).to.contain("in force: DEBT_CEILING: 10,000,000.00 vUSD -> 12,000,000.00 vUSD");
      expect(await d.system.policy.ruleValue(ruleId("DEBT_CEILING"))).to.equal(parseEther("12000000"));
      expect((await verity(d, "rules", "pending")).out).to.contain("no pending rule change");
      expect((await verity(d, "rules", "execute", changeId)).err).to.contain(`no pending change ${changeId}`);
    });

    it("a dry run may name a role holder whose key is not configured (e.g. a multisig); a send from it is refused", async () => {
      const multisig = Wallet.createRandom().address;
      await (await d.system.policy.connect(d.roles.regulator).grantRole(Roles.REGULATOR, multisig)).wait();
      const dry = await verity(d, "rules", "schedule", "DEBT_CEILING", "12000000", "--dry-run", "--from", multisig);
      expect(dry.code, dry.err).to.equal(0);
      expect(dry.out).to.contain(`from      ${multisig} (regulator, REGULATOR on SupervisionPolicy)`);
      expect(dry.out).to.contain("dry run: the call succeeds in simulation; nothing sent");
      const send = await verity(d, "rules", "schedule", "DEBT_CEILING", "12000000", "--from", multisig);
      expect(send.err).to.contain(`--from ${multisig} is not among network "default"'s configured accounts (hardhat.config.ts); only --dry-run can name another address`);
    });

    it("tier terms go to governance, caps to the regulator; cancel needs the scheduler's role", async () => {
      const asRegulator = await verity(d, "rules", "schedule", "TIER_APR", "5%", "--tier", "0", "--from", d.roles.regulator.address);
      expect(asRegulator.err).to.contain("needs the governance role (GOVERNANCE on SupervisionPolicy)");
      const term = await verity(d, "rules", "schedule", "tier_apr", "5%", "--tier", "0");
      expect(term.code, term.err).to.equal(0);
      expect(term.out).to.contain("TIER_APR (tier 0)");
      expect(term.out).to.contain(`from      ${d.roles.governance.address} (governance, GOVERNANCE on SupervisionPolicy)`);
      const changeId = /change id\s+(0x[0-9a-f]{64})/.exec(term.out)![1]!;
      expect((await d.system.policy.pendingChange(changeId)).newValue).to.equal(500n);
      expect((await d.system.policy.pendingChange(changeId)).rule).to.equal(tierRuleId("TIER_APR", 0));
      expect((await verity(d, "rules", "cancel", changeId, "--from", d.roles.regulator.address)).err).to.contain("needs the governance role");
      expect((await verity(d, "rules", "cancel", changeId)).out).to.contain(`cancelled ${changeId}`);
      expect((await d.system.policy.pendingChange(changeId)).executableAt).to.equal(0n);
      const cap = await verity(d, "rules", "schedule", "TIER_CAP_MAX_LTV", "86%", "--tier", "0");
      expect(cap.out).to.contain(`${d.roles.regulator.address} (regulator, REGULATOR on SupervisionPolicy)`);
      const duration = await verity(d, "rules", "schedule", "MAX_SCORE_AGE", "14d");
      expect(duration.out).to.contain("14 d 0 h (1209600 s)");
      // The rules that came with the savings vault, the flash minter and the second price source.
      for (const rule of ["SAVINGS_SHARE", "FLASH_FEE"]) {
        const wrong = await verity(d, "rules", "schedule", rule, "1%", "--from", d.roles.regulator.address);
        expect(wrong.err, rule).to.contain("needs the governance role (GOVERNANCE on SupervisionPolicy)");
        expect((await verity(d, "rules", "schedule", rule, "1%")).code, rule).to.equal(0);
      }
      const tolerance = await verity(d, "rules", "schedule", "PRICE_SOURCE_TOLERANCE", "3%");
      expect(tolerance.out).to.contain(`${d.roles.regulator.address} (regulator, REGULATOR on SupervisionPolicy)`);
      const listed = await verity(d, "rules", "list");
      for (const rule of ["PRICE_SOURCE_TOLERANCE", "FROZEN_LIQUIDATION_HEALTH", "SAVINGS_SHARE", "FLASH_FEE"]) expect(listed.out).to.contain(rule);
    });

    it("refuses a bad rule, value or tier, decodes a value the contract refuses, and a dry run schedules nothing", async () => {
      expect((await verity(d, "rules", "schedule", "DEBT_LIMIT", "1")).err).to.contain('"DEBT_LIMIT" is not a rule; rules: DEBT_CEILING');
      expect((await verity(d, "rules", "schedule", "CONCENTRATION_CAP", "12.345%")).err).to.contain("not a percentage with at most two decimals");
      expect((await verity(d, "rules", "schedule", "CONCENTRATION_CAP", "120%")).err).to.contain("120% is above 100.00%");
      expect((await verity(d, "rules", "schedule", "DEBT_CEILING", "-5")).err).to.contain('"-5" is not a vUSD amount');
      expect((await verity(d, "rules", "schedule", "TIMELOCK_DELAY", "2 weeks")).err).to.contain('"2 weeks" is not a duration');
      expect((await verity(d, "rules", "schedule", "TIER_APR", "5%")).err).to.contain("TIER_APR is a tier rule: pass --tier <n>");
      expect((await verity(d, "rules", "schedule", "TIER_APR", "5%", "--tier", "4")).err).to.contain('--tier: "4" is not an integer in 0..3');
      expect((await verity(d, "rules", "schedule", "DEBT_CEILING", "5", "--tier", "1")).err).to.contain("DEBT_CEILING is a global rule: it takes no --tier");
      const refused = await verity(d, "rules", "schedule", "MAX_PRICE_DEVIATION", "0%");
      expect(refused.code).to.equal(1);
      expect(refused.err).to.contain("reverted: SupervisionInvalidValue (SupervisionPolicy): rule MAX_PRICE_DEVIATION, value 0.00%");
      const before = await nonces(d.roles.regulator.address);
      const dry = await verity(d, "rules", "schedule", "DEBT_CEILING", "12000000", "--dry-run");
      expect(dry.code, dry.err).to.equal(0);
      expect(dry.out).to.contain(d.system.policy.interface.encodeFunctionData("scheduleRuleChange", [ruleId("DEBT_CEILING"), parseEther("12000000")]));
      expect(await nonces(d.roles.regulator.address)).to.deep.equal(before);
      expect((await verity(d, "rules", "pending")).out).to.contain("no pending rule change");
      const dryFailing = await verity(d, "rules", "schedule", "MAX_PRICE_DEVIATION", "0%", "--dry-run");
      expect(dryFailing.err).to.contain("dry run: the call would fail (reverted: SupervisionInvalidValue");
    });
  });

  describe("breaker", () => {
    it("status and reset: refuses a reset when not tripped or by the guardian; the regulator resets it", async () => {
      expect((await verity(d, "breaker", "status")).out).to.match(/state\s+normal/);
      expect((await verity(d, "breaker", "reset")).err).to.contain("the circuit breaker is not tripped: nothing to reset");
      await (await d.system.policy.connect(d.roles.guardian).pause()).wait();
      const tripped = await verity(d, "breaker", "status");
      expect(tripped.out).to.contain("TRIPPED");
      expect(tripped.out).to.contain(`MANUAL by ${d.roles.guardian.address}`);
      expect((await verity(d, "breaker", "reset", "--from", d.roles.guardian.address)).err).to.contain("needs the regulator role (REGULATOR on SupervisionPolicy)");
      const dry = await verity(d, "breaker", "reset", "--dry-run");
      expect(dry.out).to.contain(d.system.policy.interface.encodeFunctionData("unpause"));
      expect(await d.system.policy.paused()).to.equal(true);
      const reset = await verity(d, "breaker", "reset");
      expect(reset.code, reset.err).to.equal(0);
      expect(reset.out).to.match(/liquidations resume at \d{4}-/);
      expect(await d.system.policy.paused()).to.equal(false);
      expect((await verity(d, "breaker", "status")).out).to.match(/liquidations resume\s+\S+ \(in 1 h 00 min\)/);
    });
  });

  describe("keys from a configuration variable (--key)", () => {
    const VARIABLE = "VERITY_CLI_TEST_REGULATOR_KEY";
    /** Hardhat's default account 2: the regulator here. */
    const regulatorKey = HDNodeWallet.fromPhrase("test test test test test test test test test test test junk", undefined, "m/44'/60'/0'/0/2").privateKey;
    afterEach(() => {
      delete process.env[VARIABLE];
    });

    it("signs with the key the variable holds (the environment before Hardhat's keystore), never printing it, and checks its role", async () => {
      process.env[VARIABLE] = regulatorKey;
      await (await d.system.policy.connect(d.roles.guardian).pause()).wait();
      const reset = await verity(d, "breaker", "reset", "--key", VARIABLE);
      expect(reset.code, reset.err).to.equal(0);
      expect(reset.out).to.contain(`from      ${d.roles.regulator.address} (regulator`);
      expect(reset.out + reset.err).not.to.contain(regulatorKey.slice(2));
      expect(await d.system.policy.paused()).to.equal(false);
      const wrongRole = await verity(d, "operators", "set", "--operators", d.operators[0]!.address, "--threshold", "1", "--key", VARIABLE);
      expect(wrongRole.err).to.contain(`needs the governance role (GOVERNANCE on CreditScoreOracle); ${d.roles.regulator.address} does not hold it`);
      expect((await verity(d, "exposure", "snapshot", "--key", VARIABLE, "--from", d.roles.guardian.address)).err).to.contain(`is not the address of the key in ${VARIABLE}`);
    });

    it("refuses a variable that holds no private key, or is not set, naming it", async () => {
      process.env[VARIABLE] = "not a key";
      const bad = await verity(d, "exposure", "snapshot", "--key", VARIABLE);
      expect(bad.err).to.contain(`configuration variable ${VARIABLE} does not hold a private key`);
      expect(bad.err).not.to.contain("not a key");
      delete process.env[VARIABLE];
      const unset = await verity(d, "exposure", "snapshot", "--key", VARIABLE);
      expect(unset.code).to.equal(1);
      expect(unset.err).to.contain(VARIABLE);
      expect((await verity(d, "exposure", "snapshot", "--key", "not-a-name")).err).to.contain('"not-a-name" is not a configuration variable name');
    });
  });

  describe("publications and positions", () => {
    async function openPosition() {
      const { system, borrower } = d;
      const pool = await system.pool.getAddress();
      await (await system.weth!.connect(borrower).deposit({ value: parseEther("10") })).wait();
      await (await system.weth!.connect(borrower).approve(pool, parseEther("10"))).wait();
      await (await system.pool.connect(borrower).deposit(system.wethAddress, parseEther("10"), borrower.address)).wait();
      await (await system.pool.connect(borrower).borrow(parseUnits("5000", 18))).wait();
    }

    it("exposure snapshot publishes and prints the exposure in vUSD (anyone); a dry run publishes nothing", async () => {
      await openPosition();
      const dry = await verity(d, "exposure", "snapshot", "--dry-run");
      expect(dry.out).to.contain("nothing sent");
      expect(await d.system.pool.queryFilter(d.system.pool.filters.ExposureSnapshot())).to.have.length(0);
      const snapshot = await verity(d, "exposure", "snapshot", "--from", d.stranger.address);
      expect(snapshot.code, snapshot.err).to.equal(0);
      expect(snapshot.out).to.match(/total debt\s+5,000\.00 vUSD/);
      expect(snapshot.out).to.match(/collateral value\s+30,000\.00 vUSD/);
      expect(snapshot.out).to.match(/tier 3 debt\s+5,000\.00 vUSD/);
      expect(await d.system.pool.queryFilter(d.system.pool.filters.ExposureSnapshot())).to.have.length(1);
    });

    it("position prints collateral, debt, tier, health factor and the score", async () => {
      await openPosition();
      const position = await verity(d, "position", d.borrower.address);
      expect(position.code, position.err).to.equal(0);
      expect(position.out).to.match(/collateral WETH\s+10\.0 WETH/);
      expect(position.out).to.match(/debt\s+5,000\.00 vUSD \(principal 5,000\.00 vUSD\)/);
      expect(position.out).to.match(/tier\s+3\n/);
      const none = await verity(d, "position", d.stranger.address);
      expect(none.out).to.match(/collateral\s+none/);
      expect(none.out).to.match(/tier\s+none \(no debt\)/);
      expect(position.out).to.match(/health factor\s+3\.72/);
      expect(position.out).to.contain("none (priced on the most conservative tier)");
      expect((await verity(d, "position", "bob")).err).to.contain('<borrower>: "bob" is not an address');
    });

    it("position shows a scored borrower's PD, reason codes, model and when the score expires; a better score's tier is current before a re-base", async () => {
      await openPosition();
      const { oracle } = d.system;
      const now = BigInt(await networkHelpers.time.latest());
      const report: ScoreReport = {
        borrower: d.borrower.address,
        pdBps: 300,
        reasonCodes: [4, 1, 0, 0],
        modelId: d.model.modelId,
        operatorSetVersion: 1n,
        issuedAt: now,
        validUntil: now + 90n * BigInt(DAY),
        creditFileHash: id("the borrower's attested credit file"),
        provider: DEMO_PROVIDER.id,
      };
      const domain = scoreReportDomain((await ethers.provider.getNetwork()).chainId, await oracle.getAddress());
      const signatures = packSignatures(await Promise.all(d.operators.map((o) => signScoreReport(o, domain, report))));
      await (await oracle.submitScore(report, signatures)).wait();
      const position = await verity(d, "position", d.borrower.address);
      expect(position.out).to.match(/tier\s+3 held; 0 current \(a re-base moves it\)/);
      expect(position.out).to.match(/score\s+PD 3\.00%\n/);
      expect(position.out).to.match(/reason codes\s+4, 1\n/);
      expect(position.out).to.contain(`model             ${d.model.modelId}`);
      expect(position.out).to.match(/valid until\s+\d{4}-\d\d-\d\dT[\d:]+Z \(expires in (90 d 0 h|89 d 23 h)\)/);
    });

    it("fairness publish (regulator) emits the report in bps; refuses a bad percentage, a reversed period and the wrong role", async () => {
      const args = ["fairness", "publish", "--model", d.model.modelId, "--period-start", "2026-10-01", "--period-end", "2026-11-01", "--eod", "2.5%", "--dir", "92%"];
      const hash = `0x${"ab".repeat(32)}`;
      const published = await verity(d, ...args, "--report-hash", hash);
      expect(published.code, published.err).to.equal(0);
      const [event] = await d.system.oracle.queryFilter(d.system.oracle.filters.FairnessReportPublished());
      expect([event!.args.eodBps, event!.args.dirBps, event!.args.periodStart, event!.args.reportHash]).to.deep.equal([250n, 9200n, 1_790_812_800n, hash]);
      expect((await verity(d, ...args.slice(0, -4), "--eod", "101%", "--dir", "92%", "--report-hash", hash)).err).to.contain("101% is above 100.00%");
      const reversed = ["fairness", "publish", "--model", d.model.modelId, "--period-start", "2026-11-01", "--period-end", "2026-10-01", "--eod", "1%", "--dir", "90%", "--report-hash", hash];
      expect((await verity(d, ...reversed)).err).to.contain("must be before --period-end");
      expect((await verity(d, ...args, "--report-hash", hash, "--from", d.roles.governance.address)).err).to.contain("needs the regulator role (REGULATOR on CreditScoreOracle)");
      expect((await verity(d, ...args)).err).to.contain("give exactly one of --report <file> and --report-hash <hash>");
    });

    it("monitoring publish (a current operator) emits the window; refuses a non-operator and a bad PSI", async () => {
      const summaryHash = `0x${"cd".repeat(32)}`;
      const args = ["monitoring", "publish", "--model", d.model.modelId, "--window-start", "2026-11-29T00:00:00Z", "--window-end", "2026-11-30T00:00:00Z", "--applications", "1000", "--summary-hash", summaryHash];
      const published = await verity(d, ...args, "--max-psi", "0.31");
      expect(published.code, published.err).to.equal(0);
      const [event] = await d.system.oracle.queryFilter(d.system.oracle.filters.MonitoringReportPublished());
      expect([event!.args.operator, event!.args.maxPsiBps, event!.args.applications]).to.deep.equal([d.operators[0]!.address, 3100n, 1000n]);
      expect((await verity(d, ...args, "--max-psi", "0.31", "--from", d.stranger.address)).err).to.contain(`needs an operator of the oracle's current operator set (version 1); ${d.stranger.address} is not one`);
      expect((await verity(d, ...args, "--max-psi", "high")).err).to.contain('--max-psi: "high" is not a PSI');
    });
  });
});
