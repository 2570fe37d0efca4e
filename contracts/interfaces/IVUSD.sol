// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title vUSD, Verity's stablecoin
/// @notice ERC20 + ERC20Permit. Only registered minters (facilitators, GHO-style) mint, each up to a cap set by
/// governance; repayment burns.
interface IVUSD is IERC20, IERC20Permit {
    /// @notice Governance set `minter`'s cap (0 removes the minter's right to mint; burning stays allowed).
    event MinterCapSet(address indexed minter, uint256 oldCapWad, uint256 newCapWad);

    /// @notice The caller is not a registered minter.
    error VUSDNotMinter(address caller);
    /// @notice Minting would take `minter` past its cap.
    error VUSDMinterCapExceeded(address minter, uint256 capWad, uint256 mintedAfterWad);
    /// @notice A zero address where an account is required.
    error VUSDZeroAddress();

    /// @notice Mints `amountWad` to `to`. Only a minter, within its cap.
    /// @dev Reverts `VUSDNotMinter`, `VUSDMinterCapExceeded`.
    function mint(address to, uint256 amountWad) external;

    /// @notice Burns `amountWad` from `account`, spending `account`'s allowance to the calling minter
    /// (no allowance needed when `account` is the minter). Lowers the minter's minted amount.
    /// @dev Reverts `VUSDNotMinter`, `ERC20InsufficientAllowance`, `ERC20InsufficientBalance`.
    function burnFrom(address account, uint256 amountWad) external;

    /// @notice Sets `minter`'s cap. Only governance.
    function setMinterCap(address minter, uint256 capWad) external;

    /// @notice A minter's cap and the amount it has minted and not burned.
    function minterOf(address minter) external view returns (uint256 capWad, uint256 mintedWad);
}
