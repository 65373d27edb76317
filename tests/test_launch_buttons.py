"""Launch buttons: one setting, BOOK_REPOSITORY_URL, turns on Colab and repository links.

A build with an example address (into a temporary folder) must link every
notebook page to Colab at chapters/<notebook>.ipynb of that repository, and
show the repository and issue buttons; a build without the setting shows none
of them. The book in _build/html is checked against the setting it was built
with (none locally; the Pages workflow passes its own repository).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / '_ext'))
import launch_buttons  # noqa: E402

EXAMPLE = 'https://github.com/example-org/example-book'
COLAB = 'https://colab.research.google.com/github/'
NOTEBOOKS = sorted(path.stem for path in (ROOT / 'chapters').glob('*.ipynb'))
PAGES = ['index', 'api', *NOTEBOOKS]


def links(html_folder, page):
    """The links of the buttons above the page's article."""
    soup = BeautifulSoup(
        (html_folder / 'chapters' / f'{page}.html').read_text(encoding='utf-8'), 'html.parser'
    )
    [header] = soup.select('.article-header-buttons')
    return [a['href'] for a in header.find_all('a', href=True)]


def external_buttons(hrefs):
    """The buttons that leave the book: launch and repository buttons."""
    return [href for href in hrefs if href.startswith(('http://', 'https://'))]


@pytest.fixture(scope='module')
def example_build(tmp_path_factory):
    """The book built with the example address, into a temporary folder."""
    out = tmp_path_factory.mktemp('book-with-address')
    env = {**os.environ, 'BOOK_REPOSITORY_URL': EXAMPLE, 'BOOK_REPOSITORY_BRANCH': 'main'}
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / 'jupyter-book'),
            'build',
            str(ROOT),
            '--builder',
            'html',
            '--path-output',
            str(out),
            '-W',
            '--keep-going',
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / '_build' / 'html'


@pytest.mark.parametrize('notebook', NOTEBOOKS)
def test_notebook_pages_open_in_colab_from_the_repository(example_build, notebook):
    hrefs = links(example_build, notebook)
    colab = [href for href in hrefs if href.startswith(COLAB)]
    assert colab == [f'{COLAB}example-org/example-book/blob/main/chapters/{notebook}.ipynb']
    assert EXAMPLE in hrefs, 'repository button'
    assert any(href.startswith(f'{EXAMPLE}/issues/new') for href in hrefs), 'issue button'
    assert all(href.startswith((EXAMPLE, COLAB)) for href in external_buttons(hrefs)), (
        external_buttons(hrefs)
    )


@pytest.mark.parametrize('page', ['index', 'api'])
def test_pages_without_a_notebook_have_no_colab_button(example_build, page):
    path = example_build / 'chapters' / f'{page}.html'
    if not path.exists():
        pytest.skip(f'the book has no page {page}')
    assert not [href for href in links(example_build, page) if href.startswith(COLAB)]


def test_without_the_setting_the_theme_gets_no_buttons(monkeypatch):
    monkeypatch.delenv('BOOK_REPOSITORY_URL', raising=False)
    config = type('Config', (), {})()
    config.html_theme_options = {
        'repository_url': 'https://github.com/executablebooks/jupyter-book',
        'launch_buttons': {'notebook_interface': 'jupyterlab'},
    }
    launch_buttons._configure(None, config)
    options = config.html_theme_options
    assert options['repository_url'] == ''
    assert not any(
        options[key]
        for key in ('use_repository_button', 'use_issues_button', 'use_edit_page_button')
    )
    assert not any(
        options['launch_buttons'][key]
        for key in ('colab_url', 'binderhub_url', 'jupyterhub_url', 'deepnote_url', 'thebe')
    )


def test_an_address_that_colab_cannot_open_is_refused():
    with pytest.raises(Exception, match='BOOK_REPOSITORY_URL'):
        launch_buttons.repository_options('https://example.org/not-github', 'main')


@pytest.mark.parametrize('page', PAGES)
def test_the_built_book_has_the_buttons_of_its_setting(page):
    """_build/html (make book) has buttons exactly when BOOK_REPOSITORY_URL was set."""
    html = ROOT / '_build' / 'html'
    if not (html / 'chapters' / f'{page}.html').exists():
        pytest.fail('_build/html is missing or incomplete: run `make book` first')
    address = os.environ.get('BOOK_REPOSITORY_URL', '').rstrip('/')
    buttons = external_buttons(links(html, page))
    if not address:
        assert buttons == [], f'a local build must show no launch or repository buttons: {buttons}'
    else:
        assert buttons and all(href.startswith((address, COLAB)) for href in buttons), buttons
