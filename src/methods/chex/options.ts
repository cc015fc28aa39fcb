// CHEX exploration options (docs/methods/chex.md §3.3, §3.5, §9): the official flag values plus switches for the
// paper-vs-code differences. Defaults follow the official CLS code.
export interface ChexOptions {
  /** S, fraction of all prunable channels pruned at the end (`--channel_sparsity`), in [0, 1) */
  channelSparsity: number;
  /** δ0, extra active fraction at the start and cosine amplitude (`--init_channel_ratio`), in [0, S] */
  initChannelRatio: number;
  /** ΔT, epochs between exploration steps (`--delta_T`) */
  deltaT: number;
  /** T_max, last exploration epoch and cosine half-period (`--T_max`) */
  tMax: number;
  /** regrow count per layer: BN-threshold difference (code) or ⌈δ·C_l⌉ (paper, Alg. 3) */
  regrowCount?: 'bn-threshold' | 'uniform-ceil';
  /** softmax input: ‖w − P_T w‖ (code) or its square (paper) */
  epsilon?: 'norm' | 'squared-norm';
  /** leverage score: ‖row of V_K‖ (code) or its square (paper); same ranking */
  leverage?: 'norm' | 'squared-norm';
  /** prune downsample (SKIP) outputs too (official ResNet-50 code: yes) */
  includeSkip?: boolean;
  /** lower bound on the channels a layer keeps (official code: 0, a layer may vanish) */
  minChannels?: number;
  /** seed of the regrow sampler (default: the run's seed) */
  seed?: number;
}

export const CHEX_OPTION_KEYS = ['channelSparsity', 'initChannelRatio', 'deltaT', 'tMax', 'regrowCount', 'epsilon', 'leverage', 'includeSkip', 'minChannels', 'seed'] as const;

const posInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Checks the options; errors name the CLI flag / config key and the expected value. */
export function validateChexOptions(o: ChexOptions): Required<Omit<ChexOptions, 'seed'>> & { seed: number | undefined } {
  const raw = o as unknown as Record<string, unknown>;
  for (const k of Object.keys(raw)) {
    if (!(CHEX_OPTION_KEYS as readonly string[]).includes(k)) throw new Error(`chex: unknown option '${k}' (allowed: ${CHEX_OPTION_KEYS.join(', ')})`);
  }
  const S = o.channelSparsity;
  if (typeof S !== 'number' || !(S >= 0 && S < 1)) throw new Error(`channel sparsity (--channel-sparsity / chex.channelSparsity) must be a number in [0, 1), got ${JSON.stringify(S)}`);
  const d0 = o.initChannelRatio;
  if (typeof d0 !== 'number' || !(d0 >= 0)) throw new Error(`init channel ratio (--init-channel-ratio / chex.initChannelRatio) must be a number ≥ 0, got ${JSON.stringify(d0)}`);
  if (d0 > S) throw new Error(`init channel ratio (--init-channel-ratio) must not exceed the channel sparsity ${S}, got ${d0}`);
  if (!posInt(o.deltaT)) throw new Error(`ΔT (--delta-t / chex.deltaT) must be a positive integer (epochs), got ${JSON.stringify(o.deltaT)}`);
  if (!posInt(o.tMax)) throw new Error(`T_max (--t-max / chex.tMax) must be a positive integer (epochs), got ${JSON.stringify(o.tMax)}`);
  const oneOf = (k: string, v: unknown, allowed: readonly string[]) => {
    if (v !== undefined && !allowed.includes(v as string)) throw new Error(`chex.${k} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  };
  oneOf('regrowCount', o.regrowCount, ['bn-threshold', 'uniform-ceil']);
  oneOf('epsilon', o.epsilon, ['norm', 'squared-norm']);
  oneOf('leverage', o.leverage, ['norm', 'squared-norm']);
  if (o.includeSkip !== undefined && typeof o.includeSkip !== 'boolean') throw new Error(`chex.includeSkip must be true or false, got ${JSON.stringify(o.includeSkip)}`);
  if (o.minChannels !== undefined && !(Number.isInteger(o.minChannels) && o.minChannels >= 0)) {
    throw new Error(`chex.minChannels must be a non-negative integer, got ${JSON.stringify(o.minChannels)}`);
  }
  if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0)) throw new Error(`chex.seed must be a non-negative integer, got ${JSON.stringify(o.seed)}`);
  return {
    channelSparsity: S, initChannelRatio: d0, deltaT: o.deltaT, tMax: o.tMax, regrowCount: o.regrowCount ?? 'bn-threshold',
    epsilon: o.epsilon ?? 'norm', leverage: o.leverage ?? 'norm', includeSkip: o.includeSkip ?? true, minChannels: o.minChannels ?? 0, seed: o.seed,
  };
}
