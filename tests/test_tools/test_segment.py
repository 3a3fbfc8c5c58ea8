"""tools/segment.py: outputs, odd and bad files, resume, trained models."""
import importlib.util
import json

import cv2
import mmcv
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from PIL import Image

from mmdynaseg.engine.hooks.cluster_prediction_writer_hook import \
    overlay_figure
from mmdynaseg.utils import load_config, read_label_png

PER_IMAGE = 'configs/dynaseg_fsf_cnn_bsds500.py'
TRAINED = 'configs/dynaseg_fsf_cnn_bsds500_trained.py'
TINY_MODEL = [
    f'model.{key}=8'
    for key in ('backbone.channels', 'decode_head.in_channels',
                'decode_head.channels', 'decode_head.num_classes')
]
TINY = TINY_MODEL + ['model.max_iters=3']


@pytest.fixture(scope='module')
def segment_tool(repo_root):
    """tools/segment.py imported as a module."""
    spec = importlib.util.spec_from_file_location(
        'segment_tool', repo_root / 'tools/segment.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def two_tone() -> np.ndarray:
    """24 x 24 RGB image: dark left half, light right half, a red square."""
    image = np.full((24, 24, 3), 30, np.uint8)
    image[:, 12:] = 200
    image[4:10, 4:10] = (220, 20, 20)
    return image


@pytest.fixture
def folder(tmp_path):
    """Colour, grayscale, RGBA, 16-bit, too large and corrupt images."""
    root = tmp_path / 'images'
    root.mkdir()
    image = two_tone()
    Image.fromarray(image).save(root / 'rgb.png')
    Image.fromarray(image[..., 1]).save(root / 'gray.png')
    Image.fromarray(np.dstack([image, np.full((24, 24), 99, np.uint8)
                               ])).save(root / 'rgba.png')
    # 16-bit: v * 257 decodes back to v
    cv2.imwrite(str(root / 'deep.png'),
                image[..., ::-1].astype(np.uint16) * 257)
    Image.fromarray(np.kron(image, np.ones(
        (2, 2, 1), np.uint8))).save(root / 'large.png')
    (root / 'corrupt.jpg').write_bytes(b'not an image')
    (root / 'notes.txt').write_text('not listed: no image extension')
    return root


def run(segment_tool, inputs, out, *options, cfg_options=()):
    """Segment with the tiny per-image config (and ``cfg_options``);
    return the summary."""
    config = segment_tool.__file__.replace('tools/segment.py', PER_IMAGE)
    segment_tool.main([str(path) for path in inputs] + [
        '--config', config, '--out',
        str(out), '--max-size', '32', *options, '--cfg-options', *TINY,
        *cfg_options
    ])
    return json.loads((out / 'summary.json').read_text())


def read(path) -> np.ndarray:
    """A label map's ids, or an overlay's BGR pixels."""
    if path.parent.name == 'labels':
        return read_label_png(str(path))
    return mmcv.imread(str(path), flag='unchanged')


def test_folder_with_odd_and_bad_files(segment_tool, folder, tmp_path):
    out = tmp_path / 'out'
    summary = run(segment_tool, [folder], out)
    assert sorted(summary['images']) == [
        'deep', 'gray', 'large', 'rgb', 'rgba'
    ]
    (reason, ) = summary['skipped'].values()
    assert 'corrupt.jpg' in reason and 'cannot read image' in reason
    labels = {name: read(out / f'labels/{name}.png') for name in
              summary['images']}
    # RGBA (alpha dropped) and 16-bit decode to the colour image: same
    # network start, same labels
    np.testing.assert_array_equal(labels['rgba'], labels['rgb'])
    np.testing.assert_array_equal(labels['deep'], labels['rgb'])
    # the 48 x 48 image is segmented and written at --max-size 32
    assert labels['large'].shape == (32, 32)
    assert summary['images']['large']['original_size'] == [48, 48]
    assert summary['images']['large']['size'] == [32, 32]
    for name, stats in summary['images'].items():
        if name != 'large':
            assert labels[name].shape == (24, 24)
        assert stats['iterations'] <= 3
        assert stats['num_labels'] == len(np.unique(labels[name]))
        assert stats['q_prime'] == stats['num_labels']  # full size, 1x
    # overlays: the image beside its blend with the cluster colours
    overlay = read(out / 'overlays/rgb.png')[..., ::-1]
    np.testing.assert_array_equal(overlay,
                                  overlay_figure(two_tone(), labels['rgb']))
    gray = np.repeat(two_tone()[..., 1:2], 3, axis=2)
    np.testing.assert_array_equal(
        read(out / 'overlays/gray.png')[..., ::-1],
        overlay_figure(gray, labels['gray']))


def test_resume_skips_finished_images(segment_tool, folder, tmp_path,
                                      capsys):
    out = tmp_path / 'out'
    first = run(segment_tool, [folder], out)
    written = (out / 'labels/rgb.png').stat().st_mtime_ns
    capsys.readouterr()
    # an interrupted run: one summary entry and one overlay missing
    del first['images']['gray']
    (out / 'summary.json').write_text(json.dumps(first))
    (out / 'overlays/deep.png').unlink()
    again = run(segment_tool, [folder], out)
    assert '3 of 6 images already segmented' in capsys.readouterr().out
    assert (out / 'labels/rgb.png').stat().st_mtime_ns == written
    assert (out / 'overlays/deep.png').is_file()
    assert sorted(again['images']) == [
        'deep', 'gray', 'large', 'rgb', 'rgba'
    ]
    assert list(again['skipped']) == [str(folder / 'corrupt.jpg')]
    assert not list(out.rglob('.*.partial*'))  # no temporary file left


def test_an_image_interrupted_mid_optimisation_resumes(
        segment_tool, folder, tmp_path, monkeypatch):
    """The per-image optimisation keeps a snapshot under <out>/snapshots;
    a run killed after step 2 of an image (snapshot left, no result)
    resumes it there with the labels of a run never killed, and its
    seconds count the killed run's (the snapshot's, set to 1000 here)."""
    from mmdynaseg.utils import SnapshotStore
    options = dict(cfg_options=['model.stop_threshold=None',
                                'model.max_iters=4',
                                'model.snapshot_interval=2'])
    whole = run(segment_tool, [folder / 'rgb.png'], tmp_path / 'whole',
                **options)
    assert 'resumed_from' not in whole['images']['rgb']
    assert not list((tmp_path / 'whole/snapshots').iterdir())
    # the killed run: the snapshot after step 2 is left, no summary entry
    monkeypatch.setattr(SnapshotStore, 'remove', lambda self, key: None)
    out = tmp_path / 'out'
    killed = run(segment_tool, [folder / 'rgb.png'], out, **options)
    monkeypatch.undo()
    (snapshot, ) = (out / 'snapshots').iterdir()
    assert snapshot.name.startswith('rgb-')
    state = torch.load(snapshot, weights_only=True)
    torch.save(dict(state, seconds=1000.0), snapshot)
    del killed['images']['rgb']
    (out / 'summary.json').write_text(json.dumps(killed))
    resumed = run(segment_tool, [folder / 'rgb.png'], out, **options)
    stats = resumed['images']['rgb']
    assert stats['resumed_from'] == 2 and stats['iterations'] == 4
    assert stats['seconds'] > 1000
    # the same machine's arithmetic in both runs: one name, no steps
    assert stats['arithmetic'] == whole['images']['rgb']['arithmetic']
    assert 'from step' not in stats['arithmetic']
    np.testing.assert_array_equal(read(out / 'labels/rgb.png'),
                                  read(tmp_path / 'whole/labels/rgb.png'))
    assert not list((out / 'snapshots').iterdir())


def test_progress_piped_to_a_file_has_lines_and_an_eta(
        segment_tool, folder, tmp_path, capsys):
    """Not a terminal: a line every 50 steps (here step 0 of each image)
    with the ETA, no carriage returns."""
    run(segment_tool, [folder / 'rgb.png', folder / 'gray.png'],
        tmp_path / 'out')
    err = capsys.readouterr().err
    assert '\r' not in err
    lines = [line for line in err.splitlines() if ': step ' in line]
    assert [line.split(',')[0] for line in lines] == [
        '[1/2] rgb.png: step 0/3', '[2/2] gray.png: step 0/3'
    ]
    assert all('ETA image ' in line and ', all ' in line for line in lines)


def test_unusable_out_or_device_is_refused_up_front(segment_tool, folder,
                                                   tmp_path, monkeypatch):
    a_file = tmp_path / 'a_file'
    a_file.write_text('')
    with pytest.raises(SystemExit, match="'.*a_file' is a file; pass a "
                       'folder you can write to as --out'):
        run(segment_tool, [folder / 'rgb.png'], a_file)
    with pytest.raises(SystemExit, match='cannot create the output folder'):
        run(segment_tool, [folder / 'rgb.png'], a_file / 'out')
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(SystemExit, match='--device cuda: this machine has '
                       'no CUDA'):
        run(segment_tool, [folder / 'rgb.png'], tmp_path / 'out', '--device',
            'cuda')


def test_a_diverging_image_is_reported_and_the_run_goes_on(
        segment_tool, folder, tmp_path):
    """lr = nan: each image fails with its non-finite loss, is listed as
    skipped with the reason, and summary.json stays strict JSON."""
    out = tmp_path / 'out'
    summary = run(segment_tool, [folder / 'rgb.png', folder / 'gray.png'],
                  out, cfg_options=['model.optimizer.lr=nan',
                                    'model.stop_threshold=None'])
    assert summary['images'] == {}
    assert len(summary['skipped']) == 2
    assert all('the loss is nan' in reason
               for reason in summary['skipped'].values())

    def refuse(constant):
        raise ValueError(constant)

    json.loads((out / 'summary.json').read_text(), parse_constant=refuse)


def test_partial_files_of_a_killed_run_are_removed(segment_tool, folder,
                                                   tmp_path, capsys):
    out = tmp_path / 'out'
    for name in ('labels', 'overlays', 'snapshots'):
        (out / name).mkdir(parents=True)
        (out / name / '.rgb.png.partial-x1').write_bytes(b'half')
    run(segment_tool, [folder / 'rgb.png'], out)
    assert not list(out.rglob('*partial*'))
    assert capsys.readouterr().out.count('left by an interrupted run') == 3


def test_an_image_replaced_under_the_same_path_is_segmented_again(
        segment_tool, folder, tmp_path, capsys):
    """Finished results are matched on content: the 24 x 24 rgb.png
    replaced by a 20 x 28 image is segmented again, not skipped."""
    out = tmp_path / 'out'
    run(segment_tool, [folder / 'rgb.png'], out)
    Image.fromarray(np.full((20, 28, 3), 120, np.uint8)).save(folder /
                                                              'rgb.png')
    capsys.readouterr()
    summary = run(segment_tool, [folder / 'rgb.png'], out)
    assert 'changed since it was segmented' in capsys.readouterr().out
    assert summary['images']['rgb']['size'] == [20, 28]
    assert read(out / 'labels/rgb.png').shape == (20, 28)
    again = run(segment_tool, [folder / 'rgb.png'], out)  # now unchanged
    assert again['images']['rgb'] == summary['images']['rgb']
    assert '1 of 1 images already segmented' in capsys.readouterr().out


def test_a_second_run_on_the_same_out_is_refused(segment_tool, folder,
                                                 tmp_path):
    from mmdynaseg.utils import folder_lock
    out = tmp_path / 'out'
    (out / 'labels').mkdir(parents=True)
    with folder_lock(str(out / 'labels')):  # another run holds it
        with pytest.raises(SystemExit, match='another tools/segment.py run '
                           'is writing to'):
            run(segment_tool, [folder / 'rgb.png'], out)
    run(segment_tool, [folder / 'rgb.png'], out)  # free again


def test_a_full_disk_stops_cleanly_and_a_rerun_finishes(
        segment_tool, folder, tmp_path, monkeypatch):
    """Writing the second image's results fails (ENOSPC): the run stops
    with a message, the first image stays recorded, and a rerun
    segments only the second."""
    import errno
    out = tmp_path / 'out'
    real = segment_tool.write_label_png
    calls = []

    def full_disk(path, labels):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, 'No space left on device')
        real(path, labels)

    monkeypatch.setattr(segment_tool, 'write_label_png', full_disk)
    with pytest.raises(SystemExit, match="cannot write the results of "
                       ".*No space left on device.*run the same command"):
        run(segment_tool, [folder / 'rgb.png', folder / 'gray.png'], out)
    summary = json.loads((out / 'summary.json').read_text())
    assert list(summary['images']) == ['rgb']
    monkeypatch.undo()
    again = run(segment_tool, [folder / 'rgb.png', folder / 'gray.png'], out)
    assert sorted(again['images']) == ['gray', 'rgb']
    assert again['images']['rgb'] == summary['images']['rgb']


