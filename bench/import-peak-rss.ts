/**
 * Preloaded (`node -r`) into each process the import bench starts: on exit, writes its peak
 * resident set size (VmHWM) and CPU time to the file named by BENCH_STATS_FILE. Read at exit,
 * VmHWM is exact; sampled from outside, the last growth before exit could be missed.
 */
import { readFileSync, writeFileSync } from "node:fs";

const target = process.env.BENCH_STATS_FILE;
if (target) {
  process.on("exit", () => {
    const status = readFileSync("/proc/self/status", "utf8");
    const peakRssKb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
    const cpu = process.cpuUsage();
    writeFileSync(target, JSON.stringify({ peakRssKb, cpuMs: (cpu.user + cpu.system) / 1_000 }));
  });
}
