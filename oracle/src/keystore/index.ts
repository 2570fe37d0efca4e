export {
  loadOperatorWallet,
  readKeystorePassword,
  KeystoreError,
  type OperatorWallet,
  type PasswordSource,
} from "./keystore.js";
export { createKeystoreFile, parsePrivateKey, DEFAULT_SCRYPT_N } from "./create.js";
