"""Build d2lsave's wheel and sdist from a copy of the sources, outside the repository.

Building in a copy leaves no build/ or *.egg-info folder in the working tree.
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ['pyproject.toml', 'README.md', 'LICENSE', 'MANIFEST.in', 'd2lsave']


def project_version():
    """The version in pyproject.toml, the one place it is written."""
    with open(ROOT / 'pyproject.toml', 'rb') as file:
        return tomllib.load(file)['project']['version']


def copy_sources(folder):
    """Copy what the build needs into `folder` (no caches)."""
    folder.mkdir(parents=True)
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, folder / name, ignore=shutil.ignore_patterns('__pycache__', '*.pyc')
            )
        else:
            shutil.copy2(source, folder / name)
    return folder


def build_wheel(folder):
    """`pip wheel .` on a copy of the sources; the path of the wheel in `folder`."""
    source = copy_sources(folder / 'source')
    out = folder / 'wheels'
    subprocess.run(
        [
            sys.executable,
            '-m',
            'pip',
            'wheel',
            '--quiet',
            '--no-deps',
            '--no-build-isolation',
            '--wheel-dir',
            str(out),
            '.',
        ],
        cwd=source,
        check=True,
        timeout=300,
    )
    [wheel] = out.glob('d2lsave-*.whl')
    return wheel


def build_sdist(folder):
    """`python -m build --sdist` on a copy of the sources; the path of the sdist."""
    source = copy_sources(folder / 'sdist-source')
    out = folder / 'sdist'
    subprocess.run(
        [sys.executable, '-m', 'build', '--sdist', '--no-isolation', '--outdir', str(out), '.'],
        cwd=source,
        check=True,
        timeout=300,
        capture_output=True,
    )
    [sdist] = out.glob('d2lsave-*.tar.gz')
    return sdist


def readme_example():
    """The Python example of the README's "Using d2lsave in your own code"."""
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    blocks = re.findall(r'```python\n(.*?)```', readme, flags=re.S)
    [example] = [block for block in blocks if 'import d2lsave' in block]
    return example
