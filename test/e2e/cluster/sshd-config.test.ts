import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderSshdConfig } from "./sshd-config.js";

const options = {
  listenAddress: "10.213.7.2",
  port: 22,
  hostKeyPath: "/tmp/hydro-cluster/abc123/host1/ssh_host_ed25519_key",
  pidFilePath: "/tmp/hydro-cluster/abc123/host1/sshd.pid",
  authorizedKeysPath: "/tmp/hydro-cluster/abc123/authorized_keys",
  sessionPath: "/usr/sbin:/usr/bin",
};

describe("renderSshdConfig", () => {
  it("writes what sshd needs to run beside the machine's own, keys only", () => {
    const lines = renderSshdConfig(options).trimEnd().split("\n");
    for (const expected of [
      "ListenAddress 10.213.7.2:22",
      `HostKey ${options.hostKeyPath}`,
      `PidFile ${options.pidFilePath}`,
      `AuthorizedKeysFile ${options.authorizedKeysPath}`,
      "UsePAM no",
      "StrictModes no",
      "PasswordAuthentication no",
      "Subsystem sftp internal-sftp",
      "SetEnv SHLVL=1 PATH=/usr/sbin:/usr/bin",
    ]) {
      assert.ok(lines.includes(expected), `missing "${expected}"`);
    }
  });

  it("quotes values with spaces and refuses values it cannot quote", () => {
    assert.match(renderSshdConfig({ ...options, hostKeyPath: "/tmp/my dir/key" }), /^HostKey "\/tmp\/my dir\/key"$/m);
    assert.throws(() => renderSshdConfig({ ...options, sessionPath: '/bin"' }), /cannot contain quotes/);
  });
});
