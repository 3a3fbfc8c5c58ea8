"""mmdynaseg.apis.DynaSegInferencer: MMSegInferencer on our configs."""
import mmcv
import numpy as np

from mmdynaseg.apis import DynaSegInferencer, inference_model
from mmdynaseg.utils import load_config

TINY = {
    'model.backbone.channels': 8,
    'model.decode_head.in_channels': 8,
    'model.decode_head.channels': 8,
    'model.decode_head.num_classes': 8,
    'model.max_iters': 3,
    'model.compile': False,
}


def test_per_image_config_paths_and_arrays(repo_root, tmp_path):
    """No weights needed; a path and an array in, cluster colours and
    label maps out, the labels those of inference_model."""
    cfg = load_config(
        str(repo_root / 'configs/dynaseg_fsf_cnn_bsds500.py'), TINY)
    inferencer = DynaSegInferencer(cfg, device='cpu')
    assert inferencer.visualizer.dataset_meta['classes'] == tuple(
        f'cluster {i}' for i in range(8))
    image = np.zeros((20, 28, 3), np.uint8)
    image[:, 14:] = (200, 160, 40)
    image[5:12, 3:9] = (30, 30, 220)
    mmcv.imwrite(image, str(tmp_path / 'photo.png'))
    results = inferencer([str(tmp_path / 'photo.png'), image],
                         out_dir=str(tmp_path / 'out'))
    path_labels, array_labels = results['predictions']
    expected = inference_model(inferencer.model, str(
        tmp_path / 'photo.png')).pred_sem_seg.data[0].numpy()
    np.testing.assert_array_equal(path_labels, expected)
    np.testing.assert_array_equal(array_labels, expected)
    assert sorted(p.name for p in (tmp_path / 'out/vis').iterdir()) == [
        '00000001_vis.jpg', 'photo.png'
    ]
    saved = mmcv.imread(
        str(tmp_path / 'out/pred/00000000_pred.png'), flag='unchanged')
    np.testing.assert_array_equal(saved, expected)
