// `chanlab train --grow-prune …` flag handling and the bad-input errors of the issue (each names the parameter), the
// presets' chex sections, and `--grow-prune` on a model without residual blocks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/commands/train.js';
import { loadConfig, validateConfig } from '../../../src/train/config.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-chex-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = (model: string) => ({
  model, data: { dataset: 'synthetic', synthetic: { trainSize: 8, testSize: 4, height: 8, width: 8, channels: 1, numClasses: 3 } },
  epochs: 1, batchSize: 4, optimizer: { kind: 'sgd', lr: 0.1 }, schedule: { kind: 'constant' }, loss: { kind: 'ce' }, seed: 0, backend: 'cpu',
});
const cfgFile = (name: string, model: string) => {
  const p = join(tmp, `${name}.json`);
  writeFileSync(p, JSON.stringify(base(model)));
  return p;
};
const FLAGS = ['--grow-prune', '--delta-t', '2', '--t-max', '180', '--init-channel-ratio', '0.3', '--channel-sparsity', '0.7'];
const train = (cfg: string, flags: string[]) => run(['--config', cfg, '--run-dir', join(tmp, `run-${Math.random()}`), '--quiet', ...flags]);
const withFlag = (flag: string, v: string) => FLAGS.map((x, i) => (FLAGS[i - 1] === flag ? v : x));

describe('train --grow-prune', () => {
  const r8 = cfgFile('r8', 'resnet8_small');
  it.each([
    [withFlag('--channel-sparsity', '1'), /channel sparsity \(--channel-sparsity .*\[0, 1\), got 1/],
    [[...FLAGS.slice(0, 7), '--channel-sparsity=-0.2'], /channel sparsity .*got -0\.2/],
    [withFlag('--init-channel-ratio', '0.8'), /init channel ratio \(--init-channel-ratio\) must not exceed the channel sparsity 0\.7, got 0\.8/],
    [withFlag('--delta-t', '0'), /ΔT \(--delta-t .*positive integer.*got 0/],
    [withFlag('--delta-t', '1.5'), /ΔT .*positive integer.*got 1\.5/],
    [['--t-max=-3', ...FLAGS.slice(0, 3), ...FLAGS.slice(5)], /T_max \(--t-max .*positive integer.*got -3/],
    [withFlag('--t-max', 'abc'), /--t-max must be a number, got 'abc'/],
    [['--grow-prune', '--delta-t', '2'], /--grow-prune needs --channel-sparsity \(the config has no chex.channelSparsity\)/],
    [['--delta-t', '2'], /--delta-t needs --grow-prune/],
  ])('%j → error', async (flags, msg) => {
    await expect(train(r8, flags)).rejects.toThrow(msg);
  });
  it('a model without residual blocks', async () => {
    await expect(train(cfgFile('vgg', 'vgg11_bn_small'), FLAGS)).rejects.toThrow(/grow-prune: model must be a ResNet/);
  });
  it('presets: chex-imagenet explores with the README flags; chex-fashion-mnist at 50 % sparsity', () => {
    expect(loadConfig('chex-imagenet').chex).toEqual({ channelSparsity: 0.7, initChannelRatio: 0.3, deltaT: 2, tMax: 180 });
    expect(loadConfig('chex-fashion-mnist').chex?.channelSparsity).toBe(0.5);
    expect(() => loadConfig(join(tmp, 'bad.json'))).toThrow(/does not exist/);
  });
  it("config: method 'chex' needs a chex section, a chex section needs method 'chex'", () => {
    const chex = { channelSparsity: 0.5, initChannelRatio: 0.2, deltaT: 1, tMax: 2 };
    expect(() => validateConfig({ ...base('resnet8_small'), method: 'chex' })).toThrow(/config\.chex: required when method is 'chex'/);
    expect(() => validateConfig({ ...base('resnet8_small'), chex })).toThrow(/config\.chex: only allowed with method 'chex'/);
    expect(() => validateConfig({ ...base('resnet8_small'), method: 'chex', chex: { ...chex, deltaT: 0 } })).toThrow(/ΔT/);
    expect(validateConfig({ ...base('resnet8_small'), method: 'chex', chex }).chex).toEqual(chex);
  });
});