def test_other_settings_are_refused(segment_tool, folder, tmp_path):
    out = tmp_path / 'out'
    run(segment_tool, [folder / 'rgb.png'], out)
    with pytest.raises(SystemExit, match='other settings'):
        run(segment_tool, [folder / 'rgb.png'], out, '--max-size', '64')


def test_globs_files_and_bad_inputs(segment_tool, folder, tmp_path):
    summary = run(segment_tool, [folder / 'r*.png', folder / 'gray.png'],
                  tmp_path / 'out')
    assert sorted(summary['images']) == ['gray', 'rgb', 'rgba']
    with pytest.raises(SystemExit, match='nothing.png'):
        run(segment_tool, [folder / 'nothing.png'], tmp_path / 'out2')
    other = tmp_path / 'other'
    other.mkdir()
    Image.fromarray(two_tone()).save(other / 'rgb.jpg')
    with pytest.raises(SystemExit, match="both be written as 'rgb.png'"):
        run(segment_tool, [folder, other], tmp_path / 'out3')


def test_trained_config_needs_and_uses_a_checkpoint(segment_tool, folder,
                                                    tmp_path, repo_root):
    config = str(repo_root / TRAINED)
    args = [str(folder / 'rgb.png'), '--config', config, '--out',
            str(tmp_path / 'out')]
    options = ['--cfg-options'] + TINY_MODEL
    with pytest.raises(SystemExit, match='give its checkpoint'):
        segment_tool.main(args + options)
    cfg = load_config(config)
    cfg.model.backbone.channels = 8
    for key in ('in_channels', 'channels', 'num_classes'):
        cfg.model.decode_head[key] = 8
    init_default_scope('mmseg')
    model = MODELS.build(cfg.model)
    checkpoint = tmp_path / 'trained.pth'
    torch.save(dict(state_dict=model.state_dict(), meta={}), checkpoint)
    segment_tool.main(args + ['--checkpoint', str(checkpoint)] + options)
    summary = json.loads((tmp_path / 'out/summary.json').read_text())
    stats = summary['images']['rgb']
    assert 'q_prime' not in stats and 'iterations' not in stats
    assert 'arithmetic' not in stats
    # plain inference: argmax of the trained network's response
    image = torch.from_numpy(two_tone()).permute(2, 0, 1)[None].float()
    with torch.no_grad():
        expected = model.eval()(image / 255, mode='tensor').argmax(1)[0]
    np.testing.assert_array_equal(
        read(tmp_path / 'out/labels/rgb.png'), expected.numpy())


