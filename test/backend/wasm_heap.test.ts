// The wasm heap guard (src/backend/wasm_heap.ts): an allocation the 4 GiB wasm heap cannot hold is an error naming
// the size, where tfjs alone takes malloc's 0 for an address and corrupts the heap.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';

describe('wasm heap guard', () => {
  it('a tensor past the heap is an error that says so; the heap stays usable', async () => {
    await useBackend('wasm');
    const row = tf.ones([1, 1024, 1024]); // 4 MiB
    const a = tf.fill([600, 1024, 1024], 1); // 2.3 GiB
    let msg = '';
    try {
      tf.fill([600, 1024, 1024], 2); // another 2.3 GiB: past 4 GiB (without the guard: an address that wrapped around)
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^wasm heap out of memory: could not allocate 2400\.0 MiB with \d+ MiB in use \(the wasm backend addresses at most 4 GiB\)$/);
    tf.dispose(a);
    const b = tf.tile(row, [4, 1, 1]);
    expect((await tf.sum(b).data())[0]).toBe(4 * 1024 * 1024);
    expect((await tf.sum(row).data())[0]).toBe(1024 * 1024);
    tf.dispose([b, row]);
  }, 120_000);
});
