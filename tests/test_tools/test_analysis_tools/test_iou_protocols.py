"""tools/analysis_tools/iou_protocols.py: one prediction, three protocols."""
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

# 2 x 3 CamVid label map: sky, sky, void / road, road, void
LABEL = np.array([[0, 0, 11], [3, 3, 11]], np.uint8)
# clusters 5 and 7 share sky, 6 is road; the void column is ignored
PRED = np.array([[5, 7, 5], [6, 6, 6]], np.uint8)


def test_one_prediction_scored_by_every_protocol(repo_root, tmp_path):
    """Present classes only (per_image): sky gets cluster 5 or 7 (IoU 1/2),
    road 6 (IoU 1): 75. All 11 classes (per_image_all, and the dataset
    matching of this one image): the 8 clusters all get a class, so the
    other sky cluster goes to an absent class, whose IoU is 0: 50."""
    for folder in ('images/val', 'labels/val', 'preds'):
        (tmp_path / folder).mkdir(parents=True)
    Image.fromarray(np.full(
        (2, 3, 3), 60,
        np.uint8)).save(tmp_path / 'images/val/0001TP_006690.jpg')
    Image.fromarray(LABEL).save(tmp_path / 'labels/val/0001TP_006690.png')
    Image.fromarray(PRED).save(tmp_path / 'preds/0001TP_006690.png')
    out = tmp_path / 'scores.json'
    subprocess.run([
        sys.executable,
        str(repo_root / 'tools/analysis_tools/iou_protocols.py'),
        str(repo_root / 'configs/dynaseg_fsf_cnn_camvid.py'), '--pred-dir',
        str(tmp_path / 'preds'), '--out',
        str(out), '--cfg-options',
        f'val_dataloader.dataset.data_root={tmp_path}'
    ],
                   check=True,
                   cwd=tmp_path,
                   capture_output=True)
    scores = json.loads(out.read_text())
    assert scores['num_images'] == 1
    assert scores['per_image']['mIoU'] == pytest.approx(75.0)
    assert scores['per_image_all']['mIoU'] == pytest.approx(50.0)
    assert scores['dataset']['mIoU'] == pytest.approx(50.0)
    assert scores['per_image']['aAcc'] == pytest.approx(75.0)
