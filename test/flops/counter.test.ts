import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { resnetGraph } from './oracle_resnet.js';
import { registerFlopsAdapter, type FlopsContributor } from '../../src/flops/contributor.js';
import { CONVENTIONS, type Convention } from '../../src/flops/conventions.js';
import { captureGraph, countFlops, countFlopsMany, priceGraph } from '../../src/flops/counter.js';
import { flopsReport } from '../../src/cli/flops_report.js';
import { createModel } from '../../src/zoo/index.js';
import { Conv2d, Module, ReLU, Sequential } from '../../src/nn/index.js';
import { pix } from '../../src/ops/pix/index.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('counter on torchvision models at 224²', () => {
  it('ResNet-50: params and every convention equal the reference integers and the oracle graph', async () => {
    const m = createModel('resnet50');
    const res = await countFlopsMany(m, CONVENTIONS);
    m.dispose();
    const totals = Object.fromEntries([...res].map(([c, r]) => [c, r.totals.macs]));
    expect(res.get('ptflops')!.totals.params).toBe(25_557_032);
    expect(totals).toMatchObject({
      macs: 4_089_184_256, ptflops: 4_121_925_096, torchprofile: 4_100_300_288, chex: 4_089_185_256, 'pix-supplement': 4_143_349_248,
    });
    const g = resnetGraph({ block: 'bottleneck', layers: [3, 4, 6, 3] });
    for (const c of CONVENTIONS) {
      const a = priceGraph(g, c);
      expect(res.get(c)!.rows.map((r) => [r.name, r.macs]), c).toEqual(a.rows.map((r) => [r.name, r.macs]));
    }
    const rows = res.get('ptflops')!.rows;
    expect(rows.filter((r) => r.functional).map((r) => r.type).slice(0, 2)).toEqual(['fn:Add', 'fn:Relu']);
    expect(rows.reduce((s, r) => s + r.params, 0)).toBe(25_557_032);
    expect(res.get('ptflops')!.uncounted).toEqual([]);
  });

  it('ResNet-18: CHEX 1,814,074,344 and DGC 1,818,213,864', async () => {
    const m = createModel('resnet18');
    const res = await countFlopsMany(m, ['chex', 'dgc']);
    m.dispose();
    expect(res.get('chex')!.totals.macs).toBe(1_814_074_344);
    expect(res.get('dgc')!.totals.macs).toBe(1_818_213_864);
    expect(res.get('dgc')!.totals.params).toBe(11_689_512);
  });
});

class TinyGate extends Module implements FlopsContributor {
  readonly conv = this.addModule('conv', new Conv2d({ inChannels: 4, outChannels: 2, kernelSize: 1, bias: false }));
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sigmoid(this.conv.call(x)));
  }
  flopsFor(i: readonly number[], _o: readonly number[], c: Convention) {
    return { macs: c === 'dgc' ? 7 : i[1]! * 1000, breakdown: { all: i[1]! * 1000 } };
  }
}

class Functional extends Module {
  readonly conv = this.addModule('conv', new Conv2d({ inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, bias: true }));
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.relu(tf.add(this.conv.call(x), x)));
  }
}

class PixLeaf extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => pix(x as tf.Tensor4D, tf.fill([x.shape[0]!, 2], 0.3), { zeta: 4 }));
  }
}

