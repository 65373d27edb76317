"""Byte budgets: what each built page transfers before the reader does anything.

Counted from the built HTML, deterministically: the page itself, the stylesheets,
scripts and preloads it references, its images that load eagerly (not
loading="lazy"), and the web fonts its stylesheets declare for icon styles the
page uses (every other font they declare counts too), each gzip-compressed as a
static host serves it. Lighthouse (bench/pages.py) measures the same pages with
timings; these budgets keep the weight from creeping back.
"""

import gzip
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import extract_saved
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT

HTML = ROOT / '_build' / 'html'
PAGES = extract_saved.toc_files(ROOT)
KB = 1024
# Budgets from the pages as built: section pages 190-230 KB with 73 KB of JavaScript,
# the slider pages of 3.1, 3.6 and 3.7 290-310 KB with 94 KB once no page loads the
# 3.5 MB widget manager; the other pages about 170 KB.
TOTAL_BUDGET = {'section': 400 * KB, 'other': 200 * KB}
SCRIPT_BUDGET = {'section': 150 * KB, 'other': 100 * KB}
# Stylesheets block the first paint: 32 KB on every page once PurgeCSS has cut the theme's
# CSS to the rules the pages use (it was 87 KB of theme CSS before).
STYLE_BUDGET = 45 * KB
FONT_URL = re.compile(r'url\(["\']?([^"\')]+\.woff2)[^)]*\)')
# Font Awesome files and the classes that draw with them.
ICON_FONTS = {
    'fa-solid-900': ('fa-solid', 'fas'),
    'fa-regular-400': ('fa-regular', 'far'),
    'fa-brands-400': ('fa-brands', 'fab'),
}


@lru_cache(maxsize=None)
def compressed_size(path):
    """Bytes of path after gzip (level 6, what static hosts typically use)."""
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def local_file(page, reference):
    """The file a page's reference points to, or None for data: and remote URLs."""
    if not reference or reference.startswith(('data:', 'http:', 'https:', '//')):
        return None
    path = urlsplit(urldefrag(reference).url).path
    target = (page.parent / path).resolve()
    return target if target.is_file() else None


def eager_resources(page):
    """{file: kind} of what the page loads before any interaction."""
    soup = BeautifulSoup(page.read_text(encoding='utf-8'), 'html.parser')
    found = {}
    for script in soup.find_all('script', src=True):
        found[local_file(page, script['src'])] = 'script'
    for link in soup.find_all('link', href=True):
        rel = link.get('rel', [])
        if 'stylesheet' in rel:
            found[local_file(page, link['href'])] = 'style'
        elif 'preload' in rel:
            found[local_file(page, link['href'])] = (
                'script' if link.get('as') == 'script' else 'other'
            )
    for image in soup.find_all('img', src=True):
        if image.get('loading') != 'lazy':
            found[local_file(page, image['src'])] = 'image'
    classes = {name for tag in soup.find_all(class_=True) for name in tag['class']}
    for stylesheet in [path for path, kind in found.items() if kind == 'style' and path]:
        for reference in FONT_URL.findall(stylesheet.read_text(encoding='utf-8')):
            font = local_file(stylesheet, reference)
            users = ICON_FONTS.get(Path(reference).stem.split('?')[0])
            if font and (users is None or classes.intersection(users)):
                found[font] = 'font'
    found.pop(None, None)
    return found


def page_weight(page):
    """(all, JavaScript, stylesheet) bytes the page transfers before interaction, compressed."""
    resources = eager_resources(page)
    total = compressed_size(page) + sum(compressed_size(path) for path in resources)
    script, style = (
        sum(compressed_size(path) for path, kind in resources.items() if kind == wanted)
        for wanted in ('script', 'style')
    )
    return total, script, style


def built(source):
    page = HTML / source.relative_to(ROOT).with_suffix('.html')
    if not page.exists():
        pytest.fail(f'{page} is missing: build the book first (make book)')
    return page


def kind(source):
    return 'section' if source.stem[:2] == '3_' else 'other'


@pytest.mark.parametrize('source', PAGES, ids=lambda p: p.stem)
def test_page_transfers_little_before_interaction(source):
    total, script, style = page_weight(built(source))
    assert total <= TOTAL_BUDGET[kind(source)], f'{total / KB:.0f} KB in all'
    assert script <= SCRIPT_BUDGET[kind(source)], f'{script / KB:.0f} KB of JavaScript'
    assert style <= STYLE_BUDGET, f'{style / KB:.0f} KB of stylesheets'


def test_weight_counts_what_a_page_loads(tmp_path):
    """The counting itself: eager script, stylesheet, its font; not a lazy image."""
    (tmp_path / 'app.js').write_text('x' * 5000)
    (tmp_path / 'fa-solid-900.woff2').write_bytes(bytes(range(256)) * 8)
    (tmp_path / 'fa-brands-400.woff2').write_bytes(bytes(range(256)) * 8)
    (tmp_path / 'style.css').write_text(
        '@font-face{src:url(fa-solid-900.woff2)}@font-face{src:url("fa-brands-400.woff2")}'
    )
    (tmp_path / 'lazy.png').write_bytes(bytes(range(256)) * 40)
    page = tmp_path / 'page.html'
    page.write_text(
        '<html><head><link rel="stylesheet" href="style.css?v=1">'
        '<script src="app.js"></script></head><body><i class="fa-solid"></i>'
        '<img loading="lazy" src="lazy.png"></body></html>'
    )
    assert eager_resources(page) == {
        tmp_path / 'app.js': 'script',
        tmp_path / 'style.css': 'style',
        tmp_path / 'fa-solid-900.woff2': 'font',
    }
    total, script, style = page_weight(page)
    assert script == compressed_size(tmp_path / 'app.js')
    assert style == compressed_size(tmp_path / 'style.css')
    assert total == sum(
        compressed_size(p)
        for p in (
            page,
            tmp_path / 'app.js',
            tmp_path / 'style.css',
            tmp_path / 'fa-solid-900.woff2',
        )
    )
