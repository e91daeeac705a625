/** Whether a process with this pid exists (a deployer still at work, an owner of a run directory or cgroup); EPERM: it does, as another user's. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
