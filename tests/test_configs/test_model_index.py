"""model-index.yml: every config listed for `mim search`, with its mode,
and every number it shows equal to the committed JSON it cites."""
import json
from pathlib import Path

import yaml
from modelindex.load_model_index import load

from mmdynaseg.utils import load_config

REPO = Path(__file__).resolve().parents[2]


def models():
    """The metafiles' model entries, by name."""
    entries = {}
    for path in yaml.safe_load((REPO / 'model-index.yml').read_text())[
            'Import']:
        for model in yaml.safe_load((REPO / path).read_text())['Models']:
            assert model['Name'] not in entries, model['Name']
            entries[model['Name']] = model
    return entries


def test_mim_reads_the_index_and_lists_every_config():
    index = load(str(REPO / 'model-index.yml'))
    assert {model.name for model in index.models} == set(models())
    configs = sorted(
        path.relative_to(REPO).as_posix()
        for path in [*REPO.glob('configs/*.py'), *REPO.glob(
            'configs/examples/*.py')])
    assert sorted(m['Config'] for m in models().values()) == configs


def test_modes_follow_the_configs():
    for name, model in models().items():
        cfg = load_config(str(REPO / model['Config']))
        per_image = cfg.model.type == 'PerImageDynaSeg'
        expected = 'refine' if name.endswith('_refine') else (
            'per-image' if per_image else 'trained')
        assert model['Metadata']['Mode'] == expected, name


def test_results_equal_the_json_they_cite():
    shown = {n: m for n, m in models().items() if 'Results' in m}
    assert len(shown) == 5
    for name, model in shown.items():
        saved = json.loads((REPO / model['Results JSON']).read_text())
        metrics = model['Results']['Metrics']
        if saved.get('benchmark') == 'demo':
            assert saved['config'] == model['Config']
            assert metrics == {'mIoU': round(saved['mIoU'], 2)}
            continue
        (method, ) = [
            key for key, value in saved['methods'].items()
            if isinstance(value, list) and value[0] == model['Config']
        ]
        result = saved['results'][method]
        assert metrics == {
            'Mean': result['Mean'],
            'Mean.labels': result['cluster_labels']['Mean']
        }, name


def test_configs_readme_has_a_line_for_every_config():
    text = (REPO / 'configs/README.md').read_text()
    for model in models().values():
        name = model['Config'][len('configs/'):]
        assert f'`{name}`' in text, name


def test_mim_search_lists_the_configs():
    """The install links model-index.yml into mmdynaseg/.mim (setup.py)."""
    import subprocess
    import sys
    result = subprocess.run([
        str(Path(sys.executable).with_name('mim')), 'search', 'mmdynaseg',
        '--field', 'config', 'mode', 'mean'
    ],
                            capture_output=True,
                            text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'config id: dynaseg_fsf_cnn_bsds500_reference' in result.stdout
    assert 'mode                 per-image' in result.stdout
