// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {ILendingPool} from "../../contracts/interfaces/ILendingPool.sol";
import {SystemDeployer} from "./invariants/SystemDeployer.sol";

/// @notice Reports success from `transferFrom` but moves nothing (a paused or blacklisting token that fails
/// silently): the pool must credit nothing, not the requested amount.
contract NothingArrivesToken is ERC20 {
    constructor() ERC20("Nothing", "NIL") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function transferFrom(address, address, uint256) public pure override returns (bool) {
        return true;
    }
}

/// @notice A USDT-style token: `transfer` and `transferFrom` return nothing (SafeERC20 must accept that).
contract NoReturnToken {
    uint8 public constant decimals = 18;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
    }

    function transfer(address to, uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
    }

    function transferFrom(address from, address to, uint256 amount) external {
        allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }
}

/// @notice Collateral paths with hostile tokens; this contract is the borrower (unscored: the conservative tier,
/// max LTV 50%, at the feed's $3,000).
contract PoolHostileTokensTest is SystemDeployer {
    function setUp() public {
        _deploySystem();
    }

    function _list(address asset) internal {
        vm.prank(GOVERNANCE);
        pool.listCollateral(asset, address(feed), 1 hours);
    }

    function test_deposit_nothingArrivedRevertsZeroAmount() public {
        NothingArrivesToken token = new NothingArrivesToken();
        _list(address(token));
        token.mint(address(this), 10e18);
        token.approve(address(pool), type(uint256).max);
        try pool.deposit(address(token), 10e18, address(this)) {
            revert("credited collateral that never arrived");
        } catch (bytes memory err) {
            require(bytes4(err) == ILendingPool.LendingPoolZeroAmount.selector, "wrong error");
        }
        require(pool.collateralOf(address(this), address(token)) == 0, "credited");
    }

    function test_noReturnToken_depositBorrowWithdraw() public {
        NoReturnToken token = new NoReturnToken();
        _list(address(token));
        token.mint(address(this), 10e18);
        token.approve(address(pool), type(uint256).max);

        pool.deposit(address(token), 10e18, address(this));
        require(pool.collateralOf(address(this), address(token)) == 10e18, "deposit not credited");
        require(token.balanceOf(address(pool)) == 10e18, "deposit not pulled");

        pool.borrow(10_000e18); // $30,000 of collateral at 50%: $15,000 of room
        pool.withdraw(address(token), 3e18, address(this)); // leaves $21,000: needs $20,000 (+ no interest yet)
        require(token.balanceOf(address(this)) == 3e18, "withdrawal not sent");
        try pool.withdraw(address(token), 1e18, address(this)) {
            revert("withdrew below the LTV");
        } catch (bytes memory err) {
            require(bytes4(err) == ILendingPool.LendingPoolInsufficientCollateral.selector, "wrong error");
        }
    }
}
