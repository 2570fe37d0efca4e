/** `npm run oracle:register`: governance replaces the operator set, found among the network's accounts. */
import { expect } from "chai";
import { Wallet } from "ethers";

import { governanceSigner, parseOperatorList, registerOperators } from "../../scripts/oracle/register-operators.js";
import { deployChain, type ChainFixture } from "./chain-fixture.js";
import { expectRejection } from "../helpers/assertions.js";

describe("oracle:register (operator set, as governance)", function () {
  this.timeout(60_000);
  let fixture: ChainFixture;
  before(async () => {
    fixture = await deployChain();
  });

  it("parses a comma-separated list into checksummed distinct addresses, naming a bad entry", () => {
    const [a, b] = [Wallet.createRandom().address, Wallet.createRandom().address];
    expect(parseOperatorList(`${a.toLowerCase()}, ${b}`)).to.deep.equal([a, b]);
    expect(() => parseOperatorList(`${a},0x1234`)).to.throw('"0x1234" is not an address');
    expect(() => parseOperatorList(`${a},${a.toLowerCase()}`)).to.throw(`${a} is listed twice`);
    expect(() => parseOperatorList(" , ")).to.throw("at least one address");
  });

  it("sets the operators and threshold with the address book's governance account, bumping the version", async () => {
    const [before] = await fixture.system.oracle.operatorSet();
    const operators = [Wallet.createRandom().address, Wallet.createRandom().address, fixture.operators[0]!.address];
    const governance = await governanceSigner(fixture.signers, fixture.addressBook);
    expect(await governance.getAddress()).to.equal(fixture.roles.governance.address);
    const set = await registerOperators({ governance, addressBook: fixture.addressBook, operators, threshold: 2 });
    expect(set.version).to.equal(before + 1n);
    expect(set.threshold).to.equal(2);
    expect(set.operators).to.deep.equal(operators);
  });

  it("refuses a threshold above the operator count, and a network without the governance key", async () => {
    const governance = await governanceSigner(fixture.signers, fixture.addressBook);
    await expectRejection(
      registerOperators({
        governance,
        addressBook: fixture.addressBook,
        operators: [Wallet.createRandom().address],
        threshold: 2,
      }),
      /--threshold must be an integer in 1\.\.1/,
    );
    await expectRejection(
      governanceSigner(fixture.signers.slice(2), fixture.addressBook),
      /is not among the network's configured accounts/,
    );
  });
});
