"""Every config inherits at most three levels of ``_base_`` files."""
import ast
from pathlib import Path
from typing import List

import pytest

REPO = Path(__file__).resolve().parents[2]
CONFIGS = sorted((REPO / 'configs').rglob('*.py'))


def bases(path: Path) -> List[Path]:
    """The files a config's ``_base_`` names, resolved next to it."""
    for node in ast.parse(path.read_text()).body:
        if (isinstance(node, ast.Assign)
                and getattr(node.targets[0], 'id', None) == '_base_'):
            names = ast.literal_eval(node.value)
            names = [names] if isinstance(names, str) else names
            return [(path.parent / name).resolve() for name in names]
    return []


def depth(path: Path) -> int:
    """Levels of inheritance above a config (0: it has no ``_base_``)."""
    return max((1 + depth(base) for base in bases(path)), default=0)


def test_depth_counts_levels(tmp_path):
    (tmp_path / 'a.py').write_text('x = 1\n')
    (tmp_path / 'b.py').write_text("_base_ = './a.py'\n")
    (tmp_path / 'c.py').write_text("_base_ = ['./b.py', './a.py']\n")
    assert [depth(tmp_path / f'{n}.py') for n in 'abc'] == [0, 1, 2]


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.name)
def test_at_most_three_levels(path):
    assert all(base.exists() for base in bases(path))
    assert depth(path) <= 3, f'{path.relative_to(REPO)}'


def test_schedules_stand_alone():
    for path in (REPO / 'configs/_base_/schedules').glob('*.py'):
        assert not bases(path), path.name
