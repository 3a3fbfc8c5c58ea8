"""Install mmdynaseg, an MMSegmentation plugin for unsupervised segmentation.

Besides the Python package this places ``configs/``, ``tools/`` and
``model-index.yml`` under ``mmdynaseg/.mim`` so that ``mim train mmdynaseg
CONFIG`` and ``mim search mmdynaseg`` find them: symbolic
links for develop/editable installs (edits show up at once), copies when a
wheel or sdist is built.
"""
import os
import os.path as osp
import shutil
import sys
from typing import List

from setuptools import find_packages, setup

ROOT = osp.dirname(osp.abspath(__file__))
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def read_requirements(*names: str) -> List[str]:
    """Return the requirement lines of ``requirements/<name>.txt`` files."""
    reqs = []
    for name in names:
        with open(osp.join(ROOT, 'requirements', f'{name}.txt')) as f:
            reqs += [
                line.strip() for line in f
                if line.strip() and not line.startswith(('#', '-r'))
            ]
    return reqs


def add_mim_extension() -> None:
    """Link (editable) or copy (wheel, sdist) configs and tools into .mim."""
    if any(cmd in sys.argv for cmd in ('develop', 'editable_wheel')):
        mode = 'symlink'
    elif any(cmd in sys.argv
             for cmd in ('bdist_wheel', 'sdist', 'install', 'build')):
        mode = 'copy'
    else:
        return
    mim_dir = osp.join(ROOT, 'mmdynaseg', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(ROOT, name), osp.join(mim_dir, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_dir), dst)
        elif osp.isfile(src):
            shutil.copy2(src, dst)
        else:
            shutil.copytree(
                src, dst, ignore=shutil.ignore_patterns('__pycache__'))


def get_version() -> str:
    """Read ``__version__`` without importing the package."""
    scope: dict = {}
    with open(osp.join(ROOT, 'mmdynaseg', 'version.py')) as f:
        exec(compile(f.read(), 'version.py', 'exec'), scope)
    return scope['__version__']


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmdynaseg',
        version=get_version(),
        description='DynaSeg and DynaGuide unsupervised segmentation for '
        'MMSegmentation',
        long_description=open(osp.join(ROOT, 'README.md')).read(),
        long_description_content_type='text/markdown',
        author='mmdynaseg contributors',
        keywords='unsupervised segmentation, DynaSeg, DynaGuide, '
        'MMSegmentation',
        license='Apache License 2.0',
        classifiers=[
            'Development Status :: 4 - Beta',
            'License :: OSI Approved :: Apache Software License',
            'Operating System :: OS Independent',
            'Programming Language :: Python :: 3',
            'Programming Language :: Python :: 3.11',
            'Topic :: Scientific/Engineering :: Artificial Intelligence',
            'Topic :: Scientific/Engineering :: Image Recognition',
        ],
        python_requires='>=3.8',
        packages=find_packages(exclude=('configs', 'tools', 'tests', 'data')),
        include_package_data=True,
        install_requires=read_requirements('runtime', 'mminstall'),
        extras_require=dict(tests=read_requirements('tests')),
        zip_safe=False,
    )
