import { access, constants, mkdir } from "node:fs/promises";
import { execa } from "execa";

export const SSHD_PATH = "/usr/sbin/sshd";
// What the cluster runs, and the Debian package each comes in. procps (pgrep, ps) is for tests
// that check which processes are left; unshare, nsenter, mount and bash are essential packages.
const REQUIRED: Readonly<Record<string, string>> = {
  [SSHD_PATH]: "openssh-server",
  "/usr/bin/ssh": "openssh-client",
  "/usr/bin/ssh-keygen": "openssh-client",
  "/usr/sbin/ip": "iproute2",
  "/usr/bin/pgrep": "procps",
};
// sshd refuses to start without its privilege-separation directory (normally made by systemd).
const PRIVSEP_DIR = "/run/sshd";
// Waits for a concurrent apt/dpkg (another test file installing the same package) instead of failing.
const APT_OPTIONS = ["-o", "DPkg::Lock::Timeout=300", "-q", "-y"];
const APT_ENV = { env: { DEBIAN_FRONTEND: "noninteractive" } } as const;

let installing: Promise<void> | undefined;

/** Installs the Debian packages the cluster needs when missing: CI starts from a clean machine. */
export function ensurePackages(): Promise<void> {
  installing ??= installMissing().finally(() => (installing = undefined));
  return installing;
}

async function installMissing(): Promise<void> {
  const missing = await Promise.all(
    Object.entries(REQUIRED).map(([path, pkg]) =>
      access(path, constants.X_OK).then(
        () => [],
        () => [pkg],
      ),
    ),
  );
  const packages = [...new Set(missing.flat())];
  if (packages.length > 0) {
    const install = () => execa("apt-get", ["install", ...APT_OPTIONS, "--no-install-recommends", ...packages], APT_ENV);
    try {
      await install();
    } catch {
      // A clean machine may have no package lists yet.
      await execa("apt-get", ["update", ...APT_OPTIONS], APT_ENV);
      await install();
    }
  }
  await mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
}
