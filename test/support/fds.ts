// Count this process's open fds (for leak tests). Pipes and sockets are left out: child
// processes (ffmpeg in the tests) leave those to be closed asynchronously by the runtime.
import { readdirSync, readlinkSync } from "node:fs";

export function openFds(): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    let target = "";
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the fd readdir itself used, gone already
    }
    if (!target.startsWith("pipe:") && !target.startsWith("socket:")) n++;
  }
  return n;
}

/** Where this process's fds point (for saying which one leaked). */
export function fdTargets(): string[] {
  return readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      return [`${fd} -> ${readlinkSync(`/proc/self/fd/${fd}`)}`];
    } catch {
      return [];
    }
  });
}
