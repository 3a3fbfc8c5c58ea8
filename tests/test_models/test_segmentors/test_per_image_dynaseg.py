"""PerImageDynaSeg: per-image optimisation, stopping, seeding, refinement."""
from contextlib import contextmanager

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import mmdynaseg.models.segmentors.per_image_dynaseg as per_image_module
import mmdynaseg.models.utils.step_arithmetic as step_arithmetic
from mmdynaseg.models import PerImageDynaSeg, optimises_per_image
from mmdynaseg.utils import FAILED_KEY

SIZE = (16, 16)
Q = 8


def tiny_model(**kwargs) -> PerImageDynaSeg:
    """A p=q=8 DynaSeg CNN, FSF weighting, images scaled to [0, 1]."""
    init_default_scope('mmseg')
    head = dict(
        type='DynaSegHead',
        in_channels=8,
        channels=8,
        num_classes=Q,
        weighting=dict(type='DynamicWeight', policy='fsf', alpha=15.0))
    head.update(kwargs.pop('head', {}))
    cfg = dict(
        type='PerImageDynaSeg',
        max_iters=3,
        data_preprocessor=dict(
            type='SegDataPreProcessor',
            mean=[0.0, 0.0, 0.0],
            std=[255.0, 255.0, 255.0],
            bgr_to_rgb=True),
        backbone=dict(type='DynaSegCNN', channels=8),
        decode_head=head,
        test_cfg=dict(mode='whole'))
    cfg.update(kwargs)
    return MODELS.build(cfg).eval()


def images(count: int) -> list:
    """``count`` different random uint8 images, (3, H, W) BGR tensors."""
    generator = torch.Generator().manual_seed(7)
    return [
        torch.randint(0, 256, (3, ) + SIZE, generator=generator).byte()
        for _ in range(count)
    ]


def segment(model, batch):
    """Run the test step (in no_grad, as MMEngine's test loop does)."""
    samples = [
        SegDataSample(
            metainfo=dict(ori_shape=SIZE, img_shape=SIZE, pad_shape=SIZE))
        for _ in batch
    ]
    with torch.no_grad():
        return model.test_step(dict(inputs=batch, data_samples=samples))


def labels(sample) -> np.ndarray:
    return sample.pred_sem_seg.data[0].numpy()


def state(model) -> dict:
    return {k: v.clone() for k, v in model.state_dict().items()}


def assert_same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_registered_and_recognised():
    assert optimises_per_image(dict(type='PerImageDynaSeg'))
    assert not optimises_per_image(dict(type='EncoderDecoder'))
    assert not optimises_per_image(dict(type='NoSuchModel'))


def test_threshold_met_at_start_takes_no_step():
    """q' <= q always holds for q = 8, so the start network is kept."""
    model = tiny_model(stop_threshold=Q, max_iters=50)
    before = state(model)
    (sample, ) = segment(model, images(1))
    assert sample.iterations == 0
    assert sample.q_prime == len(np.unique(labels(sample)))
    assert sample.seconds > 0
    assert labels(sample).shape == SIZE
    assert_same_state(before, state(model))
    assert not model.training


def test_unreachable_threshold_runs_max_iters():
    model = tiny_model(stop_threshold=0, max_iters=3)
    (sample, ) = segment(model, images(1))
    assert sample.iterations == 3
    assert 1 <= sample.q_prime <= Q
    # the labels are those of the last forward pass, whose q' is reported
    assert sample.q_prime == len(np.unique(labels(sample)))


def test_no_threshold_runs_every_step():
    """stop_threshold=None (the DynaGuide code) never stops early: q' <= 8
    holds from the start, yet all T steps are taken."""
    model = tiny_model(stop_threshold=None, max_iters=3)
    seen = []
    model.on_step = lambda *args: seen.append(args[0])
    (sample, ) = segment(model, images(1))
    assert sample.iterations == 3
    assert seen == [0, 1, 2, 3]


def test_eval_predict_mode_labels_come_from_an_eval_forward():
    """predict_mode='eval': T train-mode forward passes (one per step), then
    the labels of one eval-mode pass (BN running statistics) of the final
    weights, as the DynaGuide code predicts."""
    model = tiny_model(stop_threshold=None, max_iters=2, predict_mode='eval')
    modes, states = [], []

    def record(module, args):
        modes.append(module.training)
        states.append(state(model))

    model.backbone.register_forward_pre_hook(record)
    (sample, ) = segment(model, images(1))
    assert modes == [True, True, False]
    assert sample.iterations == 2
    final = tiny_model()
    final.load_state_dict(states[-1])
    # the BN statistics were updated by the two train-mode passes
    assert not torch.equal(states[-1]['backbone.convs.0.bn.running_mean'],
                           states[0]['backbone.convs.0.bn.running_mean'])
    (image, ) = images(1)
    with torch.no_grad():
        expected = final.encode_decode(
            image.flip(0)[None].float() / 255, [sample.metainfo])
    torch.testing.assert_close(sample.seg_logits.data, expected[0])
    assert sample.q_prime == len(np.unique(labels(sample)))
    assert not model.training


