import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner as Signer } from "@nomicfoundation/hardhat-ethers/types";

import { WAD, deployPolicy, rule } from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();

const DELAY = 2 * 86_400;
const CAP = 1_000n * WAD;
const TREASURY = "0x0000000000000000000000000000000000007EA5";
const Mode = { Repay: 0, NoApproval: 1, WrongReturn: 2, Reenter: 3 } as const;

async function flashFixture() {
  const base = await deployPolicy(ethers);
  const { policy, governance, bob } = base;
  const vusd = await ethers.deployContract("VUSD", [governance.address]);
  const minter = await ethers.deployContract("VusdFlashMinter", [
    await vusd.getAddress(),
    await policy.getAddress(),
    TREASURY,
  ]);
  await vusd.connect(governance).setMinterCap(await minter.getAddress(), CAP);
  const borrower = await ethers.deployContract("FlashBorrowerStub", [await minter.getAddress()]);
  // bob stands in for another minter (the pool) so the borrower can hold vUSD of its own to pay fees with.
  await vusd.connect(governance).setMinterCap(bob.address, 100n * WAD);
  return { ...base, vusd, minter, borrower };
}

async function setFlashFee(policy: Awaited<ReturnType<typeof deployPolicy>>["policy"], by: Signer, bps: number) {
  const tx = await policy.connect(by).scheduleRuleChange(rule("FLASH_FEE"), bps);
  const log = (await tx.wait())!.logs
    .map((l) => policy.interface.parseLog(l))
    .find((l) => l?.name === "RuleChangeScheduled");
  await networkHelpers.time.increase(DELAY);
  await policy.executeRuleChange(log!.args.changeId);
}

