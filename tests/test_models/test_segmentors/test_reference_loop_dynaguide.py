"""PerImageDynaSeg against the published DynaGuide loop, step for step.

The reference below is DynaGuide's published ``train.py`` with its
``DynaGuideNet`` and ``DynaGuideLoss`` written out plainly: the network
(``nn.Conv2d`` with bias and PyTorch's initialisation; conv -> ReLU -> BN
blocks, the raw output of the first convolution added to the last block's
output, a 1x1 conv and BN), the image read BGR / 255, the loss
``CE(r, argmax r) + (K / 15) * sum of four smooth-L1 neighbour means
(down, right, down-right, down-left) + CE(r, mapped guide)`` with the
guide's sorted pseudo-labels paired with the sorted current clusters by
index, SGD (lr 0.1, momentum 0.9) for every one of ``max_iter`` steps, and
the labels of one eval-mode forward pass after them.
"""
import os.path as osp
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from torch import nn

import mmdynaseg.models  # noqa: F401  (registers the models)

CONFIG = osp.join(
    osp.dirname(__file__), '..', '..', '..', 'configs',
    'dynaguide_kmeans_cnn_bsds500_reference.py')
P = 100  # n_channel
N_CONV = 3  # the BSD500 preset's n_conv
BETA = 15.0
SIZE = (20, 24)
MAX_ITER = 20
# per step: (total loss, K, labels)
Steps = List[Tuple[float, int, np.ndarray]]


