/**
 * Whether a process with this pid runs on this machine: the owner of a lock file or a temp file
 * left behind. EPERM means it exists but belongs to another user, which still counts.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
