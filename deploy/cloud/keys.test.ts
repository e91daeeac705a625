import { test } from "node:test";
import assert from "node:assert/strict";
import { ed25519KeyBytes, generateKeyPair } from "./keys.js";

test("every generated key pair has a 32-byte ed25519 public key (ssh2 alone drops leading zero bytes in 1 of ~256)", async () => {
  // Found when EC2 (moto) refused an imported key: "Key is not in valid OpenSSH public key format".
  assert.equal(ed25519KeyBytes("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAH+8I//IYBM0jWjKSkgh5K98mKRdFKjUC3Pv0pmA4BEA= short"), 31);
  for (let i = 0; i < 2000; i++) {
    const { publicKey, privateKey } = await generateKeyPair("test");
    assert.equal(ed25519KeyBytes(publicKey), 32, publicKey);
    assert.match(privateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----/);
  }
});
