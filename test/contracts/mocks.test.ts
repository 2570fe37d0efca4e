// The local-chain stand-ins and test tokens behave as the tests that use them assume.
import { expect } from "chai";
import { network } from "hardhat";

import { WAD, actors } from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function weth() {
  const a = await actors(ethers);
  const w = await ethers.deployContract("WETH9");
  return { ...a, w, wa: await w.getAddress() };
}

describe("mocks", () => {
  describe("WETH9", () => {
    it("wraps ETH by deposit and by plain transfer, and unwraps it", async () => {
      const { w, wa, alice } = await loadFixture(weth);
      expect([await w.name(), await w.symbol(), await w.decimals()]).to.deep.equal(["Wrapped Ether", "WETH", 18n]);
      await expect(w.connect(alice).deposit({ value: 2n * WAD }))
        .to.emit(w, "Deposit")
        .withArgs(alice.address, 2n * WAD);
      await expect(alice.sendTransaction({ to: wa, value: WAD }))
        .to.emit(w, "Deposit")
        .withArgs(alice.address, WAD);
      expect(await w.balanceOf(alice.address)).to.equal(3n * WAD);
      expect(await w.totalSupply()).to.equal(3n * WAD);

      await expect(w.connect(alice).withdraw(3n * WAD + 1n))
        .to.be.revertedWithCustomError(w, "WETH9InsufficientBalance")
        .withArgs(alice.address, 3n * WAD, 3n * WAD + 1n);
      const tx = w.connect(alice).withdraw(WAD);
      await expect(tx).to.emit(w, "Withdrawal").withArgs(alice.address, WAD);
      await expect(tx).to.changeEtherBalances(ethers, [alice, w], [WAD, -WAD]);
      expect(await w.totalSupply()).to.equal(2n * WAD);
    });

    it("reverts an unwrap to a caller that cannot take ETH", async () => {
      const { w, wa, alice, bob } = await loadFixture(weth);
      // A contract without receive(): the reentrant token, made to call withdraw on its next transfer.
      const noEth = await ethers.deployContract("ReentrantToken");
      const na = await noEth.getAddress();
      await w.connect(alice).deposit({ value: WAD });
      await w.connect(alice).transfer(na, WAD);
      await noEth.mint(alice.address, 1n);
      await noEth.arm(wa, w.interface.encodeFunctionData("withdraw", [WAD]));
      await expect(noEth.connect(alice).transfer(bob.address, 1n)).to.be.revertedWithCustomError(
        w,
        "WETH9EthTransferFailed",
      );
      expect(await w.balanceOf(na)).to.equal(WAD);
    });

    it("transfers, and spends allowances except the infinite one", async () => {
      const { w, alice, bob, carol } = await loadFixture(weth);
      await w.connect(alice).deposit({ value: 5n * WAD });
      await expect(w.connect(alice).transfer(bob.address, WAD))
        .to.emit(w, "Transfer")
        .withArgs(alice.address, bob.address, WAD);
      await expect(w.connect(bob).transfer(carol.address, WAD + 1n))
        .to.be.revertedWithCustomError(w, "WETH9InsufficientBalance")
        .withArgs(bob.address, WAD, WAD + 1n);

      await expect(w.connect(alice).approve(carol.address, WAD))
        .to.emit(w, "Approval")
        .withArgs(alice.address, carol.address, WAD);
      await expect(w.connect(carol).transferFrom(alice.address, carol.address, WAD + 1n))
        .to.be.revertedWithCustomError(w, "WETH9InsufficientAllowance")
        .withArgs(alice.address, carol.address, WAD, WAD + 1n);
      await w.connect(carol).transferFrom(alice.address, carol.address, WAD / 4n);
      expect(await w.allowance(alice.address, carol.address)).to.equal((3n * WAD) / 4n);

      await w.connect(alice).approve(carol.address, ethers.MaxUint256);
      await w.connect(carol).transferFrom(alice.address, carol.address, WAD);
      expect(await w.allowance(alice.address, carol.address)).to.equal(ethers.MaxUint256);
      // The owner moving their own tokens through transferFrom needs no allowance.
      await w.connect(bob).transferFrom(bob.address, carol.address, WAD);
      expect(await w.balanceOf(carol.address)).to.equal(WAD / 4n + 2n * WAD);
    });
  });

  describe("MockAggregatorV3", () => {
    it("keeps every round readable, and setRound sets each field of the latest one", async () => {
      const feed = await ethers.deployContract("MockAggregatorV3", [8, "ETH / USD", 2000n * 10n ** 8n]);
      const t1 = BigInt(await time.latest());
      expect([await feed.decimals(), await feed.description(), await feed.version()]).to.deep.equal([
        8n,
        "ETH / USD",
        4n,
      ]);
      await feed.setAnswer(2100n * 10n ** 8n);
      const t2 = BigInt(await time.latest());
      expect(await feed.latestRoundData()).to.deep.equal([2n, 2100n * 10n ** 8n, t2, t2, 2n]);
      expect(await feed.getRoundData(1)).to.deep.equal([1n, 2000n * 10n ** 8n, t1, t1, 1n]);
      await feed.setRound(7, -1, 123, 6);
      expect(await feed.latestRound()).to.equal(7);
      expect(await feed.latestRoundData()).to.deep.equal([7n, -1n, 123n, 123n, 6n]);
      expect(await feed.getRoundData(5)).to.deep.equal([5n, 0n, 0n, 0n, 0n]);
    });
  });

  describe("test tokens", () => {
    it("TestERC20 has the chosen decimals and mints freely", async () => {
      const { alice } = await actors(ethers);
      const t = await ethers.deployContract("TestERC20", ["Six", "SIX", 6]);
      expect(await t.decimals()).to.equal(6);
      await t.mint(alice.address, 123n);
      expect(await t.balanceOf(alice.address)).to.equal(123n);
    });

    it("FalseReturningToken returns false from both transfers and moves nothing", async () => {
      const { alice, bob } = await actors(ethers);
      const t = await ethers.deployContract("FalseReturningToken");
      await t.mint(alice.address, WAD);
      await t.connect(alice).approve(bob.address, WAD);
      expect(await t.connect(alice).transfer.staticCall(bob.address, WAD)).to.equal(false);
      expect(await t.connect(bob).transferFrom.staticCall(alice.address, bob.address, WAD)).to.equal(false);
      await t.connect(alice).transfer(bob.address, WAD);
      expect(await t.balanceOf(alice.address)).to.equal(WAD);
      expect(await t.balanceOf(bob.address)).to.equal(0);
    });

    it("FeeOnTransferToken burns 1% of each transfer", async () => {
      const { alice, bob } = await actors(ethers);
      const t = await ethers.deployContract("FeeOnTransferToken");
      await t.mint(alice.address, 1000n);
      await t.connect(alice).transfer(bob.address, 1000n);
      expect([await t.balanceOf(bob.address), await t.totalSupply()]).to.deep.equal([990n, 990n]);
    });
  });
});