def test_crafted_checkpoint_and_snapshot_are_refused(
        segment_tool, folder, tmp_path, repo_root, code_running_buffer,
        monkeypatch):
    """Files whose deep copy would run code (a getattr chain reaching exec):
    --checkpoint stops naming the file; a snapshot with it in the
    optimizer's param groups (the optimizer deep-copies them when it
    loads its state) is reported and the image optimised from step 0,
    ending as an uninterrupted run. The code never runs."""
    from mmdynaseg.utils import SnapshotStore
    marker = tmp_path / 'pwned'
    cfg = load_config(str(repo_root / TRAINED))
    cfg.model.backbone.channels = 8
    for key in ('in_channels', 'channels', 'num_classes'):
        cfg.model.decode_head[key] = 8
    init_default_scope('mmseg')
    checkpoint = tmp_path / 'trained.pth'
    torch.save(
        dict(
            state_dict=MODELS.build(cfg.model).state_dict(),
            message_hub=dict(runtime_info=dict(x=code_running_buffer(
                marker)))), checkpoint)
    with pytest.raises(SystemExit, match='getattr\\(') as error:
        segment_tool.main([
            str(folder / 'rgb.png'), '--config',
            str(repo_root / TRAINED), '--out',
            str(tmp_path / 'trained'), '--checkpoint',
            str(checkpoint), '--cfg-options', *TINY_MODEL
        ])
    assert 'trained.pth' in str(error.value)
    # a snapshot after step 2, its optimizer state planted
    options = dict(cfg_options=['model.stop_threshold=None',
                                'model.max_iters=4',
                                'model.snapshot_interval=2'])
    whole = tmp_path / 'whole'
    run(segment_tool, [folder / 'rgb.png'], whole, **options)
    monkeypatch.setattr(SnapshotStore, 'remove', lambda self, key: None)
    out = tmp_path / 'out'
    killed = run(segment_tool, [folder / 'rgb.png'], out, **options)
    monkeypatch.undo()
    (snapshot, ) = (out / 'snapshots').iterdir()
    state = torch.load(snapshot, weights_only=True)
    state['optimizer']['param_groups'][0]['x'] = code_running_buffer(marker)
    torch.save(state, snapshot)
    del killed['images']['rgb']
    (out / 'summary.json').write_text(json.dumps(killed))
    import mmdynaseg.utils.snapshot as snapshot_module
    warnings = []
    monkeypatch.setattr(snapshot_module, 'print_log',
                        lambda message, **_: warnings.append(message))
    resumed = run(segment_tool, [folder / 'rgb.png'], out, **options)
    monkeypatch.undo()
    (warning, ) = warnings
    assert 'is not a readable snapshot' in warning and 'getattr(' in warning
    assert 'resumed_from' not in resumed['images']['rgb']
    np.testing.assert_array_equal(read(out / 'labels/rgb.png'),
                                  read(whole / 'labels/rgb.png'))
    assert not marker.exists()


