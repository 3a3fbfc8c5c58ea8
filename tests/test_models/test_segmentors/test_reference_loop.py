"""PerImageDynaSeg against the authors' BSD loop, step for step.

The reference below is DynaSeg's published ``DynaSeg_SCF_BSD_VOC.py``
written out plainly: its network (``nn.Conv2d`` with bias and PyTorch's
initialisation; conv -> ReLU -> BN blocks, a 1x1 conv and BN), the image
read BGR / 255, cross-entropy against the argmax of the response plus
``mu * (L1 vertical + L1 horizontal)``, SGD (lr 0.1, momentum 0.9), a break
after the step whose forward pass has ``q' <= minLabels``, and the labels
of one more train-mode forward pass (``--visualize 0``).
"""
from typing import Callable, List, Tuple

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from torch import nn

import mmdynaseg.models  # noqa: F401  (registers the models)

P = 100  # nChannel
SIZE = (20, 24)
ALPHA = dict(fsf=15.0, scf=50.0)
# Kanezaki's TIP code (demo.py): the same loop with a fixed mu
# (--stepsize_con), 5 in the DynaSeg paper's Table I row
MU_FIXED = 5.0
# the script's input: BGR / 255
PREPROCESSOR = dict(
    type='SegDataPreProcessor',
    mean=[0.0, 0.0, 0.0],
    std=[255.0, 255.0, 255.0],
    bgr_to_rgb=False)
# (policy, image seed, noise, minLabels, maxIter, steps taken): all maxIter
# steps without reaching minLabels, or a stop at minLabels
CASES = [('fsf', 1, 80, 3, 30, 30), ('scf', 1, 80, 3, 30, 30),
         ('fsf', 1, 80, 11, 30, 14), ('scf', 3, 40, 86, 30, 7),
         ('fixed', 1, 80, 3, 12, 12)]


class ReferenceNet(nn.Module):
    """``MyNet`` of the authors' script."""

    def __init__(self, n_conv: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, P, kernel_size=3, stride=1, padding=1)
        self.bn1 = nn.BatchNorm2d(P)
        self.conv2 = nn.ModuleList([
            nn.Conv2d(P, P, kernel_size=3, stride=1, padding=1)
            for _ in range(n_conv - 1)
        ])
        self.bn2 = nn.ModuleList(
            [nn.BatchNorm2d(P) for _ in range(n_conv - 1)])
        self.conv3 = nn.Conv2d(P, P, kernel_size=1, stride=1, padding=0)
        self.bn3 = nn.BatchNorm2d(P)

    def forward(self, x):
        x = self.bn1(F.relu(self.conv1(x)))
        for conv, bn in zip(self.conv2, self.bn2):
            x = bn(F.relu(conv(x)))
        return self.bn3(self.conv3(x))


def reference_loop(net: ReferenceNet, im: np.ndarray, policy: str,
                   min_labels: int, max_iter: int
                   ) -> Tuple[List[Tuple[float, int, np.ndarray]], np.ndarray]:
    """The script's loop on BGR ``im``: per step (loss, nLabels, labels),
    and the final labels."""
    data = torch.from_numpy(
        np.array([im.transpose(2, 0, 1).astype('float32') / 255.]))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    steps = []
    for _ in range(max_iter):
        optimizer.zero_grad()
        output = net(data)[0]
        output = output.permute(1, 2, 0).contiguous().view(-1, P)
        output_hp = output.reshape((im.shape[0], im.shape[1], P))
        lhpy = F.l1_loss(output_hp[1:, :, :], output_hp[0:-1, :, :])
        lhpz = F.l1_loss(output_hp[:, 1:, :], output_hp[:, 0:-1, :])
        _, target = torch.max(output, 1)
        im_target = target.data.cpu().numpy()
        n_labels = len(np.unique(im_target))
        mu = dict(fsf=n_labels / ALPHA['fsf'],
                  scf=ALPHA['scf'] / n_labels,
                  fixed=MU_FIXED)[policy]
        loss = loss_fn(output, target) + mu * (lhpy + lhpz)
        loss.backward()
        optimizer.step()
        steps.append((loss.item(), n_labels, im_target.reshape(im.shape[:2])))
        if n_labels <= min_labels:
            break
    output = net(data)[0].permute(1, 2, 0).contiguous().view(-1, P)
    return steps, torch.max(output, 1)[1].numpy().reshape(im.shape[:2])