def test_optimisation_changes_labels_and_restores_weights():
    image = images(1)
    before_model = tiny_model(stop_threshold=Q)
    optimised = tiny_model(stop_threshold=0, max_iters=3)
    before = state(optimised)
    start = labels(segment(before_model, image)[0])
    after = labels(segment(optimised, image)[0])
    assert not np.array_equal(start, after)
    assert_same_state(before, state(optimised))
    assert all(param.grad is None for param in optimised.parameters())


def test_seeded_and_independent_of_batch_order():
    first, second = images(2)
    rng_state = torch.get_rng_state()
    model = tiny_model()
    assert torch.equal(rng_state, torch.get_rng_state())  # RNG untouched
    alone = labels(segment(model, [first])[0])
    pair = segment(model, [first, second])
    swapped = segment(model, [second, first])
    np.testing.assert_array_equal(alone, labels(pair[0]))
    np.testing.assert_array_equal(alone, labels(swapped[1]))
    np.testing.assert_array_equal(labels(pair[1]), labels(swapped[0]))
    assert torch.equal(rng_state, torch.get_rng_state())
    # another model with the same seed, built from another global RNG state
    torch.manual_seed(123)
    np.testing.assert_array_equal(
        alone, labels(segment(tiny_model(), [first])[0]))
    other_seed = labels(segment(tiny_model(seed=1), [first])[0])
    assert not np.array_equal(alone, other_seed)


def test_checkpoint_init_refines_loaded_weights():
    image = images(1)
    fresh = tiny_model(stop_threshold=0)
    refined = tiny_model(stop_threshold=0, init='checkpoint')
    # the fresh start weights loaded as a checkpoint: same result
    refined.load_state_dict(fresh.state_dict())
    np.testing.assert_array_equal(
        labels(segment(fresh, image)[0]), labels(segment(refined, image)[0]))
    # other weights (seed 1): refined from them, then restored
    refined.load_state_dict(tiny_model(seed=1).state_dict())
    loaded = state(refined)
    first = labels(segment(refined, image)[0])
    assert_same_state(loaded, state(refined))
    assert not np.array_equal(first, labels(segment(fresh, image)[0]))
    np.testing.assert_array_equal(first, labels(segment(refined, image)[0]))


def test_checkpoint_features_start_from_loaded_features_fresh_head():
    """The amortised start: at the first forward pass of every image of a
    batch the backbone holds the loaded weights and the head (classifier,
    response BN) the seeded fresh ones, whatever image came before; the
    result does not depend on the batch order."""
    model = tiny_model(stop_threshold=0, init='checkpoint_features')
    fresh = state(model)
    trained = {
        key: value + 0.5 if value.is_floating_point() else value
        for key, value in tiny_model(seed=1).state_dict().items()
    }
    model.load_state_dict(trained)
    states, steps = [], []  # one per forward pass, in order
    model.backbone.register_forward_pre_hook(
        lambda module, args: states.append(state(model)))
    model.on_step = lambda step, *args: steps.append(step)
    first, second = images(2)
    pair = segment(model, [first, second])
    starts = [states[i] for i, step in enumerate(steps) if step == 0]
    assert len(starts) == 2
    for start in starts:
        for key, value in start.items():
            expected = fresh[key] if key.startswith('decode_head.') \
                else trained[key]
            assert torch.equal(value, expected), key
    assert_same_state(trained, state(model))  # restored after the batch
    swapped = segment(model, [second, first])
    np.testing.assert_array_equal(labels(pair[0]), labels(swapped[1]))
    np.testing.assert_array_equal(labels(pair[1]), labels(swapped[0]))
    assert not np.array_equal(labels(pair[0]), labels(pair[1]))


@pytest.mark.parametrize('freeze', [True, False])
def test_freeze_features_trains_the_head_only(freeze):
    """freeze_features: the backbone keeps the loaded weights and takes no
    gradient, while the head trains; without it the backbone trains too.
    Both restore the loaded state after the batch."""
    model = tiny_model(
        stop_threshold=None,
        init='checkpoint_features',
        freeze_features=freeze)
    trained = tiny_model(seed=1).state_dict()
    model.load_state_dict(trained)
    states = []  # at every forward pass of the head
    model.decode_head.register_forward_pre_hook(
        lambda module, args: states.append(state(model)))
    segment(model, images(1))
    assert len(states) == 4  # max_iters = 3 steps, one forward pass each
    weights = {'backbone.' + name for name, _ in
               model.backbone.named_parameters()}
    backbone = [{k: v for k, v in s.items() if k in weights} for s in states]
    kernel = 'decode_head.conv_seg.weight'
    assert not torch.equal(states[0][kernel], states[-1][kernel])
    if freeze:
        for at in backbone:
            assert_same_state(at, backbone[0])
        assert not any(p.requires_grad for p in model.backbone.parameters())
    else:
        assert any(not torch.equal(backbone[0][k], backbone[-1][k])
                   for k in weights)
    assert all(p.requires_grad for p in model.decode_head.parameters())
    assert_same_state(trained, state(model))


