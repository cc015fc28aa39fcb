# Loads a compact CHEX export ({cfg, state_dict}, written by `chanlab chex compact`) into a PyTorch ResNet built from
# its cfg, strictly, and writes the eval-mode logits of an NCHW .npy input (docs/methods/chex.md §1.2–§1.5, §7.2).
# The network is an own re-implementation of the official cfg semantics: basic blocks take one conv1 width per block
# (flat cfg), bottlenecks [Cin, c1, c2] per block (nested or flat) + [F]; stage output widths, the stem (7×7/2 +
# max-pool, or 3×3/1 for small inputs) and the class count come from the state dict's shapes.
# usage: /usr/bin/python3 scripts/chex/load_compact.py COMPACT.pth.tar INPUT.npy LOGITS.npy
import os
import sys
import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, '..'), os.path.join(HERE, '..', 'fixtures')]
from make_checkpoint_fixtures import ChexBottleneck  # noqa: E402  (the bottleneck of the CHEX fixtures)
from torch_blocks import BasicBlock, projection  # noqa: E402


class ResNetFromCfg(nn.Module):
    def __init__(self, cfg, sd):
        super().__init__()
        flat = [v for e in cfg for v in (e if isinstance(e, (list, tuple)) else [e])]
        bottleneck = any('.conv3.' in k for k in sd)
        stages = sorted({int(k.split('.')[0][5:]) for k in sd if k.startswith('layer')})
        layers = [len({int(k.split('.')[1]) for k in sd if k.startswith(f'layer{s}.')}) for s in stages]
        stem_w, in_c, kh = sd['conv1.weight'].shape[:3]
        self.conv1 = nn.Conv2d(in_c, stem_w, kh, 2 if kh == 7 else 1, kh // 2, bias=False)
        self.bn1 = nn.BatchNorm2d(stem_w)
        self.maxpool = nn.MaxPool2d(3, 2, 1) if kh == 7 else nn.Identity()
        cin, k = stem_w, 0
        for s, n in zip(stages, layers):
            cout = sd[f'layer{s}.0.{"conv3" if bottleneck else "conv2"}.weight'].shape[0]
            blocks = []
            for b in range(n):
                stride = 2 if (s > 1 and b == 0) else 1
                down = projection(cin, cout, stride)
                if bottleneck:
                    assert flat[k] == cin, f'cfg[{k}] = {flat[k]} must equal the block input {cin}'
                    blocks.append(ChexBottleneck(cin, flat[k + 1], flat[k + 2], cout, stride, down))
                    k += 3
                else:
                    blocks.append(BasicBlock(cin, flat[k], cout, stride, down))
                    k += 1
                cin = cout
            setattr(self, f'layer{s}', nn.Sequential(*blocks))
        self.stages = stages
        assert flat[k] == cin and k + 1 == len(flat), 'cfg must end with the FC input width'
        self.fc = nn.Linear(cin, sd['fc.weight'].shape[0])

    def forward(self, x):
        x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
        for s in self.stages:
            x = getattr(self, f'layer{s}')(x)
        return self.fc(torch.flatten(x.mean((2, 3)), 1))


def main(path, inp, out):
    ck = torch.load(path, map_location='cpu')
    sd = ck['state_dict']
    model = ResNetFromCfg(ck['cfg'], sd)
    model.load_state_dict(sd, strict=True)
    model.eval()
    with torch.no_grad():
        y = model(torch.from_numpy(np.load(inp)).float())
    np.save(out, y.numpy())
    print('loaded', path, 'cfg', ck['cfg'], 'logits', tuple(y.shape))


if __name__ == '__main__':
    main(*sys.argv[1:4])
