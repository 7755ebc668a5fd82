// Count this process's open fds (for leak tests).
import { readdirSync } from "node:fs";
export const openFds = () => readdirSync("/proc/self/fd").length;