def test_frozen_features_are_computed_once_with_the_same_labels():
    """Frozen features are the same at every step, so the backbone runs once
    per image (train mode) and each step runs the head only: the labels
    equal those of recomputing the frozen backbone at every step."""
    trained = tiny_model(seed=1).state_dict()
    cached = tiny_model(
        stop_threshold=None, init='checkpoint_features', freeze_features=True)
    recomputed = tiny_model(stop_threshold=None, init='checkpoint_features')
    for model in (cached, recomputed):
        model.load_state_dict(trained)
    for param in recomputed.backbone.parameters():  # frozen, not cached
        param.requires_grad_(False)
    passes = {cached: [], recomputed: []}
    for model, seen in passes.items():
        model.backbone.register_forward_hook(
            lambda module, args, out, seen=seen: seen.append(module.training))
    batch = images(2)
    once, every = segment(cached, batch), segment(recomputed, batch)
    assert passes[cached] == [True] * 2  # one train-mode pass per image
    assert passes[recomputed] == [True] * 8  # 4 forward passes per image
    for a, b in zip(once, every):
        np.testing.assert_array_equal(labels(a), labels(b))
        assert a.q_prime == b.q_prime and a.iterations == b.iterations == 3


def test_frozen_features_eval_labels_apply_the_eval_head_to_them():
    """predict_mode='eval' with frozen features: the labels come from the
    head in eval mode on the features the steps used."""
    model = tiny_model(
        stop_threshold=None,
        init='checkpoint_features',
        freeze_features=True,
        predict_mode='eval')
    calls = []  # (head in training mode, its input features)
    model.decode_head.register_forward_pre_hook(
        lambda module, args: calls.append((module.training, args[0])))
    segment(model, images(1))
    assert [training for training, _ in calls] == [True] * 3 + [False]
    for _, features in calls:
        assert features is calls[0][1]


# the paper's [0, 1] scaling with BGR -> RGB, and ImageNet statistics
# on BGR input (no channel conversion)
PREPROCESSORS = [
    dict(mean=[0.0] * 3, std=[255.0] * 3, bgr_to_rgb=True),
    dict(mean=[103.53, 116.28, 123.675], std=[57.375, 57.12, 58.395]),
]


@pytest.mark.parametrize('preprocessor', PREPROCESSORS)
def test_silhouette_threshold_uses_k_star_of_the_rgb_image(
        monkeypatch, preprocessor):
    seen = []

    def fake_estimate(image, **kwargs):
        seen.append((image, kwargs))
        return Q

    monkeypatch.setattr(per_image_module, 'estimate_num_segments',
                        fake_estimate)
    model = tiny_model(
        stop_threshold='silhouette',
        max_iters=50,
        silhouette_cfg=dict(k_max=9),
        data_preprocessor=dict(type='SegDataPreProcessor', **preprocessor))
    (bgr, ) = images(1)
    (sample, ) = segment(model, [bgr])
    ((image, kwargs), ) = seen
    # undone normalisation and channel order: the loaded image, as RGB
    np.testing.assert_array_equal(image, bgr.flip(0).permute(1, 2, 0))
    assert image.dtype == np.uint8 and kwargs == dict(k_max=9)
    assert sample.silhouette_k == Q and sample.iterations == 0


def test_silhouette_floor_gets_k_star(monkeypatch):
    monkeypatch.setattr(per_image_module, 'estimate_num_segments',
                        lambda image, **kwargs: 5)
    model = tiny_model(head=dict(silhouette_floor=True), stop_threshold=0)
    (sample, ) = segment(model, images(1))
    assert sample.silhouette_k == 5 and sample.iterations == 3


def test_real_silhouette_estimate_on_two_colour_image():
    """Two flat colours: no k >= 3 has 3 distinct pixels, so k* = k_min."""
    image = torch.zeros((3, ) + SIZE, dtype=torch.uint8)
    image[:, :, 8:] = 200
    model = tiny_model(stop_threshold='silhouette', max_iters=2)
    (sample, ) = segment(model, [image])
    assert sample.silhouette_k == 3


def test_optimise_scale_upsamples_the_response():
    """Scale 0.5 = full-size run on the half-size input, upsampled."""
    (image, ) = images(1)
    inputs = image.flip(0)[None].float() / 255  # preprocessed (RGB, [0, 1])
    half = F.interpolate(
        inputs, scale_factor=0.5, mode='bilinear', align_corners=False)
    small = SegDataSample(
        metainfo=dict(ori_shape=(8, 8), img_shape=(8, 8), pad_shape=(8, 8)))
    with torch.no_grad():
        reference = tiny_model().predict(half, [small])[0].seg_logits.data
        scaled = tiny_model(optimise_scale=0.5).predict(inputs)[0]
    expected = F.interpolate(
        reference[None], size=SIZE, mode='bilinear',
        align_corners=False)[0].argmax(0)
    assert scaled.pred_sem_seg.shape == SIZE
    torch.testing.assert_close(scaled.pred_sem_seg.data[0], expected)


