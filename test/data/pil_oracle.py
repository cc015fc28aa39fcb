# Pillow oracle for test/data/pil_ops.test.ts: the image ops timm's RandAugment calls, as timm calls them.
# Reads a JSON task list on stdin ({op, args, h, w, c, data: base64 uint8 HWC}), writes base64 results.
import base64, json, sys
import numpy as np
from PIL import Image, ImageEnhance, ImageOps

RESAMPLE = {'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC}

def pil(t):
    a = np.frombuffer(base64.b64decode(t['data']), dtype=np.uint8).reshape(t['h'], t['w'], t['c'])
    return Image.fromarray(a[:, :, 0] if t['c'] == 1 else a, 'L' if t['c'] == 1 else 'RGB')

def fill(t):
    f = tuple(t['fill'])
    return f[0] if t['c'] == 1 else f

def run(t):
    img, op, a = pil(t), t['op'], t.get('args', [])
    if op == 'invert': return ImageOps.invert(img)
    if op == 'posterize': return ImageOps.posterize(img, a[0])
    if op == 'solarize': return ImageOps.solarize(img, a[0])
    if op == 'solarize_add':
        lut = [min(255, i + a[0]) if i < 128 else i for i in range(256)]
        return img.point(lut * (3 if img.mode == 'RGB' else 1))
    if op == 'autocontrast': return ImageOps.autocontrast(img)
    if op == 'equalize': return ImageOps.equalize(img)
    if op == 'brightness': return ImageEnhance.Brightness(img).enhance(a[0])
    if op == 'color': return ImageEnhance.Color(img).enhance(a[0])
    if op == 'contrast': return ImageEnhance.Contrast(img).enhance(a[0])
    if op == 'sharpness': return ImageEnhance.Sharpness(img).enhance(a[0])
    if op == 'affine': return img.transform(img.size, Image.AFFINE, tuple(a), resample=RESAMPLE[t['resample']], fillcolor=fill(t))
    if op == 'rotate': return img.rotate(a[0], resample=RESAMPLE[t['resample']], fillcolor=fill(t))
    raise ValueError(op)

print(json.dumps([base64.b64encode(np.asarray(run(t)).tobytes()).decode() for t in json.load(sys.stdin)]))
