#!/usr/bin/python3
"""PyTorch reference (CPU, or CUDA on a GPU machine) for `chanlab bench`: the same model, batch and SGD step as chanlab's train-step benchmark.

Usage: /usr/bin/python3 scripts/bench/torch_train_step.py MODEL BATCH SIZE IN_CHANNELS CLASSES STEPS WARMUP THREADS [cpu|cuda]
Prints one JSON line: {"torch": version, "threads": n, "ms_per_step": [...], "img_per_s": x}
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from torch_blocks import BasicBlock, projection  # noqa: E402


class CifarResNet(nn.Module):
    """He et al.'s 6n+2 CIFAR ResNet with projection shortcuts (chanlab's resnet{8,20,...}_small)."""

    def __init__(self, depth, in_channels, classes):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, inplanes = [], 16
        for s, planes in enumerate([16, 32, 64]):
            for i in range(n):
                stride = 2 if (s > 0 and i == 0) else 1
                layers.append(BasicBlock(inplanes, planes, planes, stride, projection(inplanes, planes, stride)))
                inplanes = planes
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.layers(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def build(name, in_channels, classes):
    if name.startswith("resnet") and name.endswith("_small"):
        base = name[: -len("_small")]
        depth = int(base[len("resnet"):])
        if depth in (18, 34, 50, 101, 152):
            m = getattr(torchvision.models, base)(num_classes=classes)
            m.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
            m.maxpool = nn.Identity()
            return m
        return CifarResNet(depth, in_channels, classes)
    m = getattr(torchvision.models, name)(num_classes=classes)
    return m


def main():
    name, batch, size, in_ch, classes, steps, warmup, threads = sys.argv[1:9]
    device = sys.argv[9] if len(sys.argv) > 9 else "cpu"
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    batch, size, in_ch, classes, steps, warmup, threads = map(int, (batch, size, in_ch, classes, steps, warmup, threads))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(name, in_ch, classes).train().to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, in_ch, size, size).to(device)
    y = torch.randint(0, classes, (batch,)).to(device)
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        sync()
        dt = time.perf_counter() - t0
        if i >= warmup:
            times.append(dt * 1000)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({"torch": torch.__version__, "device": device, "threads": torch.get_num_threads(), "ms_per_step": times,
                      "median_ms": median, "img_per_s": batch / (median / 1000)}))


if __name__ == "__main__":
    main()
