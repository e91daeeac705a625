/**
 * What a cloud VM runs once at first boot (EC2 user-data, GCE startup-script), as root:
 *
 * 1. installs the SSH host key the deployer generated for it, and no other, so the deployer's
 *    first connection is already pinned (no trust on first use);
 * 2. authorizes the deployment's client key for `user` (cloud-init does too, from the key pair or
 *    `ssh-keys` metadata; this makes it independent of the image);
 * 3. arms the dead-man switch: `~user/.hydro/alive` is touched by the deployer while it runs
 *    (deploy/ssh: `alive`); once it is older than the idle limit the VM powers itself off. On EC2
 *    the shutdown behaviour is terminate, so it is gone; on GCE it is stopped (TERMINATED: only its
 *    disk still costs), and `hydro down --all --gcp` deletes it.
 *
 * A test host that shares the machine's file system runs the same script with HYDRO_BOOT_ROOT (a
 * prefix for /etc and /var), HYDRO_POWEROFF (the power-off command) and HYDRO_RESTART_SSHD set.
 */
export interface BootScriptOptions {
  hostKey: { privateKey: string; publicKey: string };
  authorizedKey: string;
  user: string;
  /** Minutes without a deployer heartbeat before the VM powers itself off (fractions allowed). */
  idleShutdownMinutes: number;
}

/** The file the deployer touches to say it is alive, relative to the user's home. */
export const ALIVE_FILE = ".hydro/alive";

export function bootScript({ hostKey, authorizedKey, user, idleShutdownMinutes }: BootScriptOptions): string {
  const idleSeconds = Math.max(1, Math.round(idleShutdownMinutes * 60));
  // The watchdog looks several times per idle period, at least once a minute.
  const checkSeconds = Math.max(1, Math.min(60, Math.floor(idleSeconds / 4)));
  for (const text of [hostKey.privateKey, hostKey.publicKey, authorizedKey]) {
    if (text.includes("HYDRO_EOF")) throw new Error("internal error: a key contains the here-document marker");
  }
  if (!/^[a-z_][a-z0-9_-]*$/.test(user)) throw new Error(`internal error: unsafe user name ${JSON.stringify(user)}`);
  return `#!/bin/sh
# hydro-deploy boot script: pin the SSH host key, let the deployer in, arm the dead-man switch.
set -eu
root="\${HYDRO_BOOT_ROOT:-}"
umask 077
mkdir -p "$root/etc/ssh"
rm -f "$root"/etc/ssh/ssh_host_*_key "$root"/etc/ssh/ssh_host_*_key.pub
cat > "$root/etc/ssh/ssh_host_ed25519_key" <<'HYDRO_EOF'
${hostKey.privateKey.trim()}
HYDRO_EOF
cat > "$root/etc/ssh/ssh_host_ed25519_key.pub" <<'HYDRO_EOF'
${hostKey.publicKey.trim()}
HYDRO_EOF
chmod 600 "$root/etc/ssh/ssh_host_ed25519_key"
chmod 644 "$root/etc/ssh/ssh_host_ed25519_key.pub"

home=$(getent passwd ${user} | cut -d: -f6 || true)
if [ -z "$home" ]; then
  # The image's first-boot setup has not made the user yet: make it (with sudo, like the image's own).
  useradd -m -s /bin/bash ${user}
  home=$(getent passwd ${user} | cut -d: -f6)
  if [ -d "$root/etc/sudoers.d" ]; then echo '${user} ALL=(ALL) NOPASSWD:ALL' > "$root/etc/sudoers.d/90-hydro-${user}"; fi
fi
mkdir -p "$home/.ssh" "$home/.hydro"
cat >> "$home/.ssh/authorized_keys" <<'HYDRO_EOF'
${authorizedKey.trim()}
HYDRO_EOF
touch "$home/${ALIVE_FILE}"
chown -R ${user} "$home/.ssh" "$home/.hydro"
chmod 700 "$home/.ssh" "$home/.hydro"

if [ -n "\${HYDRO_RESTART_SSHD:-}" ]; then
  sh -c "$HYDRO_RESTART_SSHD"
else
  systemctl restart ssh 2>/dev/null || systemctl restart sshd 2>/dev/null || service ssh restart 2>/dev/null || true
fi

# The dead-man switch: no heartbeat for ${idleSeconds} s, and the VM powers off.
alive="$home/${ALIVE_FILE}"
poweroff_command="\${HYDRO_POWEROFF:-poweroff}"
nohup sh -c '
  while sleep ${checkSeconds}; do
    last=$(stat -c %Y "$1" 2>/dev/null || echo 0)
    if [ $(( $(date +%s) - last )) -ge ${idleSeconds} ]; then
      echo "hydro-deploy: no deployer heartbeat for ${idleSeconds} s: powering off" | logger -t hydro-deploy 2>/dev/null || true
      sh -c "$2"
      exit 0
    fi
  done
' hydro-dead-man-switch "$alive" "$poweroff_command" >/dev/null 2>&1 &
`;
}
