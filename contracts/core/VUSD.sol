// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

import {IVUSD} from "../interfaces/IVUSD.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title vUSD, Verity's stablecoin
/// @notice ERC20 + ERC20Permit minted only by facilitators (GHO-style minters) within caps set by governance.
/// @dev Access: `Roles.GOVERNANCE` is its own admin and is granted once, in the constructor; `DEFAULT_ADMIN_ROLE`
/// is never granted, so nobody holds a backdoor over the roles.
///
/// Minter accounting: `mintedWad` is what a minter minted and has not burned, and is what the cap bounds.
/// A burn lowers it saturating at zero, because a minter may burn more than it minted: the lending pool mints
/// principal but burns principal plus interest on repayment (the interest was minted by nobody, it is removed
/// from circulation as surplus). Saturation keeps `mintedWad` a conservative measure of the minter's exposure.
///
/// Storage: one slot per minter (registered flag, cap, minted). Caps above `type(uint120).max` wad (about 1.3e18
/// vUSD, i.e. "unlimited") are stored as that maximum; `minted <= cap` whenever a mint succeeds, so `mintedWad`
/// always fits its 128 bits.
contract VUSD is IVUSD, ERC20Permit, AccessControl {
    /// @dev A minter: `registered` once governance has set a cap (cap 0 keeps the right to burn).
    struct Minter {
        bool registered;
        uint120 capWad;
        uint128 mintedWad;
    }

    mapping(address minter => Minter) private _minters;

    /// @param governance the account (a timelock or multisig) holding `Roles.GOVERNANCE`.
    constructor(address governance) ERC20("Verity USD", "vUSD") ERC20Permit("Verity USD") {
        if (governance == address(0)) revert VUSDZeroAddress();
        _setRoleAdmin(Roles.GOVERNANCE, Roles.GOVERNANCE);
        _grantRole(Roles.GOVERNANCE, governance);
    }

    /// @inheritdoc IVUSD
    function mint(address to, uint256 amountWad) external {
        Minter memory minter = _minters[msg.sender];
        if (!minter.registered) revert VUSDNotMinter(msg.sender);
        uint256 mintedAfterWad = uint256(minter.mintedWad) + amountWad;
        if (mintedAfterWad > minter.capWad) revert VUSDMinterCapExceeded(msg.sender, minter.capWad, mintedAfterWad);
        // Safe cast: mintedAfterWad <= capWad <= type(uint120).max.
        _minters[msg.sender].mintedWad = uint128(mintedAfterWad);
        _mint(to, amountWad);
    }

    /// @inheritdoc IVUSD
    /// @dev The minter's minted amount saturates at zero: the pool also burns repaid interest it never minted.
    function burnFrom(address account, uint256 amountWad) external {
        Minter storage minter = _minters[msg.sender];
        if (!minter.registered) revert VUSDNotMinter(msg.sender);
        if (account != msg.sender) _spendAllowance(account, msg.sender, amountWad);
        uint128 mintedWad = minter.mintedWad;
        // Saturating subtraction: the branch guarantees no underflow.
        unchecked {
            minter.mintedWad = amountWad >= mintedWad ? 0 : mintedWad - uint128(amountWad);
        }
        _burn(account, amountWad);
    }

    /// @inheritdoc IVUSD
    /// @dev Registers `minter` on first use. Caps above `type(uint120).max` are stored (and emitted) as that maximum.
    function setMinterCap(address minter, uint256 capWad) external onlyRole(Roles.GOVERNANCE) {
        if (minter == address(0)) revert VUSDZeroAddress();
        Minter storage record = _minters[minter];
        uint120 newCapWad = capWad > type(uint120).max ? type(uint120).max : uint120(capWad);
        uint256 oldCapWad = record.capWad;
        record.registered = true;
        record.capWad = newCapWad;
        emit MinterCapSet(minter, oldCapWad, newCapWad);
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc IVUSD
    function minterOf(address minter) external view returns (uint256 capWad, uint256 mintedWad) {
        Minter memory record = _minters[minter];
        return (record.capWad, record.mintedWad);
    }
}
