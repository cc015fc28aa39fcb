# PyTorch building blocks shared by the scripts that rebuild chanlab networks in PyTorch (the train-step benchmark's
# CIFAR ResNet, the CHEX compact loader): the torchvision-style basic block and its projection shortcut. State-dict
# keys: conv1, bn1, conv2, bn2, downsample.{0,1}.
import torch
import torch.nn as nn


def projection(cin, cout, stride):
    """The 1×1 conv + BN shortcut where the block changes shape, else None (identity)."""
    if stride == 1 and cin == cout:
        return None
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))


class BasicBlock(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)): 3×3/stride cin → c, 3×3 c → cout."""

    def __init__(self, cin, c, cout, stride, down):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, c, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = down

    def forward(self, x):
        out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))
