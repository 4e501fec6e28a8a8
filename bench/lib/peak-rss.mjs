// Preloaded into a measured process (node --import ./bench/lib/peak-rss.mjs …): at exit, writes its
// peak resident set size in KiB to the file named by PEAK_RSS_FILE. A process killed by the OOM
// guard or a signal writes nothing, and the bench says so.
import { writeFileSync } from 'node:fs';

const file = process.env.PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