def test_dynaguide_config_gets_its_guide_and_skips_a_missing_one(
        segment_tool, tmp_path):
    """The precomputed guide of one image is missing: that image is
    reported and skipped, the other is segmented with its guide."""
    images, guides = tmp_path / 'images', tmp_path / 'guides'
    images.mkdir()
    guides.mkdir()
    Image.fromarray(two_tone()).save(images / 'a.png')
    Image.fromarray(two_tone()[::-1]).save(images / 'b.png')
    halves = np.zeros((24, 24), np.uint8)
    halves[:, 12:] = 1
    Image.fromarray(halves).save(guides / 'a.png')
    config = segment_tool.__file__.replace(
        'tools/segment.py', 'configs/dynaguide_precomputed_cnn_bsds500.py')
    seen = []
    guide_target = MODELS.get('DynaSegHead').guide_target

    def record(head, seg_logits, samples):
        seen.append(samples[0].gt_guide.data.clone())
        return guide_target(head, seg_logits, samples)

    out = tmp_path / 'out'
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MODELS.get('DynaSegHead'), 'guide_target', record)
        segment_tool.main([
            str(images), '--config', config, '--out',
            str(out), '--cfg-options', *TINY,
            f'test_dataloader.dataset.pipeline.1.guide.guide_dir={guides}'
        ])
    summary = json.loads((out / 'summary.json').read_text())
    assert list(summary['images']) == ['a']
    (reason, ) = summary['skipped'].values()
    assert str(guides / 'b.png') in reason
    assert seen and torch.equal(seen[0][0], torch.from_numpy(halves).long())