def ours(policy: str, min_labels: int, max_iter: int,
         **changes) -> nn.Module:
    """PerImageDynaSeg with the reference construction, float32 eager."""
    init_default_scope('mmseg')
    backbone = dict(
        type='DynaSegCNN',
        channels=P,
        num_convs=2,
        conv_bias=True,
        conv_init='pytorch')
    backbone.update(changes.pop('backbone', {}))
    head = dict(
        type='DynaSegHead',
        in_channels=P,
        channels=P,
        num_classes=P,
        weighting=dict(type='DynamicWeight', policy='fixed', mu=MU_FIXED)
        if policy == 'fixed' else dict(
            type='DynamicWeight', policy=policy, alpha=ALPHA[policy]))
    head.update(changes.pop('head', {}))
    cfg = dict(
        type='PerImageDynaSeg',
        max_iters=max_iter,
        stop_threshold=min_labels,
        step_at_stop=True,
        data_preprocessor=PREPROCESSOR,
        backbone=backbone,
        decode_head=head,
        test_cfg=dict(mode='whole'))
    cfg.update(changes)
    return MODELS.build(cfg).eval()


def reference_from(model: nn.Module) -> ReferenceNet:
    """The reference network (nConv 2) with the weights of ``model``."""
    net = ReferenceNet(2)
    blocks = model.backbone.convs
    pairs = [(net.conv1, blocks[0].conv), (net.bn1, blocks[0].norm),
             (net.conv3, model.decode_head.conv_seg),
             (net.bn3, model.decode_head.response_norm)]
    pairs += [(conv, block.conv) for conv, block in zip(net.conv2, blocks[1:])]
    pairs += [(bn, block.norm) for bn, block in zip(net.bn2, blocks[1:])]
    for target, source in pairs:
        target.load_state_dict(source.state_dict(), strict=False)
    return net.train()


def image(seed: int, noise: float) -> np.ndarray:
    """A BGR image of four coloured quadrants and Gaussian noise."""
    generator = np.random.default_rng(seed)
    im = np.zeros(SIZE + (3, ), np.float64)
    im[:10, :12] = (200, 40, 40)
    im[:10, 12:] = (40, 200, 40)
    im[10:, :12] = (40, 40, 200)
    im[10:, 12:] = (180, 180, 60)
    im += generator.normal(0, noise, im.shape)
    return np.clip(im, 0, 255).astype(np.uint8)


def compare(check: Callable[..., int], policy: str, seed: int,
            noise: float, min_labels: int, max_iter: int,
            **changes) -> int:
    """Same initial weights and image: equal loss (rtol 1e-5), q' and
    labels at every step, the same stop step and final labels. Returns
    the number of steps."""
    im = image(seed, noise)
    model = ours(policy, min_labels, max_iter, **changes)
    reference, final = reference_loop(
        reference_from(model), im, policy, min_labels, max_iter)
    sample = SegDataSample(
        metainfo=dict(ori_shape=SIZE, img_shape=SIZE, pad_shape=SIZE))
    return check(model, im, sample, reference, final)


@pytest.mark.parametrize('policy, seed, noise, min_labels, max_iter, steps',
                         CASES)
def test_reference_loop_step_for_step(assert_same_loop, policy, seed,
                                      noise, min_labels, max_iter, steps):
    """FSF and SCF: 30 steps without a stop, and a stop at minLabels;
    Kanezaki's fixed mu = 5 for 12 steps (a weight of 5 makes float32
    rounding differences grow past 1e-5 by step 13)."""
    assert compare(assert_same_loop, policy, seed, noise, min_labels,
                   max_iter) == steps


@pytest.mark.parametrize(
    'mutation',
    [
        dict(backbone=dict(conv_bias='auto')),  # bias off
        dict(head=dict(loss_con=dict(type='HuberContinuityLoss'))),
        dict(head=dict(weighting=dict(  # mu swapped: SCF for FSF
            type='DynamicWeight', policy='scf', alpha=15.0))),
        dict(data_preprocessor=dict(PREPROCESSOR, bgr_to_rgb=True)),
        dict(step_at_stop=False),
    ],
    ids=['bias off', 'huber continuity', 'mu swapped',
         'rgb', 'stop before step'])
def test_reference_loop_mutations_fail(assert_same_loop, mutation):
    """Each change to our side breaks the equivalence (the stopping case,
    so that the stop rule is exercised)."""
    with pytest.raises(AssertionError):
        compare(assert_same_loop, *CASES[2][:5], **mutation)
