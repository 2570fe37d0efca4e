/**
 * `deployments/<network>.json`, the address book: defined in the SDK (`sdk/src/address-book.ts`, and
 * `sdk/src/node/address-book-file.ts` for reading it from a file); re-exported here for the node and scripts.
 */
export {
  addressBookPath,
  addressBookSchema,
  assertAddressBookChain,
  parseAddressBook,
  type AddressBook,
} from "../../../sdk/src/address-book.js";
export { readAddressBook, readNetworkAddressBook } from "../../../sdk/src/node/address-book-file.js";