def test_channels_last_gives_the_same_response():
    image = images(1)
    plain = segment(tiny_model(), image)[0].seg_logits.data
    fast = segment(tiny_model(channels_last=True), image)[0].seg_logits.data
    torch.testing.assert_close(plain, fast, atol=1e-4, rtol=1e-4)


def test_bf16_autocast_runs_the_network_in_bf16(monkeypatch, bf16_kernels):
    """The convolutions see bf16 inputs, the losses a float32 response."""
    model = tiny_model(autocast='bfloat16', max_iters=1, stop_threshold=0)
    dtypes = []
    model.backbone.register_forward_hook(
        lambda module, args, out: dtypes.append(out[0].dtype))
    dynamic_loss = model.decode_head.dynamic_loss

    def record(seg_logits, k_star, guide_target):
        dtypes.append(seg_logits.dtype)
        return dynamic_loss(seg_logits, k_star, guide_target)

    monkeypatch.setattr(model.decode_head, 'dynamic_loss', record)
    result = segment(model, images(1))[0]
    assert dtypes == [torch.bfloat16, torch.float32] * 2
    assert result.iterations == 1
    assert result.seg_logits.data.dtype == torch.float32


def test_bf16_inside_an_outer_autocast_context_gives_the_same_labels(
        bf16_kernels):
    """MMEngine's TestLoop wraps test_step in autocast(enabled=False); the
    weight cast cache must not then serve the first step's weights to
    every later step (the labels would differ from a direct call)."""
    from mmengine.runner.amp import autocast
    image = images(1)
    direct = segment(
        tiny_model(autocast='bfloat16', max_iters=5, stop_threshold=0),
        image)[0]
    with autocast(enabled=False):
        wrapped = segment(
            tiny_model(autocast='bfloat16', max_iters=5, stop_threshold=0),
            image)[0]
    torch.testing.assert_close(wrapped.seg_logits.data,
                               direct.seg_logits.data, rtol=0, atol=0)


def test_cached_casts_would_freeze_the_weights():
    """What the regression test above guards against: with the cache on,
    an outer context keeps the first casts, so later steps change
    nothing; without it they do."""
    from mmengine.runner.amp import autocast
    layer = torch.nn.Linear(2, 2)
    x = torch.ones(1, 2)
    outputs = []
    for cache in (True, False):
        with autocast(enabled=False):
            with torch.autocast('cpu', torch.bfloat16, cache_enabled=cache):
                first = layer(x)
            with torch.no_grad():
                layer.weight.add_(1)
            with torch.autocast('cpu', torch.bfloat16, cache_enabled=cache):
                outputs.append(torch.equal(layer(x), first))
        with torch.no_grad():
            layer.weight.sub_(1)
    assert outputs == [True, False]


def test_compiled_and_eager_give_the_same_labels():
    """torch.compile fuses the forward pass and the losses; on a small
    image the labels after 5 steps equal the eager ones on >= 99% of
    pixels and the responses agree to 1e-3 (float32)."""
    image = images(1)
    eager = segment(tiny_model(max_iters=5, stop_threshold=0), image)[0]
    compiled = segment(
        tiny_model(max_iters=5, stop_threshold=0, compile=True), image)[0]
    assert compiled.iterations == eager.iterations == 5
    assert (labels(compiled) == labels(eager)).mean() >= 0.99
    torch.testing.assert_close(
        compiled.seg_logits.data, eager.seg_logits.data, atol=1e-3,
        rtol=1e-3)