describe("VusdFlashMinter (ERC-3156)", function () {
  it("lends up to the cap's room and not one wei more; the outstanding amount returns to 0", async function () {
    const { vusd, minter, borrower } = await networkHelpers.loadFixture(flashFixture);
    const vusdAddress = await vusd.getAddress();
    expect(await minter.maxFlashLoan(vusdAddress)).to.equal(CAP);
    const supplyBefore = await vusd.totalSupply();
    await expect(borrower.borrow(vusdAddress, CAP))
      .to.emit(minter, "FlashMinted")
      .withArgs(await borrower.getAddress(), await borrower.getAddress(), CAP, 0n);
    expect(await borrower.seenBalance()).to.equal(CAP);
    expect(await minter.outstandingWad()).to.equal(0n);
    expect(await vusd.totalSupply()).to.equal(supplyBefore);
    await expect(borrower.borrow(vusdAddress, CAP + 1n))
      .to.be.revertedWithCustomError(minter, "VusdFlashMinterAmountExceedsMax")
      .withArgs(CAP, CAP + 1n);
  });

  it("follows vUSD's cap: a cap of 0 lends nothing", async function () {
    const { vusd, minter, borrower, governance } = await networkHelpers.loadFixture(flashFixture);
    await vusd.connect(governance).setMinterCap(await minter.getAddress(), 0);
    expect(await minter.maxFlashLoan(await vusd.getAddress())).to.equal(0n);
    await expect(borrower.borrow(await vusd.getAddress(), 1))
      .to.be.revertedWithCustomError(minter, "VusdFlashMinterAmountExceedsMax")
      .withArgs(0, 1);
  });

  it("charges no fee by default, and FLASH_FEE rounded up once governance sets it through the timelock", async function () {
    const { vusd, minter, borrower, policy, governance, bob } = await networkHelpers.loadFixture(flashFixture);
    const vusdAddress = await vusd.getAddress();
    expect(await minter.flashFee(vusdAddress, CAP)).to.equal(0n);
    await setFlashFee(policy, governance, 9);
    expect(await minter.flashFee(vusdAddress, 1_000n)).to.equal(1n); // 0.9 rounds up
    expect(await minter.flashFee(vusdAddress, 10_000n)).to.equal(9n);
    const fee = (CAP * 9n + 9_999n) / 10_000n;
    // Without vUSD of its own to pay the fee, the loan cannot be repaid in full: it reverts.
    await expect(borrower.borrow(vusdAddress, CAP)).to.be.revertedWithCustomError(vusd, "ERC20InsufficientBalance");
    await vusd.connect(bob).mint(await borrower.getAddress(), fee);
    const supplyBefore = await vusd.totalSupply();
    await expect(borrower.borrow(vusdAddress, CAP))
      .to.emit(minter, "FlashMinted")
      .withArgs(await borrower.getAddress(), await borrower.getAddress(), CAP, fee);
    expect(await borrower.seenFee()).to.equal(fee);
    expect(await vusd.balanceOf(TREASURY)).to.equal(fee);
    expect(await vusd.balanceOf(await borrower.getAddress())).to.equal(0n);
    expect(await vusd.totalSupply()).to.equal(supplyBefore);
    expect(await minter.outstandingWad()).to.equal(0n);
  });

  it("reverts a loan that is not repaid in the same transaction (no approval to pull it back)", async function () {
    const { vusd, minter, borrower } = await networkHelpers.loadFixture(flashFixture);
    await borrower.setMode(Mode.NoApproval);
    await expect(borrower.borrow(await vusd.getAddress(), WAD)).to.be.revertedWithCustomError(
      vusd,
      "ERC20InsufficientAllowance",
    );
    expect(await minter.outstandingWad()).to.equal(0n);
    expect(await vusd.balanceOf(await borrower.getAddress())).to.equal(0n);
  });

  it("reverts when the borrower's callback does not return the ERC-3156 magic value", async function () {
    const { vusd, minter, borrower } = await networkHelpers.loadFixture(flashFixture);
    await borrower.setMode(Mode.WrongReturn);
    await expect(borrower.borrow(await vusd.getAddress(), WAD))
      .to.be.revertedWithCustomError(minter, "VusdFlashMinterCallbackFailed")
      .withArgs(ethers.keccak256(ethers.toUtf8Bytes("wrong")));
  });

  it("refuses a loan inside a loan (reentrancy guard)", async function () {
    const { vusd, minter, borrower } = await networkHelpers.loadFixture(flashFixture);
    await borrower.setMode(Mode.Reenter);
    await expect(borrower.borrow(await vusd.getAddress(), WAD)).to.be.revertedWithCustomError(
      minter,
      "ReentrancyGuardReentrantCall",
    );
  });

  it("lends only vUSD, never a zero amount, and checks its constructor's addresses", async function () {
    const { vusd, minter, borrower, policy } = await networkHelpers.loadFixture(flashFixture);
    const other = await ethers.deployContract("MockUSDC");
    const otherAddress = await other.getAddress();
    expect(await minter.maxFlashLoan(otherAddress)).to.equal(0n);
    await expect(minter.flashFee(otherAddress, 1))
      .to.be.revertedWithCustomError(minter, "VusdFlashMinterUnsupportedToken")
      .withArgs(otherAddress);
    await expect(borrower.borrow(otherAddress, 1))
      .to.be.revertedWithCustomError(minter, "VusdFlashMinterUnsupportedToken")
      .withArgs(otherAddress);
    await expect(borrower.borrow(await vusd.getAddress(), 0)).to.be.revertedWithCustomError(
      minter,
      "VusdFlashMinterZeroAmount",
    );
    const args = [await vusd.getAddress(), await policy.getAddress(), TREASURY];
    const names = ["VUSD", "POLICY", "TREASURY"];
    for (let i = 0; i < 3; i++) {
      const bad = [...args];
      bad[i] = ethers.ZeroAddress;
      await expect(ethers.deployContract("VusdFlashMinter", bad))
        .to.be.revertedWithCustomError(minter, "VusdFlashMinterZeroAddress")
        .withArgs(ethers.encodeBytes32String(names[i]!));
    }
  });
});
