/** The Verity SDK's Node-only entry: what needs `node:` modules. Not exported from the browser entry (`index.ts`). */
export { readAddressBook, readNetworkAddressBook } from "./node/address-book-file.js";
