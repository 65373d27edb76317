"""d2lsave as a reader installs it: the wheel, away from the repository."""

import email
import os
import subprocess
import sys
import zipfile

import pytest
from distributions import build_sdist, build_wheel, project_version, readme_example


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    return build_wheel(tmp_path_factory.mktemp('wheel'))


def wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith('.dist-info/METADATA')]
        return email.message_from_bytes(archive.read(name))


def test_the_wheel_holds_only_the_package_and_its_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split('/')[0] for name in archive.namelist()}
    assert tops == {'d2lsave', f'd2lsave-{project_version()}.dist-info'}


def test_the_metadata_is_real(wheel):
    metadata = wheel_metadata(wheel)
    assert metadata['Name'] == 'd2lsave'
    assert metadata['Version'] == project_version()
    assert 'PyTorch' in metadata['Summary']
    assert metadata['Requires-Python'] == '>=3.11'
    assert metadata['License-Expression'] == 'MIT'
    classifiers = metadata.get_all('Classifier')
    assert 'Programming Language :: Python :: 3.11' in classifiers
    assert any(c.startswith('Development Status ::') for c in classifiers)
    required = {r.split('>')[0] for r in metadata.get_all('Requires-Dist') if 'extra' not in r}
    assert required == {'torch', 'numpy', 'matplotlib'}
    assert metadata['Description-Content-Type'] == 'text/markdown'


def test_twine_check_passes_on_wheel_and_sdist(wheel, tmp_path):
    sdist = build_sdist(tmp_path)
    result = subprocess.run(
        [sys.executable, '-m', 'twine', 'check', '--strict', str(wheel), str(sdist)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count('PASSED') == 2, result.stdout


def test_the_installed_wheel_runs_the_readme_example(wheel, tmp_path):
    target, elsewhere = tmp_path / 'site', tmp_path / 'elsewhere'
    elsewhere.mkdir()
    subprocess.run(
        [
            sys.executable,
            '-m',
            'pip',
            'install',
            '--quiet',
            '--no-deps',
            '--no-index',
            '--target',
            str(target),
            str(wheel),
        ],
        check=True,
    )
    script = (
        'import d2lsave, pathlib\n'
        'print("FROM", pathlib.Path(d2lsave.__file__).parent.parent)\n' + readme_example()
    )
    env = {**os.environ, 'PYTHONPATH': str(target), 'MPLBACKEND': 'Agg'}
    result = subprocess.run(
        [sys.executable, '-c', script],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert f'FROM {target}\n' in result.stdout
    assert 'tensor(' in result.stdout
