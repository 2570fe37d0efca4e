// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title Interim stand-in for VUSD until the real one is merged (tests only; to be deleted)
/// @notice Implements IVUSD's mint / burnFrom / minter caps, with no access control on `setMinterCap`.
contract InterimVUSD is ERC20, ERC20Permit {
    error VUSDNotMinter(address caller);
    error VUSDMinterCapExceeded(address minter, uint256 capWad, uint256 mintedAfterWad);

    struct Minter {
        uint256 cap;
        uint256 minted;
    }

    mapping(address => Minter) private _minters;

    constructor() ERC20("Verity USD", "vUSD") ERC20Permit("Verity USD") {}

    function setMinterCap(address minter, uint256 capWad) external {
        _minters[minter].cap = capWad;
    }

    function minterOf(address minter) external view returns (uint256, uint256) {
        return (_minters[minter].cap, _minters[minter].minted);
    }

    function mint(address to, uint256 amountWad) external {
        Minter storage m = _minters[msg.sender];
        if (m.cap == 0) revert VUSDNotMinter(msg.sender);
        if (m.minted + amountWad > m.cap) revert VUSDMinterCapExceeded(msg.sender, m.cap, m.minted + amountWad);
        m.minted += amountWad;
        _mint(to, amountWad);
    }

    function burnFrom(address account, uint256 amountWad) external {
        Minter storage m = _minters[msg.sender];
        if (m.cap == 0 && m.minted == 0) revert VUSDNotMinter(msg.sender);
        if (account != msg.sender) _spendAllowance(account, msg.sender, amountWad);
        _burn(account, amountWad);
        m.minted = m.minted > amountWad ? m.minted - amountWad : 0;
    }
}
