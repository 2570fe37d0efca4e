import { expect } from "chai";
import { network } from "hardhat";

import { deployPolicy } from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();

const HASH = "0x" + "5a".repeat(32);
const OTHER_HASH = "0x" + "a5".repeat(32);

async function registryFixture() {
  const base = await deployPolicy(ethers);
  const registry = await ethers.deployContract("ComplianceReportRegistry", [await base.policy.getAddress()]);
  // A few mined blocks for reports to cover.
  await networkHelpers.mine(5);
  return { ...base, registry };
}

describe("ComplianceReportRegistry", function () {
  it("refuses a zero policy address", async function () {
    const factory = await ethers.getContractFactory("ComplianceReportRegistry");
    await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(
      factory,
      "ComplianceReportRegistryZeroPolicy",
    );
  });

  it("lets the regulator attest a report and stores who, when and which blocks", async function () {
    const { registry, regulator } = await networkHelpers.loadFixture(registryFixture);
    const head = await ethers.provider.getBlockNumber();
    const tx = registry.connect(regulator).attestReport(HASH, 1, head, "ipfs://report");
    await expect(tx)
      .to.emit(registry, "ComplianceReportAttested")
      .withArgs(HASH, regulator.address, 1n, BigInt(head), "ipfs://report");
    const receipt = await (await tx).wait();
    const block = await ethers.provider.getBlock(receipt!.blockNumber);
    const attestation = await registry.attestationOf(HASH);
    expect(attestation.attester).to.equal(regulator.address);
    expect(attestation.attestedAt).to.equal(BigInt(block!.timestamp));
    expect(attestation.fromBlock).to.equal(1n);
    expect(attestation.toBlock).to.equal(BigInt(head));
    expect((await registry.attestationOf(OTHER_HASH)).attester).to.equal(ethers.ZeroAddress);
  });

  it("refuses anyone without the policy's REGULATOR role, governance included", async function () {
    const { registry, governance, bob } = await networkHelpers.loadFixture(registryFixture);
    for (const caller of [governance, bob]) {
      await expect(registry.connect(caller).attestReport(HASH, 0, 1, ""))
        .to.be.revertedWithCustomError(registry, "ComplianceReportRegistryNotRegulator")
        .withArgs(caller.address);
    }
  });

  it("refuses a zero hash", async function () {
    const { registry, regulator } = await networkHelpers.loadFixture(registryFixture);
    await expect(registry.connect(regulator).attestReport(ethers.ZeroHash, 0, 1, "")).to.be.revertedWithCustomError(
      registry,
      "ComplianceReportRegistryZeroHash",
    );
  });

  it("refuses fromBlock after toBlock and accepts a one-block range", async function () {
    const { registry, regulator } = await networkHelpers.loadFixture(registryFixture);
    await expect(registry.connect(regulator).attestReport(HASH, 3, 2, ""))
      .to.be.revertedWithCustomError(registry, "ComplianceReportRegistryInvalidRange")
      .withArgs(3n, 2n);
    await expect(registry.connect(regulator).attestReport(HASH, 2, 2, "")).to.emit(
      registry,
      "ComplianceReportAttested",
    );
  });

  it("refuses a range ending at the current block or later; the last mined block is accepted", async function () {
    const { registry, regulator } = await networkHelpers.loadFixture(registryFixture);
    const head = await ethers.provider.getBlockNumber();
    // The attesting transaction runs in block head + 1, which is not mined yet: a report cannot cover it.
    await expect(registry.connect(regulator).attestReport(HASH, 0, head + 1, ""))
      .to.be.revertedWithCustomError(registry, "ComplianceReportRegistryFutureBlock")
      .withArgs(BigInt(head + 1), BigInt(head + 1));
    await expect(registry.connect(regulator).attestReport(HASH, 0, head + 5, ""))
      .to.be.revertedWithCustomError(registry, "ComplianceReportRegistryFutureBlock")
      .withArgs(BigInt(head + 5), BigInt(head + 1));
    await expect(registry.connect(regulator).attestReport(HASH, 0, head, ""))
      .to.emit(registry, "ComplianceReportAttested")
      .withArgs(HASH, regulator.address, 0n, BigInt(head), "");
  });

  it("refuses a hash attested already, naming its attester", async function () {
    const { registry, regulator } = await networkHelpers.loadFixture(registryFixture);
    await registry.connect(regulator).attestReport(HASH, 0, 1, "first");
    await expect(registry.connect(regulator).attestReport(HASH, 2, 3, "second"))
      .to.be.revertedWithCustomError(registry, "ComplianceReportRegistryAlreadyAttested")
      .withArgs(HASH, regulator.address);
    await expect(registry.connect(regulator).attestReport(OTHER_HASH, 2, 3, "")).to.emit(
      registry,
      "ComplianceReportAttested",
    );
    expect((await registry.attestationOf(HASH)).toBlock).to.equal(1n);
  });

  it("bounds the uri at MAX_URI_BYTES bytes (counting bytes, not characters)", async function () {
    const { registry, regulator } = await networkHelpers.loadFixture(registryFixture);
    const max = Number(await registry.MAX_URI_BYTES());
    expect(max).to.equal(256);
    await expect(registry.connect(regulator).attestReport(HASH, 0, 1, "x".repeat(max + 1)))
      .to.be.revertedWithCustomError(registry, "ComplianceReportRegistryUriTooLong")
      .withArgs(BigInt(max + 1), BigInt(max));
    // 128 two-byte characters are 256 bytes: accepted; one more character is 258 bytes.
    await expect(registry.connect(regulator).attestReport(HASH, 0, 1, "é".repeat(129)))
      .to.be.revertedWithCustomError(registry, "ComplianceReportRegistryUriTooLong")
      .withArgs(258n, BigInt(max));
    await expect(registry.connect(regulator).attestReport(HASH, 0, 1, "é".repeat(128))).to.emit(
      registry,
      "ComplianceReportAttested",
    );
  });

  it("follows the policy's role: a revoked regulator can no longer attest", async function () {
    const { registry, policy, regulator, bob } = await networkHelpers.loadFixture(registryFixture);
    const REGULATOR = ethers.id("verity.role.REGULATOR");
    await policy.connect(regulator).grantRole(REGULATOR, bob.address);
    await expect(registry.connect(bob).attestReport(HASH, 0, 1, "")).to.emit(registry, "ComplianceReportAttested");
    await policy.connect(regulator).revokeRole(REGULATOR, bob.address);
    await expect(registry.connect(bob).attestReport(OTHER_HASH, 0, 1, ""))
      .to.be.revertedWithCustomError(registry, "ComplianceReportRegistryNotRegulator")
      .withArgs(bob.address);
  });
});