describe('counter mechanics', () => {
  it('uses flopsFor of a contributor and does not descend into it', async () => {
    const net = new Sequential(new TinyGate(), new ReLU());
    const r = await countFlops(net, { inputShape: [1, 5, 5, 4], convention: 'ptflops' });
    expect(r.rows.map((x) => [x.name, x.type, x.kind, x.macs])).toEqual([['0', 'TinyGate', 'custom', 5000], ['1', 'ReLU', 'relu', 50]]);
    expect(r.rows[0]!.params).toBe(8);
    expect(r.rows[0]!.breakdown).toEqual({ all: 5000 });
    expect((await countFlops(net, { inputShape: [1, 5, 5, 4], convention: 'dgc' })).rows[0]!.macs).toBe(7);
  });

  it('an adapter prices a class it cannot edit', async () => {
    const remove = registerFlopsAdapter(Functional, () => ({ macs: 42 }));
    try {
      const r = await countFlops(new Sequential(new Functional()), { inputShape: [1, 3, 3, 4], convention: 'macs' });
      expect(r.rows.map((x) => [x.type, x.macs])).toEqual([['Functional', 42]]);
    } finally {
      remove();
    }
  });

  it('captures functional kernels of containers (conv bias, add, relu) per convention', async () => {
    const net = new Functional();
    const res = await countFlopsMany(net, ['ptflops', 'torchprofile', 'dgc'], { inputShape: [2, 3, 3, 4] });
    const p = res.get('ptflops')!;
    expect(p.rows.map((x) => [x.name, x.kind])).toEqual([['conv', 'conv'], ['(model).fn:Add', 'add'], ['(model).fn:Relu', 'relu']]);
    const macs = 2 * 3 * 3 * 4 * 4 * 9;
    expect(p.rows.map((x) => x.macs)).toEqual([macs + 72, 0, 72]);
    expect(res.get('torchprofile')!.totals.macs).toBe(macs);
    expect(res.get('dgc')!.totals.macs).toBe(macs + 72);
    expect(p.inputShape).toEqual([2, 3, 3, 4]);
  });

  it("CHEX's rule charges convs by their non-zero weight fraction", async () => {
    const conv = new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 1, bias: false });
    conv.weight.assign(tf.tensor4d([1, 0, 0, 0], [1, 1, 2, 2]));
    const r = await countFlops(conv, { inputShape: [1, 4, 4, 2], convention: 'chex' });
    expect(r.totals.macs).toBe(16); // 1 of 4 weights non-zero: 16·4·(1/4)
    expect((await countFlops(conv, { inputShape: [1, 4, 4, 2], convention: 'macs' })).totals.macs).toBe(64);
  });

  it('prices the PiX kernel inside an unknown leaf module: (ζ−1)·G·H·W by the supplement, 0 by ptflops', async () => {
    const res = await countFlopsMany(new PixLeaf(), ['pix-supplement', 'ptflops'], { inputShape: [1, 3, 3, 8] });
    const s = res.get('pix-supplement')!;
    const row = s.rows.find((r) => r.kind === 'pix')!;
    expect(row.type).toBe('PixLeaf/fn:ChanlabPix');
    expect(row.macs).toBe(3 * 2 * 9);
    expect(res.get('ptflops')!.rows.find((r) => r.kind === 'pix')!.macs).toBe(0);
  });

  it('restores training mode and rejects bad arguments', async () => {
    const net = new Functional();
    net.train();
    await countFlops(net, { inputShape: [1, 3, 3, 4] });
    expect(net.training).toBe(true);
    await expect(countFlops(net, { inputShape: [1, 0, 3, 4] })).rejects.toThrow(/inputShape/);
    await expect(countFlops(net, { inputShape: [1, 3, 3, 4], convention: 'flops' as Convention })).rejects.toThrow(/convention/);
  });
});

describe('flopsReport', () => {
  it('prints a per-layer table with totals, or JSON', async () => {
    const text = await flopsReport('resnet20_small', { convention: 'all' });
    expect(text).toContain('FLOPs of resnet20_small, input 1×32×32×3');
    for (const c of CONVENTIONS) expect(text).toContain(`${c}:`);
    expect(text).toMatch(/\ntotal\s/);
    const json = await flopsReport('resnet20_small', { convention: 'ptflops', json: true });
    expect(json.inputShape).toEqual([1, 32, 32, 3]);
    const r = json.results.ptflops!;
    expect(r.rows.reduce((s, x) => s + x.macs, 0)).toBe(r.totals.macs);
    expect(r.totals.params).toBe(createModel('resnet20_small').numParameters());
    await expect(flopsReport('nope_model')).rejects.toThrow(/unknown model/);
  });
});

describe('captureGraph', () => {
  it('records one item per leaf call in execution order', async () => {
    const g = await captureGraph(new Sequential(new ReLU(), new ReLU()), { inputShape: [1, 2, 2, 1] });
    expect(g.items.map((i) => (i.tag === 'op' ? i.op.name : i.name))).toEqual(['0', '1']);
  });
});
