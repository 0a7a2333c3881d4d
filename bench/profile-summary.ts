/** `node dist/bench/profile-summary.js FILE.cpuprofile [N]`: where a V8 CPU profile spent its time, by function. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMs = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const frame = byId.get(id)!.callFrame;
  const where = frame.url ? `${frame.url.replace(/^.*\/(node_modules\/|dist\/)/, '$1')}:${frame.lineNumber + 1}` : '(native)';
  const name = `${frame.functionName || '(anonymous)'} ${where}`;
  const ms = (profile.timeDeltas[i] ?? 0) / 1000;
  total += ms;
  selfMs.set(name, (selfMs.get(name) ?? 0) + ms);
});
console.log(`total ${(total / 1000).toFixed(1)} s of samples`);
for (const [name, ms] of [...selfMs.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) {
  console.log(`${((ms / total) * 100).toFixed(1).padStart(5)}%  ${(ms / 1000).toFixed(2).padStart(7)} s  ${name}`);
}