class ReferenceNet(nn.Module):
    """``DynaGuideNet`` of the published code."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, P, kernel_size=3, stride=1, padding=1)
        self.bn1 = nn.BatchNorm2d(P)
        self.conv_layers = nn.ModuleList([
            nn.Conv2d(P, P, kernel_size=3, stride=1, padding=1)
            for _ in range(N_CONV - 1)
        ])
        self.bn_layers = nn.ModuleList(
            [nn.BatchNorm2d(P) for _ in range(N_CONV - 1)])
        self.conv_out = nn.Conv2d(P, P, kernel_size=1, stride=1, padding=0)
        self.bn_out = nn.BatchNorm2d(P)

    def forward(self, x):
        residual = self.conv1(x)
        x = self.bn1(F.relu(self.conv1(x)))
        for conv, bn in zip(self.conv_layers, self.bn_layers):
            x = bn(F.relu(conv(x)))
        return self.bn_out(self.conv_out(x + residual))


def huber_spatial(spatial: torch.Tensor) -> torch.Tensor:
    """The four smooth-L1 neighbour means of an (H, W, K) response."""
    pairs = [(spatial[1:, :, :], spatial[:-1, :, :]),
             (spatial[:, 1:, :], spatial[:, :-1, :]),
             (spatial[1:, 1:, :], spatial[:-1, :-1, :]),
             (spatial[1:, :-1, :], spatial[:-1, 1:, :])]
    return sum(
        F.smooth_l1_loss(a - b, torch.zeros_like(a)) for a, b in pairs)


def guidance(flat: torch.Tensor, guide: torch.Tensor,
             labels: torch.Tensor) -> torch.Tensor:
    """CE against the guide mapped by sorted index onto the clusters."""
    guide = guide.view(-1)
    pseudo_unique = torch.unique(guide)
    target_unique = torch.unique(labels)
    mapped = guide.clone()
    for index, label in enumerate(pseudo_unique):
        mapped[guide == label] = target_unique[index % len(target_unique)]
    return F.cross_entropy(flat, mapped)


def reference_loop(net: ReferenceNet, im: np.ndarray,
                   guide: np.ndarray) -> Tuple[Steps, np.ndarray]:
    """The published loop on BGR ``im``: per step (loss, K, labels), and
    the final labels."""
    data = torch.from_numpy(
        im.transpose(2, 0, 1).astype('float32') / 255.0)[None]
    guide = torch.from_numpy(guide).long()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net.train()
    steps = []
    for _ in range(MAX_ITER):
        optimizer.zero_grad()
        output = net(data)[0]
        flat = output.permute(1, 2, 0).contiguous().view(-1, P)
        spatial = output.permute(1, 2, 0).contiguous()
        _, labels = torch.max(flat, 1)
        n_labels = len(torch.unique(labels))
        loss = (F.cross_entropy(flat, labels) +
                n_labels / BETA * huber_spatial(spatial) +
                guidance(flat, guide, labels))
        loss.backward()
        optimizer.step()
        steps.append((loss.item(), n_labels, labels.numpy().reshape(SIZE)))
    net.eval()
    with torch.no_grad():
        output = net(data)[0].permute(1, 2, 0).contiguous().view(-1, P)
    return steps, torch.max(output, 1)[1].numpy().reshape(SIZE)


def ours(changes: Dict[str, Any]) -> nn.Module:
    """PerImageDynaSeg of the reference config for ``MAX_ITER`` steps,
    ``changes`` (cfg-options under ``model``) applied."""
    init_default_scope('mmseg')
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict({
        f'model.{key}': value
        for key, value in dict(changes, max_iters=MAX_ITER).items()
    })
    return MODELS.build(cfg.model).eval()


def reference_from(model: nn.Module) -> ReferenceNet:
    """The reference network with the weights of ``model``."""
    net = ReferenceNet()
    blocks = model.backbone.convs
    pairs = [(net.conv1, blocks[0].conv), (net.bn1, blocks[0].norm),
             (net.conv_out, model.decode_head.conv_seg),
             (net.bn_out, model.decode_head.response_norm)]
    pairs += [(conv, block.conv)
              for conv, block in zip(net.conv_layers, blocks[1:])]
    pairs += [(bn, block.norm)
              for bn, block in zip(net.bn_layers, blocks[1:])]
    for target, source in pairs:
        target.load_state_dict(source.state_dict(), strict=False)
    return net


def image_and_guide(seed: int) -> Tuple[np.ndarray, np.ndarray]:
    """A noisy BGR image of four coloured quadrants, and a guide of three
    regions whose ids (9, 2, 5) are in no order of the quadrants."""
    generator = np.random.default_rng(seed)
    im = np.zeros(SIZE + (3, ), np.float64)
    im[:10, :12] = (200, 40, 40)
    im[:10, 12:] = (40, 200, 40)
    im[10:, :12] = (40, 40, 200)
    im[10:, 12:] = (180, 180, 60)
    im += generator.normal(0, 60, im.shape)
    guide = np.full(SIZE, 9)
    guide[8:, :14] = 2
    guide[12:, 14:] = 5
    return np.clip(im, 0, 255).astype(np.uint8), guide


def compare(check: Callable[..., int], seed: int,
            changes: Optional[Dict[str, Any]] = None) -> None:
    """Same initial weights, image and guide: equal loss (rtol 1e-5), q'
    and labels at every step, and the same final labels."""
    im, guide = image_and_guide(seed)
    model = ours(changes or {})
    reference, final = reference_loop(reference_from(model), im, guide)
    sample = SegDataSample(
        metainfo=dict(ori_shape=SIZE, img_shape=SIZE, pad_shape=SIZE))
    sample.gt_guide = PixelData(data=torch.from_numpy(guide)[None])
    assert check(model, im, sample, reference, final) == MAX_ITER


@pytest.mark.parametrize('seed', [0, 1])
def test_reference_dynaguide_loop_step_for_step(assert_same_loop, seed):
    """Every one of the 20 steps and the eval-mode labels after them."""
    compare(assert_same_loop, seed)


@pytest.mark.parametrize(
    'mutation',
    [
        {'decode_head.loss_guide.matching': 'overlap'},
        {'backbone.first_skip': 'block'},
        {'decode_head.loss_con.diagonals': False},
        {'backbone.conv_bias': 'auto'},
        {'predict_mode': 'train'},
    ],
    ids=['overlap matching', 'skip after the block', 'no diagonals',
         'bias off', 'train-mode labels'])
def test_reference_dynaguide_mutations_fail(assert_same_loop, mutation):
    """Each change to our side breaks the equivalence."""
    with pytest.raises(AssertionError):
        compare(assert_same_loop, 0, mutation)
