// Child process of lock.test.ts: increments the counter in <file> `n` times, each a read–sleep–write under the lock.
import { readFileSync, writeFileSync } from 'node:fs';
import { withFileLock } from '../../src/core/lock.js';

const [file, n] = [process.argv[2]!, Number(process.argv[3])];
for (let i = 0; i < n; i++) {
  await withFileLock(file, async () => {
    const v = Number(readFileSync(file, 'utf8'));
    await new Promise((r) => setTimeout(r, 2));
    writeFileSync(file, String(v + 1));
  });
}
