import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner as Signer } from "@nomicfoundation/hardhat-ethers/types";

const { ethers, networkHelpers } = await network.create();

const GOVERNANCE = ethers.id("verity.role.GOVERNANCE");
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
const CAP = ethers.parseEther("1000");
const UINT120_MAX = (1n << 120n) - 1n;

async function deployVusdFixture() {
  const signers = await ethers.getSigners();
  if (signers.length < 6) throw new Error("need 6 accounts");
  const [deployer, governance, minter, otherMinter, alice, bob] = signers as [
    Signer,
    Signer,
    Signer,
    Signer,
    Signer,
    Signer,
  ];
  const vusd = await ethers.deployContract("VUSD", [governance.address], deployer);
  await vusd.connect(governance).setMinterCap(minter.address, CAP);
  return { vusd, deployer, governance, minter, otherMinter, alice, bob };
}

describe("VUSD", function () {
  describe("deployment and roles", function () {
    it("has the name, symbol and decimals of Verity USD", async function () {
      const { vusd } = await networkHelpers.loadFixture(deployVusdFixture);
      expect(await vusd.name()).to.equal("Verity USD");
      expect(await vusd.symbol()).to.equal("vUSD");
      expect(await vusd.decimals()).to.equal(18n);
    });

    it("rejects a zero governance address", async function () {
      const { vusd } = await networkHelpers.loadFixture(deployVusdFixture);
      await expect(ethers.deployContract("VUSD", [ethers.ZeroAddress])).to.be.revertedWithCustomError(
        vusd,
        "VUSDZeroAddress",
      );
    });

    it("gives governance its own admin role and grants DEFAULT_ADMIN_ROLE to nobody", async function () {
      const { vusd, deployer, governance } = await networkHelpers.loadFixture(deployVusdFixture);
      expect(await vusd.hasRole(GOVERNANCE, governance.address)).to.equal(true);
      expect(await vusd.getRoleAdmin(GOVERNANCE)).to.equal(GOVERNANCE);
      expect(await vusd.hasRole(DEFAULT_ADMIN_ROLE, deployer.address)).to.equal(false);
      expect(await vusd.hasRole(DEFAULT_ADMIN_ROLE, governance.address)).to.equal(false);
      expect(await vusd.hasRole(GOVERNANCE, deployer.address)).to.equal(false);
    });

    it("lets only governance set a minter cap, with old and new values in the event", async function () {
      const { vusd, governance, minter, deployer, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      for (const caller of [deployer, alice, minter]) {
        await expect(vusd.connect(caller).setMinterCap(minter.address, 1n))
          .to.be.revertedWithCustomError(vusd, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, GOVERNANCE);
      }
      await expect(vusd.connect(governance).setMinterCap(minter.address, 5n))
        .to.emit(vusd, "MinterCapSet")
        .withArgs(minter.address, CAP, 5n);
      expect(await vusd.minterOf(minter.address)).to.deep.equal([5n, 0n]);
    });

    it("rejects a zero minter address", async function () {
      const { vusd, governance } = await networkHelpers.loadFixture(deployVusdFixture);
      await expect(vusd.connect(governance).setMinterCap(ethers.ZeroAddress, CAP)).to.be.revertedWithCustomError(
        vusd,
        "VUSDZeroAddress",
      );
    });

    it("stores caps above uint120 as the uint120 maximum (unlimited)", async function () {
      const { vusd, governance, otherMinter } = await networkHelpers.loadFixture(deployVusdFixture);
      await expect(vusd.connect(governance).setMinterCap(otherMinter.address, ethers.MaxUint256))
        .to.emit(vusd, "MinterCapSet")
        .withArgs(otherMinter.address, 0n, UINT120_MAX);
      expect(await vusd.minterOf(otherMinter.address)).to.deep.equal([UINT120_MAX, 0n]);
    });
  });

  describe("mint", function () {
    it("mints up to exactly the cap", async function () {
      const { vusd, minter, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      await expect(vusd.connect(minter).mint(alice.address, CAP))
        .to.emit(vusd, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, CAP);
      expect(await vusd.balanceOf(alice.address)).to.equal(CAP);
      expect(await vusd.minterOf(minter.address)).to.deep.equal([CAP, CAP]);
    });

    it("reverts one wei above the cap", async function () {
      const { vusd, minter, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      await vusd.connect(minter).mint(alice.address, CAP - 1n);
      await vusd.connect(minter).mint(alice.address, 1n);
      await expect(vusd.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(vusd, "VUSDMinterCapExceeded")
        .withArgs(minter.address, CAP, CAP + 1n);
    });

    it("reverts cap + 1 in a single mint", async function () {
      const { vusd, minter, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      await expect(vusd.connect(minter).mint(alice.address, CAP + 1n))
        .to.be.revertedWithCustomError(vusd, "VUSDMinterCapExceeded")
        .withArgs(minter.address, CAP, CAP + 1n);
    });

    it("rejects a non-minter, including governance", async function () {
      const { vusd, governance, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      for (const caller of [alice, governance]) {
        await expect(vusd.connect(caller).mint(alice.address, 1n))
          .to.be.revertedWithCustomError(vusd, "VUSDNotMinter")
          .withArgs(caller.address);
      }
    });

    it("stops minting at cap 0 but keeps the right to burn", async function () {
      const { vusd, governance, minter, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      await vusd.connect(minter).mint(alice.address, 10n);
      await vusd.connect(governance).setMinterCap(minter.address, 0n);
      await expect(vusd.connect(minter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(vusd, "VUSDMinterCapExceeded")
        .withArgs(minter.address, 0n, 11n);
      await vusd.connect(alice).approve(minter.address, 10n);
      await vusd.connect(minter).burnFrom(alice.address, 10n);
      expect(await vusd.minterOf(minter.address)).to.deep.equal([0n, 0n]);
    });

    it("keeps caps per minter", async function () {
      const { vusd, governance, minter, otherMinter, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      await vusd.connect(governance).setMinterCap(otherMinter.address, 5n);
      await vusd.connect(minter).mint(alice.address, CAP);
      await vusd.connect(otherMinter).mint(alice.address, 5n);
      await expect(vusd.connect(otherMinter).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(vusd, "VUSDMinterCapExceeded")
        .withArgs(otherMinter.address, 5n, 6n);
      expect(await vusd.totalSupply()).to.equal(CAP + 5n);
    });
  });

  describe("burnFrom", function () {
    it("spends the account's allowance to the minter", async function () {
      const { vusd, minter, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      await vusd.connect(minter).mint(alice.address, 100n);
      await vusd.connect(alice).approve(minter.address, 60n);
      await expect(vusd.connect(minter).burnFrom(alice.address, 40n))
        .to.emit(vusd, "Transfer")
        .withArgs(alice.address, ethers.ZeroAddress, 40n);
      expect(await vusd.allowance(alice.address, minter.address)).to.equal(20n);
      expect(await vusd.balanceOf(alice.address)).to.equal(60n);
      expect(await vusd.minterOf(minter.address)).to.deep.equal([CAP, 60n]);
    });

    it("reverts without enough allowance", async function () {
      const { vusd, minter, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      await vusd.connect(minter).mint(alice.address, 100n);
      await vusd.connect(alice).approve(minter.address, 39n);
      await expect(vusd.connect(minter).burnFrom(alice.address, 40n))
        .to.be.revertedWithCustomError(vusd, "ERC20InsufficientAllowance")
        .withArgs(minter.address, 39n, 40n);
    });

    it("reverts above the account's balance", async function () {
      const { vusd, minter, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      await vusd.connect(minter).mint(alice.address, 100n);
      await vusd.connect(alice).approve(minter.address, 1000n);
      await expect(vusd.connect(minter).burnFrom(alice.address, 101n))
        .to.be.revertedWithCustomError(vusd, "ERC20InsufficientBalance")
        .withArgs(alice.address, 100n, 101n);
    });

    it("needs no allowance when the account is the minter", async function () {
      const { vusd, minter } = await networkHelpers.loadFixture(deployVusdFixture);
      await vusd.connect(minter).mint(minter.address, 100n);
      await vusd.connect(minter).burnFrom(minter.address, 100n);
      expect(await vusd.balanceOf(minter.address)).to.equal(0n);
      expect(await vusd.minterOf(minter.address)).to.deep.equal([CAP, 0n]);
    });

    it("saturates the minted amount at zero when burning more than was minted (repaid interest)", async function () {
      const { vusd, governance, minter, otherMinter, alice } = await networkHelpers.loadFixture(deployVusdFixture);
      await vusd.connect(governance).setMinterCap(otherMinter.address, CAP);
      await vusd.connect(minter).mint(alice.address, 100n);
      await vusd.connect(otherMinter).mint(alice.address, 50n); // e.g. interest paid with vUSD from elsewhere
      await vusd.connect(alice).approve(minter.address, 150n);
      await vusd.connect(minter).burnFrom(alice.address, 150n);
      expect(await vusd.minterOf(minter.address)).to.deep.equal([CAP, 0n]);
      expect(await vusd.totalSupply()).to.equal(0n);
    });

    it("rejects a non-minter", async function () {
      const { vusd, minter, alice, bob } = await networkHelpers.loadFixture(deployVusdFixture);
      await vusd.connect(minter).mint(alice.address, 100n);
      await vusd.connect(alice).approve(bob.address, 100n);
      await expect(vusd.connect(bob).burnFrom(alice.address, 1n))
        .to.be.revertedWithCustomError(vusd, "VUSDNotMinter")
        .withArgs(bob.address);
    });
  });

  describe("permit", function () {
    it("sets an allowance from an EIP-2612 signature, once", async function () {
      const { vusd, minter, alice, bob } = await networkHelpers.loadFixture(deployVusdFixture);
      const { chainId } = await ethers.provider.getNetwork();
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const value = 77n;
      const nonce = await vusd.nonces(alice.address);
      const signature = await alice.signTypedData(
        { name: "Verity USD", version: "1", chainId, verifyingContract: await vusd.getAddress() },
        {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        { owner: alice.address, spender: minter.address, value, nonce, deadline },
      );
      const { v, r, s } = ethers.Signature.from(signature);
      await expect(vusd.connect(bob).permit(alice.address, minter.address, value, deadline, v, r, s))
        .to.emit(vusd, "Approval")
        .withArgs(alice.address, minter.address, value);
      expect(await vusd.allowance(alice.address, minter.address)).to.equal(value);
      expect(await vusd.nonces(alice.address)).to.equal(nonce + 1n);
      await expect(
        vusd.connect(bob).permit(alice.address, minter.address, value, deadline, v, r, s),
      ).to.be.revertedWithCustomError(vusd, "ERC2612InvalidSigner");
    });
  });
});
