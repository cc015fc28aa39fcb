#!/usr/bin/python3
"""torchvision reference for `chanlab bench --only data`: img/s of torchvision's ImageFolder + DataLoader (Pillow
decoding, the same per-sample pipelines as chanlab's presets) on a folder of photos.

Usage: /usr/bin/python3 scripts/bench/torch_data.py ROOT PIPELINE WORKERS BATCH
  PIPELINE: train (RandomResizedCrop 224 + flip + ToTensor + Normalize), train_ra_re (train + timm-style RandAugment
  rand-m7-mstd0.5-inc1 after the flip, bilinear, mean fill; RandomErasing p 0.25 with per-pixel normal noise after
  Normalize), eval (Resize 256 + CenterCrop 224 + ToTensor + Normalize).
  The loader runs two epochs with persistent workers (num_workers = WORKERS, 0 = the main process); the second, in
  the steady state, is timed. Prints one JSON line: {"img_per_s", "images", "torch", "torchvision", "pillow"}.
The RandAugment here is a compact restatement of timm's (timm is not a Debian package): two ops drawn from timm's
increasing op list, each applied with probability 0.5 at magnitude N(7, 0.5) clipped to [0, 10], the PIL calls timm
makes. It is a cost reference, not a statistical twin of chanlab's stream.
"""
import json
import random
import sys
import time

import PIL
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image, ImageEnhance, ImageOps

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
FILL = tuple(round(255 * m) for m in MEAN)


def _neg(v):
    return -v if random.random() > 0.5 else v


def _enh(m):
    return max(0.1, 1.0 + _neg(m / 10 * 0.9))


def _affine(img, m):
    return img.transform(img.size, Image.AFFINE, m, resample=Image.BILINEAR, fillcolor=FILL)


OPS = [
    lambda img, m: ImageOps.autocontrast(img),
    lambda img, m: ImageOps.equalize(img),
    lambda img, m: ImageOps.invert(img),
    lambda img, m: img.rotate(_neg(m / 10 * 30), resample=Image.BILINEAR, fillcolor=FILL),
    lambda img, m: ImageOps.posterize(img, 4 - int(m / 10 * 4)),
    lambda img, m: ImageOps.solarize(img, 256 - int(m / 10 * 256)),
    lambda img, m: img.point([min(255, i + int(m / 10 * 110)) if i < 128 else i for i in range(256)] * 3),
    lambda img, m: ImageEnhance.Color(img).enhance(_enh(m)),
    lambda img, m: ImageEnhance.Contrast(img).enhance(_enh(m)),
    lambda img, m: ImageEnhance.Brightness(img).enhance(_enh(m)),
    lambda img, m: ImageEnhance.Sharpness(img).enhance(_enh(m)),
    lambda img, m: _affine(img, (1, _neg(m / 10 * 0.3), 0, 0, 1, 0)),
    lambda img, m: _affine(img, (1, 0, 0, _neg(m / 10 * 0.3), 1, 0)),
    lambda img, m: _affine(img, (1, 0, _neg(m / 10 * 0.45) * img.size[0], 0, 1, 0)),
    lambda img, m: _affine(img, (1, 0, 0, 0, 1, _neg(m / 10 * 0.45) * img.size[1])),
]


class RandAugment:
    def __call__(self, img):
        for op in random.choices(OPS, k=2):
            if random.random() > 0.5:
                continue
            img = op(img, max(0.0, min(10.0, random.gauss(7, 0.5))))
        return img


def pipeline(name):
    norm = [T.ToTensor(), T.Normalize(MEAN, STD)]
    if name == 'train':
        return T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), *norm])
    if name == 'train_ra_re':
        return T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), RandAugment(), *norm, T.RandomErasing(p=0.25, value='random')])
    if name == 'eval':
        return T.Compose([T.Resize(256), T.CenterCrop(224), *norm])
    raise SystemExit(f'unknown pipeline {name} (train, train_ra_re, eval)')


def main():
    root, name, workers, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ds = torchvision.datasets.ImageFolder(root, transform=pipeline(name))
    loader = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=name != 'eval', num_workers=workers,
                                         persistent_workers=workers > 0)
    for _ in loader:  # warm-up epoch: starts the workers
        pass
    t0 = time.perf_counter()
    n = 0
    for x, _ in loader:
        n += x.shape[0]
    dt = time.perf_counter() - t0
    print(json.dumps({'img_per_s': n / dt, 'images': n, 'torch': torch.__version__, 'torchvision': torchvision.__version__,
                      'pillow': PIL.__version__}))


if __name__ == '__main__':
    main()
