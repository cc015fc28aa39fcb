import { releaseBackends } from '../../backend/index.js';
import { COLORMAPS, type ColormapName } from '../../viz/colormap.js';
import type { CamMethod } from '../../viz/gradcam.js';
import { gradcamCommand } from '../../viz/gradcam_command.js';
import { parse, type Options } from '../args.js';

export const summary = 'Writes Grad-CAM or Grad-CAM++ maps of a model at one layer for an image or an .npy batch.';

export const help = `chanlab gradcam --model NAME [--checkpoint C] --input x.npy|image.png --layer PATH [--class K] --output cam.npy|cam.png
  Grad-CAM (or --method gradcam++) of a model at a layer given by module path (layer4, layer4.1.conv2).
  x.npy is NCHW float32 as for \`chanlab predict\`; an image is resized to --size (default: the model's input size)
  and normalised with ImageNet (3 channels) or Fashion-MNIST (1 channel) statistics. cam.npy: [N,H,W] float32 at the
  input resolution in [0,1]; cam.png: the overlays side by side. --class defaults to each image's predicted class.
  Options: --method gradcam|gradcam++  --alpha 0.5  --colormap ${COLORMAPS.join('|')}  --backend wasm  --key K  --config JSON`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = {
  model: { type: 'string' }, checkpoint: { type: 'string' }, input: { type: 'string' }, layer: { type: 'string' },
  class: { type: 'string' }, output: { type: 'string' }, method: { type: 'string' }, alpha: { type: 'string' },
  colormap: { type: 'string' }, size: { type: 'string' }, backend: { type: 'string' }, key: { type: 'string' },
  config: { type: 'string' },
};

export async function run(argv: string[]): Promise<number> {
  const a = parse('gradcam', argv, options);
  if (a.help) return console.log(help), 0;
  const config = a.jsonObject('config');
  const method = a.str('method') ?? 'gradcam';
  if (method !== 'gradcam' && method !== 'gradcam++') throw new Error(`gradcam: --method must be 'gradcam' or 'gradcam++', got '${method}'`);
  const colormap = a.str('colormap') ?? 'turbo';
  if (!(COLORMAPS as readonly string[]).includes(colormap)) throw new Error(`gradcam: --colormap must be one of ${COLORMAPS.join(', ')}, got '${colormap}'`);
  const cls = a.str('class');
  try {
    const r = await gradcamCommand({
      model: a.need('model'), checkpoint: a.str('checkpoint'), input: a.need('input'), layer: a.need('layer'),
      output: a.need('output'), classIndex: cls === undefined ? undefined : a.int('class', 0, 0),
      method: method as CamMethod, alpha: a.num('alpha', 0.5), colormap: colormap as ColormapName,
      size: a.str('size') === undefined ? undefined : a.int('size', 224), backend: a.str('backend'), key: a.str('key'),
      ...(config ? { config } : {}),
    });
    console.log(r.text);
    return r.nonFinite ? 3 : 0;
  } finally {
    releaseBackends();
  }
}
