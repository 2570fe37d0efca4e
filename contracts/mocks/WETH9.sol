// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Wrapped Ether (WETH9 semantics) for local chains
/// @notice Deposit ETH to mint WETH 1:1, withdraw to burn and get ETH back. Standard ERC20 otherwise
/// (`type(uint256).max` allowance is not decreased, as in WETH9).
contract WETH9 {
    string public constant name = "Wrapped Ether";
    string public constant symbol = "WETH";
    uint8 public constant decimals = 18;

    event Approval(address indexed src, address indexed guy, uint256 wad);
    event Transfer(address indexed src, address indexed dst, uint256 wad);
    event Deposit(address indexed dst, uint256 wad);
    event Withdrawal(address indexed src, uint256 wad);

    error WETH9InsufficientBalance(address account, uint256 balance, uint256 needed);
    error WETH9InsufficientAllowance(address owner, address spender, uint256 allowance, uint256 needed);
    error WETH9EthTransferFailed();

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    receive() external payable {
        deposit();
    }

    /// @notice Wraps `msg.value` ETH.
    function deposit() public payable {
        balanceOf[msg.sender] += msg.value;
        emit Deposit(msg.sender, msg.value);
    }

    /// @notice Unwraps `wad` WETH to ETH sent to the caller.
    function withdraw(uint256 wad) external {
        uint256 bal = balanceOf[msg.sender];
        if (bal < wad) revert WETH9InsufficientBalance(msg.sender, bal, wad);
        // unchecked: bal >= wad checked above.
        unchecked {
            balanceOf[msg.sender] = bal - wad;
        }
        emit Withdrawal(msg.sender, wad);
        (bool ok, ) = msg.sender.call{value: wad}("");
        if (!ok) revert WETH9EthTransferFailed();
    }

    function totalSupply() external view returns (uint256) {
        return address(this).balance;
    }

    function approve(address guy, uint256 wad) external returns (bool) {
        allowance[msg.sender][guy] = wad;
        emit Approval(msg.sender, guy, wad);
        return true;
    }

    function transfer(address dst, uint256 wad) external returns (bool) {
        return transferFrom(msg.sender, dst, wad);
    }

    function transferFrom(address src, address dst, uint256 wad) public returns (bool) {
        uint256 bal = balanceOf[src];
        if (bal < wad) revert WETH9InsufficientBalance(src, bal, wad);
        if (src != msg.sender) {
            uint256 allowed = allowance[src][msg.sender];
            if (allowed != type(uint256).max) {
                if (allowed < wad) revert WETH9InsufficientAllowance(src, msg.sender, allowed, wad);
                // unchecked: allowed >= wad checked above.
                unchecked {
                    allowance[src][msg.sender] = allowed - wad;
                }
            }
        }
        // unchecked: bal >= wad checked above; the sum of balances is bounded by the ETH supply.
        unchecked {
            balanceOf[src] = bal - wad;
            balanceOf[dst] += wad;
        }
        emit Transfer(src, dst, wad);
        return true;
    }
}