def test_tiny_thin_and_broken_images_are_reported_not_fatal(
        segment_tool, tmp_path):
    """A 1x1 image is skipped with a reason, a 3 x 100 image (1 px tall
    after --max-size 32) is segmented, a broken link and an empty PNG are
    named, and the images after them are still segmented."""
    root = tmp_path / 'images'
    root.mkdir()
    Image.fromarray(np.full((1, 1, 3), 90, np.uint8)).save(root / 'a_dot.png')
    thin = np.zeros((3, 100, 3), np.uint8)
    thin[:, 50:] = 200
    Image.fromarray(thin).save(root / 'b_thin.png')
    (root / 'c_link.png').symlink_to(root / 'gone.png')
    (root / 'd_empty.png').write_bytes(b'')
    Image.fromarray(two_tone()).save(root / 'e_fine.png')
    summary = run(segment_tool, [root], tmp_path / 'out')
    assert sorted(summary['images']) == ['b_thin', 'e_fine']
    assert summary['images']['b_thin']['size'] == [1, 32]
    skipped = {k.split('/')[-1]: v for k, v in summary['skipped'].items()}
    assert 'at least 2 pixels' in skipped['a_dot.png']
    assert 'broken symbolic link' in skipped['c_link.png']
    assert 'empty file (0 bytes)' in skipped['d_empty.png']