def test_compiled_step_covers_the_guide_term(monkeypatch):
    """DynaGuide compiled: the guide's matching runs between the two
    graphs, its cross-entropy in the loss graph; the labels equal the
    eager ones, nothing falls back, and a guide error is the guide's
    (not taken for a compiler failure)."""
    from mmengine.structures import PixelData

    import mmdynaseg.utils.precision as precision
    messages = []
    monkeypatch.setattr(precision, '_warned', set())
    monkeypatch.setattr(precision, 'print_log',
                        lambda message, **kwargs: messages.append(message))
    guide = torch.zeros((1, ) + SIZE, dtype=torch.long)
    guide[..., SIZE[1] // 2:] = 1
    sample = SegDataSample(
        metainfo=dict(ori_shape=SIZE, img_shape=SIZE, pad_shape=SIZE))
    sample.gt_guide = PixelData(data=guide)
    results = []
    for compile in (False, True):
        model = tiny_model(
            head=dict(loss_guide=dict(type='GuidanceLoss')),
            max_iters=5,
            stop_threshold=0,
            compile=compile)
        with torch.no_grad():
            results += model.test_step(
                dict(inputs=images(1), data_samples=[sample.clone()]))
    eager, compiled = results
    assert (labels(compiled) == labels(eager)).mean() >= 0.99
    torch.testing.assert_close(
        compiled.seg_logits.data, eager.seg_logits.data, atol=1e-3,
        rtol=1e-3)
    with pytest.raises(ValueError, match='LoadGuidance'):
        segment(model, images(1))  # no guide
    assert messages == []
    assert model.speed.compile_cfg == {}  # still compiled


def test_compiled_bf16_is_deterministic_and_reused_across_images(
        bf16_kernels):
    """The shipped fast path (compiled, bf16, channels-last) repeats
    exactly, and a second image of the same size compiles nothing new."""
    import torch._dynamo.utils as dynamo_utils
    fast = dict(
        max_iters=3,
        stop_threshold=0,
        compile=True,
        autocast='bfloat16',
        channels_last=True)
    model = tiny_model(**fast)
    assert model.arithmetic(torch.device('cpu')) == \
        'bfloat16 autocast, compiled, channels-last'
    first = segment(model, images(2))
    frames = dynamo_utils.counters['stats']['unique_graphs']
    second = segment(model, images(2))
    assert dynamo_utils.counters['stats']['unique_graphs'] == frames
    again = segment(tiny_model(**fast), images(2))
    for a, b, c in zip(first, second, again):
        assert torch.equal(a.seg_logits.data, b.seg_logits.data)
        assert torch.equal(a.seg_logits.data, c.seg_logits.data)


def test_fast_path_falls_back_with_one_warning(monkeypatch):
    """No compiler / no bf16: eager float32 results, one warning each."""
    import mmdynaseg.models.utils.step_arithmetic as module
    import mmdynaseg.utils.precision as precision

    def broken_compile(function, **kwargs):
        def run(*args):
            raise RuntimeError('InvalidCxxCompiler: No working C++ compiler')

        return run

    messages = []
    monkeypatch.setattr(module.torch, 'compile', broken_compile)
    monkeypatch.setattr(module, 'supports_autocast', lambda *args: False)
    monkeypatch.setattr(precision, '_warned', set())
    monkeypatch.setattr(precision, 'print_log',
                        lambda message, **kwargs: messages.append(message))
    image = images(1)
    fallback = segment(
        tiny_model(compile=True, autocast='bfloat16'), image)[0]
    model = tiny_model(compile=True, autocast='bfloat16')
    assert model.arithmetic(torch.device('cpu')) == \
        'float32, compiled'  # until the compiler fails
    fallback = segment(model, image)[0]
    assert model.arithmetic(torch.device('cpu')) == 'float32, eager'
    plain = segment(tiny_model(), image)[0]
    torch.testing.assert_close(fallback.seg_logits.data,
                               plain.seg_logits.data, rtol=0, atol=0)
    assert len(messages) == 2
    assert 'float32' in messages[0] and 'bfloat16' in messages[0]
    assert 'compile' in messages[1] and 'C++ compiler' in messages[1]


@pytest.mark.parametrize('fast_bf16', [False, True])
def test_auto_speed_options_follow_the_bf16_kernels(monkeypatch, fast_bf16):
    """channels_last='auto' and compile='auto' are on (one graph per size)
    exactly where the device has fast bf16 kernels; elsewhere the image
    runs eagerly in the contiguous layout, as with both options off."""
    compiled = []

    def fake_compile(function, **kwargs):
        compiled.append(kwargs)
        return function

    monkeypatch.setattr(per_image_module.torch, 'compile', fake_compile)
    monkeypatch.setattr(step_arithmetic, 'supports_autocast',
                        lambda *args: fast_bf16)
    model = tiny_model(channels_last='auto', compile='auto')
    layouts = []
    model.backbone.register_forward_pre_hook(
        lambda module, args: layouts.append(args[0].is_contiguous(
            memory_format=torch.channels_last)))
    auto = segment(model, images(1))[0]
    conv = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    assert conv.weight.is_contiguous(
        memory_format=torch.channels_last) is fast_bf16
    assert set(layouts) == {fast_bf16}
    assert compiled == ([dict(dynamic=False)] * 2 if fast_bf16 else [])
    assert model.arithmetic(torch.device('cpu')) == (
        'float32, compiled, channels-last' if fast_bf16 else 'float32, eager')
    plain = segment(tiny_model(), images(1))[0]
    torch.testing.assert_close(
        auto.seg_logits.data, plain.seg_logits.data, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize('option', ['channels_last', 'compile'])
def test_speed_options_reject_other_strings(option):
    with pytest.raises(ValueError, match=f"{option} must be .*'auto'"):
        tiny_model(**{option: 'yes'})


def test_on_step_reports_every_forward_pass():
    """(step, max_iters, q') after each forward: steps 0..T, the last q'
    is the reported one."""
    model = tiny_model(max_iters=3, stop_threshold=0)
    seen = []
    model.on_step = lambda *args: seen.append(args)
    (sample, ) = segment(model, images(1))
    assert [(step, total) for step, total, _ in seen] == [(0, 3), (1, 3),
                                                          (2, 3), (3, 3)]
    assert seen[-1][2] == sample.q_prime
    assert all(1 <= q <= Q for _, _, q in seen)


@pytest.mark.parametrize('keep', [True, False])
def test_freed_memory_is_kept_while_optimising(monkeypatch, keep):
    """Every step runs inside keep_freed_memory (when on), left after the
    batch; the labels are those of the model without it."""
    active = []

    @contextmanager
    def spy():
        active.append(True)
        yield True
        active[:] = [False]

    monkeypatch.setattr(per_image_module, 'keep_freed_memory', spy)
    model = tiny_model(keep_freed_memory=keep)
    seen = []
    model.on_step = lambda *args: seen.append(list(active))
    batch = images(2)
    (first, second) = segment(model, batch)
    assert len(seen) >= 2  # steps of both images
    assert all(now == ([True] if keep else []) for now in seen)
    assert active == ([False] if keep else [])
    monkeypatch.undo()
    for sample, reference in zip((first, second),
                                 segment(tiny_model(), batch)):
        np.testing.assert_array_equal(labels(sample), labels(reference))


def test_padding_is_cut_before_optimising():
    """A padded input gives the labels of the unpadded image."""
    (image, ) = images(1)
    inputs = image.flip(0)[None].float() / 255
    padded = F.pad(inputs, (0, 4, 0, 2))
    sample = SegDataSample(
        metainfo=dict(
            ori_shape=SIZE,
            img_shape=SIZE,
            pad_shape=(18, 20),
            padding_size=[0, 4, 0, 2]))
    with torch.no_grad():
        expected = tiny_model().predict(inputs)[0].pred_sem_seg.data
        result = tiny_model().predict(padded, [sample])[0].pred_sem_seg.data
    torch.testing.assert_close(result, expected)


def test_training_is_refused():
    with pytest.raises(NotImplementedError, match='tools/segment.py'):
        tiny_model().loss(torch.zeros((1, 3) + SIZE), [SegDataSample()])


def test_non_finite_loss_fails_that_image_only(monkeypatch):
    """lr = nan: the first step makes the weights NaN, the next loss is
    NaN: the image is marked failed with the reason (a one-cluster map, not
    a success), and the next image of the batch is still segmented."""
    model = tiny_model(
        optimizer=dict(type='SGD', lr=float('nan')), stop_threshold=None)
    (sample, ) = segment(model, images(1))
    assert 'the loss is nan at step 1' in sample.metainfo[FAILED_KEY]
    assert 'lower the learning rate' in sample.metainfo[FAILED_KEY]
    assert labels(sample).max() == 0 and 'q_prime' not in sample

    model = tiny_model(max_iters=2)
    segment_one = model._segment
    calls = []

    def first_fails(image, sample):
        calls.append(1)
        if len(calls) == 1:
            raise FloatingPointError('the loss is inf at step 0')
        return segment_one(image, sample)

    monkeypatch.setattr(model, '_segment', first_fails)
    failed, segmented = segment(model, images(2))
    assert failed.metainfo[FAILED_KEY] == 'the loss is inf at step 0'
    assert FAILED_KEY not in segmented and segmented.iterations >= 1


@pytest.mark.parametrize('kwargs, match', [
    (dict(max_iters=0), 'max_iters'),
    (dict(stop_threshold='three'), 'stop_threshold'),
    (dict(stop_threshold=True), 'stop_threshold'),
    (dict(init='imagenet'), 'init'),
    (dict(predict_mode='test'), 'predict_mode'),
    (dict(optimise_scale=0), 'optimise_scale'),
    (dict(autocast='bf16'), 'autocast'),
    (dict(max_iters=3, record_iters=(1, 4)), 'record_iters'),
    (dict(record_iters=(-1, )), 'record_iters'),
    (dict(snapshot_interval=0), 'snapshot_interval'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tiny_model(**kwargs)


def test_dynaguide_guide_reaches_the_per_image_loss(monkeypatch):
    from mmengine.structures import PixelData

    from mmdynaseg.models.losses import GuidanceLoss
    seen, computed = [], []
    match, loss = GuidanceLoss.batch_targets, GuidanceLoss.per_image

    def matching(self, response, guide, keys=None):
        seen.append((guide.clone(), list(keys)))
        return match(self, response, guide, keys)

    def computing(self, response, *args, **kwargs):
        computed.append(kwargs['target'])  # the matched one, shared
        return loss(self, response, *args, **kwargs)

    monkeypatch.setattr(GuidanceLoss, 'batch_targets', matching)
    monkeypatch.setattr(GuidanceLoss, 'per_image', computing)
    model = tiny_model(head=dict(loss_guide=dict(type='GuidanceLoss')))
    guide = torch.zeros((1, ) + SIZE, dtype=torch.long)
    guide[..., SIZE[1] // 2:] = 1
    sample = SegDataSample(
        metainfo=dict(
            ori_shape=SIZE, img_shape=SIZE, pad_shape=SIZE,
            img_path='a.png'))
    sample.gt_guide = PixelData(data=guide)
    with torch.no_grad():
        model.test_step(dict(inputs=images(1), data_samples=[sample]))
    assert seen, 'the guidance loss was never computed'
    assert torch.equal(seen[0][0], guide) and seen[0][1] == ['a.png']
    assert len(computed) == len(seen)  # one loss per matching, every step
    with pytest.raises(ValueError, match='LoadGuidance'):
        segment(model, images(1))  # a sample without its guide


@pytest.mark.parametrize('predict_mode', ['train', 'eval'])
def test_recorded_results_equal_separate_runs(predict_mode):
    """One run of T = 3 recording T = 0..3 gives, for every T, exactly the
    labels, q' and steps of a run with max_iters=T; T = 0 is the start
    network (train mode: its first forward pass, as a run that stops at
    once; eval mode: its eval-mode pass)."""
    batch = images(2)
    options = dict(stop_threshold=None, predict_mode=predict_mode)
    recorded = segment(
        tiny_model(max_iters=3, record_iters=(0, 1, 2, 3), **options), batch)
    for steps in (1, 2, 3):
        separate = segment(tiny_model(max_iters=steps, **options), batch)
        for one, many in zip(separate, recorded):
            at = many.recorded[steps]
            np.testing.assert_array_equal(labels(at), labels(one))
            assert at.q_prime == one.q_prime
            assert at.iterations == one.iterations == steps
    if predict_mode == 'train':  # the start's labels: a run that stops at 0
        start = segment(tiny_model(stop_threshold=Q), batch)
        for one, many in zip(start, recorded):
            np.testing.assert_array_equal(labels(many.recorded[0]),
                                          labels(one))
            assert one.iterations == many.recorded[0].iterations == 0
    for sample in recorded:  # the last T is the result itself
        assert sample.recorded[3].pred_sem_seg is sample.pred_sem_seg
        seconds = [sample.recorded[t].seconds for t in (0, 1, 2, 3)]
        assert seconds == sorted(seconds) and seconds[-1] == sample.seconds


def test_recorded_steps_after_a_stop_are_the_final_result():
    """A run that stops at q' <= 8 before its first step records that
    result for every T, as runs of those max_iters would end."""
    (sample, ) = segment(
        tiny_model(stop_threshold=Q, max_iters=5, record_iters=(2, 5)),
        images(1))
    assert sample.iterations == 0
    for steps in (2, 5):
        assert sample.recorded[steps].iterations == 0
        np.testing.assert_array_equal(
            labels(sample.recorded[steps]), labels(sample))


def test_nothing_recorded_by_default():
    (sample, ) = segment(tiny_model(), images(1))
    assert 'recorded' not in sample


class Interrupted(Exception):
    """A run killed mid-image."""


def interrupt_at(model, step: int) -> None:
    """Make the model's run die at the forward pass of ``step``."""

    def on_step(steps, *_):
        if steps == step:
            raise Interrupted

    model.on_step = on_step


@pytest.mark.parametrize('predict_mode,frozen',
                         [('train', False), ('eval', False), ('eval', True)])
def test_snapshots_resume_an_interrupted_image_exactly(tmp_path,
                                                       predict_mode, frozen):
    """T = 6, a snapshot every 2 steps, killed at step 5: the rerun resumes
    after step 4 (forward passes 4, 5, 6 only) and ends with the labels,
    q' and recorded results (T = 1 from before the kill, T = 5 after) of a
    run never killed; the snapshot is deleted when the image is done. Also
    with frozen features (computed again by the resumed run)."""
    options = dict(
        max_iters=6,
        stop_threshold=None,
        predict_mode=predict_mode,
        record_iters=(1, 5))
    if frozen:
        options.update(init='checkpoint_features', freeze_features=True)
    batch = images(1)
    (whole, ) = segment(tiny_model(**options), batch)
    snapshotting = dict(
        options, snapshot_dir=str(tmp_path), snapshot_interval=2)
    killed = tiny_model(**snapshotting)
    interrupt_at(killed, 5)
    with pytest.raises(Interrupted):
        segment(killed, batch)
    (saved, ) = tmp_path.iterdir()
    assert saved.name.startswith('image-') and saved.suffix == '.pth'
    assert torch.load(saved, weights_only=True)['steps'] == 4
    resumed = tiny_model(**snapshotting)
    seen = []
    resumed.on_step = lambda steps, *_: seen.append(steps)
    (sample, ) = segment(resumed, batch)
    assert seen == [4, 5, 6]
    assert sample.resumed_from == 4 and 'resumed_from' not in whole
    assert sample.iterations == whole.iterations == 6
    assert sample.q_prime == whole.q_prime
    np.testing.assert_array_equal(labels(sample), labels(whole))
    for steps in (1, 5):
        np.testing.assert_array_equal(
            labels(sample.recorded[steps]), labels(whole.recorded[steps]))
        assert sample.recorded[steps].iterations == steps
    assert sample.recorded[1].seconds <= sample.recorded[5].seconds \
        <= sample.seconds
    for result in (sample, whole, sample.recorded[1], sample.recorded[5]):
        assert result.arithmetic == 'float32, eager'  # one arithmetic
    assert list(tmp_path.iterdir()) == []


def snapshotting(folder, **options) -> PerImageDynaSeg:
    """T = 5 and T = 1 recorded, a snapshot after every step into
    ``folder``."""
    return tiny_model(
        max_iters=5,
        stop_threshold=None,
        record_iters=(1, ),
        snapshot_dir=str(folder),
        snapshot_interval=1,
        **options)


def kill_at_step_3(folder, batch, **options) -> None:
    """Run :func:`snapshotting` killed at the forward pass of step 3 (the
    snapshot after steps 0-2 left)."""
    killed = snapshotting(folder, **options)
    interrupt_at(killed, 3)
    with pytest.raises(Interrupted):
        segment(killed, batch)


def finish(folder, batch) -> SegDataSample:
    """Finish the run :func:`kill_at_step_3` left, float32, eager."""
    (sample, ) = segment(snapshotting(folder), batch)
    assert sample.resumed_from == 3
    return sample


def test_resumed_across_arithmetic_names_each_run(tmp_path):
    """Steps 0-2 channels-last (a machine where 'auto' resolved so), steps
    3-4 contiguous: the result names both with their first steps; T = 1,
    recorded before the kill, names only the first. A snapshot saved
    before snapshots held the arithmetic says it is unrecorded, as the
    quality benchmark does of results from before it recorded it."""
    batch = images(1)
    kill_at_step_3(tmp_path / 'other', batch, channels_last=True)
    sample = finish(tmp_path / 'other', batch)
    assert sample.arithmetic == ('float32, eager, channels-last (from step '
                                 '0); float32, eager (from step 3)')
    assert sample.recorded[1].arithmetic == 'float32, eager, channels-last'
    kill_at_step_3(tmp_path / 'old', batch)
    (saved, ) = (tmp_path / 'old').iterdir()
    old = torch.load(saved, weights_only=True)
    del old['arithmetic'], old['recorded'][1]['arithmetic']
    torch.save(old, saved)
    sample = finish(tmp_path / 'old', batch)
    assert sample.arithmetic == ('unrecorded (from step 0); float32, eager '
                                 '(from step 3)')
    assert sample.recorded[1].arithmetic == 'unrecorded'


def test_snapshots_of_other_settings_or_unreadable_start_over(tmp_path):
    """A snapshot of another seed, weighting, continuity loss or extractor
    (a folder shared by two configs), or a damaged file, is not resumed:
    the image is optimised from step 0 with the result of a run without
    snapshots."""
    options = dict(max_iters=4, stop_threshold=None)
    batch = images(1)
    (whole, ) = segment(tiny_model(**options), batch)
    snapshotting = dict(
        options, snapshot_dir=str(tmp_path), snapshot_interval=1)
    others = {
        'other seed': dict(seed=1),
        'scf weighting': dict(head=dict(weighting=dict(
            type='DynamicWeight', policy='scf', alpha=15.0))),
        'huber loss': dict(head=dict(loss_con=dict(
            type='HuberContinuityLoss'))),
        'first skip': dict(backbone=dict(
            type='DynaSegCNN', channels=8, first_skip='conv')),
        'unreadable': {},
    }
    for damage, other in others.items():
        killed = tiny_model(**snapshotting, **other)
        interrupt_at(killed, 3)
        with pytest.raises(Interrupted):
            segment(killed, batch)
        (saved, ) = tmp_path.iterdir()
        if damage == 'unreadable':
            saved.write_bytes(saved.read_bytes()[:100])
        model = tiny_model(**snapshotting)
        seen = []
        model.on_step = lambda steps, *_: seen.append(steps)
        (sample, ) = segment(model, batch)
        assert seen == [0, 1, 2, 3, 4], damage
        assert 'resumed_from' not in sample
        np.testing.assert_array_equal(labels(sample), labels(whole))
        assert list(tmp_path.iterdir()) == []


def test_pretrained_init_applies_init_cfg_and_is_seeded():
    """init='pretrained': the backbone's init_cfg (here a constant instead
    of ImageNet weights) is applied, the rest drawn under the seed, so
    two builds start every image from the same weights; 'fresh' ignores
    init_cfg."""
    backbone = dict(
        type='DynaSegCNN',
        channels=8,
        init_cfg=dict(type='Constant', val=0.5, layer='Conv2d'))
    first = tiny_model(init='pretrained', backbone=backbone)
    conv = next(m for m in first.backbone.modules()
                if isinstance(m, torch.nn.Conv2d))
    assert torch.all(conv.weight == 0.5)
    assert_same_state(
        state(first), state(tiny_model(init='pretrained',
                                       backbone=backbone)))
    fresh = tiny_model(backbone=backbone)
    fresh_conv = next(m for m in fresh.backbone.modules()
                      if isinstance(m, torch.nn.Conv2d))
    assert not torch.all(fresh_conv.weight == 0.5)
    first.stop_threshold = None
    (sample, ) = segment(first, images(1))
    assert sample.iterations == 3
