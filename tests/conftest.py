"""Shared helpers: the repository root and small notebooks built inside tests."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))


def notebook_json(*cells):
    """A minimal notebook; each cell is source text, markdown if it starts with '# '."""
    return {
        'cells': [
            {'cell_type': 'markdown', 'metadata': {}, 'source': source}
            if source.startswith('# ')
            else {
                'cell_type': 'code',
                'metadata': {},
                'source': source,
                'outputs': [],
                'execution_count': None,
            }
            for source in cells
        ],
        'metadata': {},
        'nbformat': 4,
        'nbformat_minor': 5,
    }


class Book:
    """A throwaway book folder: _toc.yml, pyproject.toml and notebooks."""

    def __init__(self, root):
        self.root = root
        self.pages = []
        (root / 'pyproject.toml').write_text('[project]\nname = "d2lsave"\nversion = "9.9"\n')
        (root / 'chapters').mkdir()

    def add(self, name, *cells):
        """Add a notebook page made of these cells (appended to the toc)."""
        path = self.root / 'chapters' / f'{name}.ipynb'
        path.write_text(json.dumps(notebook_json(*cells)))
        self.pages.append(f'chapters/{name}')
        self.write_toc()
        return path

    def write_toc(self, extra=()):
        lines = ['format: jb-book', f'root: {self.pages[0]}', 'chapters:']
        lines += [f'  - file: {page}' for page in [*self.pages[1:], *extra]]
        (self.root / '_toc.yml').write_text('\n'.join(lines) + '\n')

    @property
    def package(self):
        return self.root / 'd2lsave' / '__init__.py'


@pytest.fixture
def book(tmp_path):
    return Book(tmp_path)


@pytest.fixture(scope='module')
def browser():
    """Headless Chromium for the page tests (test_browser.py, test_accessibility.py)."""
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, FLAGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f'{CHROMIUM} is missing: apt-get install -y chromium')
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()
