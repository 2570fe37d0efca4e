import { expect } from "chai";
import { network } from "hardhat";
const { ethers } = await network.connect();
describe("Probe", () => { it("sets", async () => { const p = await ethers.deployContract("Probe"); await p.set(5n); expect(await p.x()).to.equal(5n); }); });