def test_same_name_from_another_folder_is_not_taken_as_done(
        segment_tool, tmp_path):
    for camera in ('cam1', 'cam2'):
        (tmp_path / camera).mkdir()
    Image.fromarray(two_tone()).save(tmp_path / 'cam1/IMG_0001.png')
    Image.fromarray(two_tone()[::-1]).save(tmp_path / 'cam2/IMG_0001.png')
    out = tmp_path / 'out'
    run(segment_tool, [tmp_path / 'cam1'], out)
    with pytest.raises(SystemExit, match='would overwrite the results'):
        run(segment_tool, [tmp_path / 'cam2'], out)


def test_an_image_too_large_for_memory_is_skipped_with_the_size_that_fits(
        segment_tool, folder, tmp_path, monkeypatch):
    """The estimate exceeds the free memory: the image is skipped before its
    optimisation starts, the reason names the ``--max-size`` that fits,
    and the run goes on to the next image."""
    monkeypatch.setattr(segment_tool, 'step_bytes_per_pixel',
                        lambda model: 1000.0)
    # 24 x 24 px needs 576,000 bytes; 300,000 fit a long side of
    # floor(24 * sqrt(300000 / 576000)) = 17
    monkeypatch.setattr(segment_tool, 'available_memory',
                        lambda device: 300_000)
    summary = run(segment_tool, [folder / 'rgb.png'], tmp_path / 'out')
    assert summary['images'] == {}
    reason = summary['skipped'][str(folder / 'rgb.png')]
    assert '--max-size 17 or less' in reason
    assert '24 x 24 px' in reason
    monkeypatch.setattr(segment_tool, 'available_memory',
                        lambda device: 576_000)
    summary = run(segment_tool, [folder / 'rgb.png'], tmp_path / 'out')
    assert list(summary['images']) == ['rgb']
