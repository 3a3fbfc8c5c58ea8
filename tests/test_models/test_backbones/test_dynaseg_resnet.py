import pytest
import torch

from mmdynaseg.models.backbones import DynaSegResNet

BN = ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked')


def torchvision_resnet18_keys():
    """State-dict keys of torchvision's resnet18, from its architecture:
    stem conv1/bn1, layer1-4 of two BasicBlocks (conv1, bn1, conv2, bn2; a
    1x1 conv + BN ``downsample`` in the first block of layers 2-4), fc."""
    keys = ['conv1.weight'] + [f'bn1.{name}' for name in BN]
    for layer in range(1, 5):
        for block in range(2):
            prefix = f'layer{layer}.{block}'
            for index in (1, 2):
                keys.append(f'{prefix}.conv{index}.weight')
                keys += [f'{prefix}.bn{index}.{name}' for name in BN]
            if layer > 1 and block == 0:
                keys.append(f'{prefix}.downsample.0.weight')
                keys += [f'{prefix}.downsample.1.{name}' for name in BN]
    return keys + ['fc.weight', 'fc.bias']


def random_torchvision_checkpoint(backbone):
    """Random weights under torchvision's keys, shaped like the backbone's,
    plus the 1000-class fc that the backbone does not have."""
    generator = torch.Generator().manual_seed(0)
    shapes = {k: v.shape for k, v in backbone.state_dict().items()}
    shapes.update({'fc.weight': (1000, 512), 'fc.bias': (1000, )})
    return {
        key: torch.rand(shapes[key], generator=generator)
        for key in torchvision_resnet18_keys()
    }


def resnet18(**kwargs):
    return DynaSegResNet(depth=18, out_indices=(0, 1, 2, 3), **kwargs)


def test_keys_are_torchvision_keys_without_the_classifier():
    keys = set(resnet18().state_dict())
    assert keys == set(torchvision_resnet18_keys()) - {'fc.weight', 'fc.bias'}


def test_four_stages_at_strides_4_to_32():
    outs = resnet18()(torch.rand(1, 3, 64, 96))
    assert [tuple(o.shape) for o in outs] == [(1, 64, 16, 24),
                                              (1, 128, 8, 12),
                                              (1, 256, 4, 6),
                                              (1, 512, 2, 3)]


def test_loads_a_torchvision_checkpoint_completely(tmp_path):
    weights = random_torchvision_checkpoint(resnet18())
    path = tmp_path / 'resnet18-f37072fd.pth'
    torch.save(weights, path)
    backbone = resnet18(
        init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    backbone.init_weights()
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, weights[key].to(value.dtype)), key


def test_mmpretrain_checkpoint_needs_the_backbone_prefix(tmp_path):
    weights = random_torchvision_checkpoint(resnet18())
    mmpretrain = {
        f'backbone.{k}': v
        for k, v in weights.items() if not k.startswith('fc.')
    }
    mmpretrain['head.fc.weight'] = weights['fc.weight']
    path = tmp_path / 'resnet18_8xb32_in1k.pth'
    torch.save(dict(state_dict=mmpretrain, meta={}), path)
    unprefixed = resnet18(
        init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    # 100 = stem 1 + 4, 8 blocks x (2 + 2 x 4), 3 downsamples x (1 + 4);
    # BN's num_batches_tracked is not needed
    with pytest.raises(ValueError, match=r"lacks 100 .*prefix='backbone\.'"):
        unprefixed.init_weights()
    backbone = resnet18(
        init_cfg=dict(
            type='Pretrained', checkpoint=str(path), prefix='backbone.'))
    backbone.init_weights()
    assert torch.equal(backbone.layer4[1].conv2.weight,
                       weights['layer4.1.conv2.weight'])


def test_checkpoint_of_another_depth_is_refused(tmp_path):
    weights = random_torchvision_checkpoint(resnet18())
    weights['layer1.0.conv1.weight'] = torch.rand(64, 64, 1, 1)  # ResNet-50
    path = tmp_path / 'other.pth'
    torch.save(weights, path)
    backbone = resnet18(
        init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(ValueError, match=r"lacks 1 .*layer1\.0\.conv1"):
        backbone.init_weights()


def test_missing_checkpoint_says_how_to_get_it(tmp_path):
    missing = tmp_path / 'resnet18-f37072fd.pth'
    backbone = resnet18(
        init_cfg=dict(type='Pretrained', checkpoint=str(missing)))
    with pytest.raises(FileNotFoundError) as error:
        backbone.init_weights()
    message = str(error.value)
    assert str(missing) in message
    assert 'https://download.pytorch.org/models/resnet18-f37072fd.pth' \
        in message
    assert 'resnet18_8xb32_in1k' in message
    assert '--cfg-options model.backbone.init_cfg.checkpoint=' in message
