"""`make` checks what it needs outside Python first, with one line per missing piece."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import prerequisites
import pytest

from conftest import ROOT

SCRIPT = ROOT / 'tools' / 'prerequisites.py'
OLD_PYTHONS = sorted(Path.home().glob('.pyenv/versions/3.10*/bin/python'))


def run(*checks, python=sys.executable, env=None):
    return subprocess.run(
        [str(python), str(SCRIPT), *checks], capture_output=True, text=True, env=env
    )


def test_everything_present_here_passes():
    result = run('python', 'npm', 'chromium')
    assert result.returncode == 0 and result.stderr == ''


@pytest.mark.skipif(not OLD_PYTHONS, reason='no Python 3.10 on this machine')
def test_an_old_python_gets_one_line_naming_the_supported_versions():
    result = run('python', python=OLD_PYTHONS[0])
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and len(lines) == 1
    assert 'Python 3.10' in lines[0] and 'Python 3.11 or newer' in lines[0]


@pytest.mark.skipif(not OLD_PYTHONS, reason='no Python 3.10 on this machine')
def test_make_book_with_an_old_python_stops_at_once(tmp_path):
    shutil.copytree(ROOT / 'tools', tmp_path / 'tools')
    for name in ('Makefile', 'requirements.txt', 'pyproject.toml'):
        shutil.copy(ROOT / name, tmp_path / name)
    result = subprocess.run(
        ['make', '-s', 'book', f'PYTHON={OLD_PYTHONS[0]}'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert 'Python 3.11 or newer' in result.stderr
    assert not (tmp_path / '.venv').exists()


def test_missing_tools_get_one_line_each_saying_how_to_get_them(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))
    env.pop('CHROMIUM', None)
    result = run('npm', 'chromium', env=env)
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and len(lines) == 2
    assert 'npm is missing' in lines[0] and 'apt-get install' in lines[0]
    assert 'Chromium is missing' in lines[1] and 'CHROMIUM=' in lines[1]


def test_chromium_variable_names_the_browser(tmp_path, monkeypatch):
    fake = tmp_path / 'my-chrome'
    fake.write_text('#!/bin/sh\n')
    fake.chmod(0o755)
    monkeypatch.setenv('CHROMIUM', str(fake))
    assert prerequisites.find_chromium() == str(fake)
    monkeypatch.setenv('CHROMIUM', str(tmp_path / 'absent'))
    assert prerequisites.find_chromium() is None
    assert 'not an executable file' in prerequisites.chromium_problem()


def test_an_unknown_check_is_refused():
    result = run('ruby')
    assert result.returncode == 2 and 'unknown check' in result.stderr
