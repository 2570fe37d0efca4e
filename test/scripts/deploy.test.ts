import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { parseUnits } from "ethers";

import { approveModel, deploySystem, openPsm, seedLocalDex, shippedModel } from "../../scripts/deploy/deploy-system.js";
import { defaultParameters, loadDeploymentParameters } from "../../scripts/deploy/parameters.js";
import { readAddressBook } from "../../oracle/src/protocol/address-book.js";
import { writeAddressBook } from "../../scripts/deploy/address-book.js";
import { Roles } from "../../oracle/src/protocol/roles.js";
import { expectRejection } from "../helpers/assertions.js";

const { ethers, networkHelpers } = await network.create();

async function deployedFixture() {
  const [deployer, governance, regulator, guardian, attester] = await ethers.getSigners();
  const roles = {
    deployer: deployer!,
    governance: governance!,
    regulator: regulator!,
    guardian: guardian!,
    attester: attester!,
  };
  const system = await deploySystem(ethers, roles, defaultParameters);
  return { system, roles };
}

describe("deploy: system deployment and wiring", () => {
  it("wires the pool as capped vUSD minter, policy POOL role holder, and lists WETH with its feed", async () => {
    const { system, roles } = await networkHelpers.loadFixture(deployedFixture);
    const poolAddress = await system.pool.getAddress();
    const [capWad] = await system.vusd.minterOf(poolAddress);
    expect(capWad).to.equal(parseUnits(defaultParameters.pool.minterCap, 18));
    expect(await system.policy.hasRole(Roles.POOL, poolAddress)).to.equal(true);
    expect(await system.oracle.policy()).to.equal(await system.policy.getAddress());
    expect(await system.policy.tierCount()).to.equal(defaultParameters.tiers.length);
    expect(await system.policy.hasRole(Roles.REGULATOR, roles.regulator.address)).to.equal(true);
    expect(await system.policy.hasRole(Roles.GOVERNANCE, roles.regulator.address)).to.equal(false);
    expect(await system.policy.approvalThresholdBps()).to.equal(defaultParameters.tiers.at(-1)!.maxPdBps);
  });

  it("deploys the PSM as a capped vUSD minter, closed until the regulator's exposure limit executes", async () => {
    const { system, roles } = await networkHelpers.loadFixture(deployedFixture);
    const { psm, psmStablecoin, vusd, policy } = system;
    const psmAddress = await psm.getAddress();
    const [capWad] = await vusd.minterOf(psmAddress);
    expect(capWad).to.equal(parseUnits(defaultParameters.psm.minterCap, 18));
    expect(await psm.stablecoin()).to.equal(system.psmStablecoinAddress);
    expect(await psm.priceFeed()).to.equal(system.psmPriceFeedAddress);
    expect(await psm.policy()).to.equal(await policy.getAddress());
    expect((await policy.psmRules()).exposureLimitWad).to.equal(0n);
    const [user] = await ethers.getSigners();
    await psmStablecoin!.mint(user!.address, 10n ** 6n);
    await psmStablecoin!.connect(user!).approve(psmAddress, 10n ** 6n);
    await expect(psm.connect(user!).swapIn(10n ** 6n, user!.address)).to.be.revertedWithCustomError(
      psm,
      "PegStabilityModuleExposureLimitExceeded",
    );
    await openPsm(system, roles.regulator, defaultParameters, networkHelpers.time);
    expect((await policy.psmRules()).exposureLimitWad).to.equal(parseUnits(defaultParameters.psm.exposureLimit, 18));
    await psm.connect(user!).swapIn(10n ** 6n, user!.address);
    expect(await vusd.balanceOf(user!.address)).to.equal(10n ** 18n);
  });

  it("deploys the mock DEX and the FlashLiquidator on a local chain, and seeds the pool 200 WETH deep at the feed's price", async () => {
    const { system, roles } = await networkHelpers.loadFixture(deployedFixture);
    const { dex, flashLiquidator, vusd, pool, flashMinter, priceFeed } = system;
    if (dex === undefined || flashLiquidator === undefined)
      throw new Error("a local deployment has the DEX and the liquidator");
    expect(system.dexRouterAddress).to.equal(await dex.getAddress());
    expect(await flashLiquidator.router()).to.equal(await dex.getAddress());
    expect(await flashLiquidator.pool()).to.equal(await pool.getAddress());
    expect(await flashLiquidator.flashMinter()).to.equal(await flashMinter.getAddress());
    expect(await flashLiquidator.vusd()).to.equal(await vusd.getAddress());
    await expectRejection(seedLocalDex(system, roles.deployer, defaultParameters), /open it first \(openPsm\)/);
    await openPsm(system, roles.regulator, defaultParameters, networkHelpers.time);
    await priceFeed!.setAnswer(parseUnits(String(defaultParameters.collateral.mockEthUsd), 8));
    const seeded = await seedLocalDex(system, roles.deployer, defaultParameters);
    const [wethReserve, vusdReserve] = await dex.reservesOf(system.wethAddress, await vusd.getAddress());
    expect(wethReserve).to.equal(parseUnits("200", 18));
    expect(vusdReserve).to.equal(parseUnits(String(200 * defaultParameters.collateral.mockEthUsd), 18));
    expect(seeded).to.deep.equal({ wethWei: wethReserve, vusdWad: vusdReserve });
  });

  it("deploys no DEX where a router is given, and points the liquidator at that router", async () => {
    const [deployer, governance, regulator, guardian, attester, routerStandIn] = await ethers.getSigners();
    const roles = {
      deployer: deployer!,
      governance: governance!,
      regulator: regulator!,
      guardian: guardian!,
      attester: attester!,
    };
    const params = { ...defaultParameters, dex: { router: routerStandIn!.address, seedWeth: 1 } };
    const system = await deploySystem(ethers, roles, params);
    expect(system.dex).to.equal(undefined);
    expect(system.dexRouterAddress).to.equal(routerStandIn!.address);
    expect(await system.flashLiquidator!.router()).to.equal(routerStandIn!.address);
  });

  it("links the policy and the oracle both ways; the oracle's threshold copy is the policy's", async () => {
    const { system } = await networkHelpers.loadFixture(deployedFixture);
    expect(await system.policy.scoreOracle()).to.equal(await system.oracle.getAddress());
    expect(await system.oracle.policy()).to.equal(await system.policy.getAddress());
    expect(await system.oracle.approvalThresholdBps()).to.equal(defaultParameters.tiers.at(-1)!.maxPdBps);
  });

  it("approves the shipped model: its id is the sha256 of the ONNX file", async () => {
    const { system, roles } = await networkHelpers.loadFixture(deployedFixture);
    const model = await shippedModel();
    await approveModel(system.oracle, roles.regulator, model);
    const [status, reportHash] = await system.oracle.modelInfo(model.modelId);
    expect(status).to.equal(2n); // Approved
    expect(reportHash).to.equal(model.validationReportHash);
  });

  it("writes an address book that reads back and validates", async () => {
    const { system, roles } = await networkHelpers.loadFixture(deployedFixture);
    const model = await shippedModel();
    const dir = await mkdtemp(join(tmpdir(), "verity-book-"));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const path = await writeAddressBook("unit", { chainId: 31337n, system, roles, model, modelApproved: false });
      const book = await readAddressBook(path);
      expect(book.contracts.lendingPool).to.equal(await system.pool.getAddress());
      expect(book.contracts.pegStabilityModule).to.equal(await system.psm.getAddress());
      expect(book.contracts.psmStablecoin).to.equal(system.psmStablecoinAddress);
      expect(book.contracts.dexRouter).to.equal(system.dexRouterAddress);
      expect(book.contracts.flashLiquidator).to.equal(await system.flashLiquidator!.getAddress());
      expect(book.roles.regulator).to.equal(roles.regulator.address);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("deploy: parameters and address book validation", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "verity-params-"));
  });

  it("uses the defaults when the network has no parameters file", async () => {
    expect(await loadDeploymentParameters(join(dir, "absent.json"))).to.deep.equal(defaultParameters);
  });

  it("names the file when it is not JSON", async () => {
    const path = join(dir, "broken.json");
    await writeFile(path, "{ not json");
    await expectRejection(loadDeploymentParameters(path), /broken\.json are not valid JSON/);
  });

  it("names the field that is out of range", async () => {
    const path = join(dir, "bad-rule.json");
    await writeFile(path, JSON.stringify({ rules: { ...defaultParameters.rules, concentrationCapBps: 10_001 } }));
    await expectRejection(loadDeploymentParameters(path), /rules\.concentrationCapBps/);
  });

  it("accepts an override at the limit (10,000 bps)", async () => {
    const path = join(dir, "edge.json");
    await writeFile(path, JSON.stringify({ rules: { ...defaultParameters.rules, concentrationCapBps: 10_000 } }));
    expect((await loadDeploymentParameters(path)).rules.concentrationCapBps).to.equal(10_000);
  });

  it("rejects an unknown key instead of ignoring it", async () => {
    const path = join(dir, "typo.json");
    await writeFile(path, JSON.stringify({ pool: { ...defaultParameters.pool, closeFactor: 5000 } }));
    await expectRejection(loadDeploymentParameters(path), /pool/);
  });

  it("names the missing field of an address book", async () => {
    const path = join(dir, "book.json");
    await writeFile(path, JSON.stringify({ network: "x", chainId: 1 }));
    await expectRejection(readAddressBook(path), /book\.json: deployedAtBlock/);
  });
});
