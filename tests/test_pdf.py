"""The PDF of the whole book (make pdf): every section, typeset math, sane length."""

import re
import unicodedata

import extract_saved
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT

PDF = ROOT / '_build' / 'book.pdf'
HTML = ROOT / '_build' / 'html'
# TeX that must never reach the reader: it would mean an untypeset formula.
RAW_TEX = re.compile(r'\\\(|\\\)|\\\[|\\\]|\$\$|\\(?:mathbf|frac|begin|mathrm|top|left|right)\b')


def stale():
    """True when the PDF is missing or older than the built HTML book."""
    index = HTML / 'chapters' / 'index.html'
    if not index.exists():
        pytest.fail(f'{index} is missing: build the book first (make book)')
    return not PDF.exists() or PDF.stat().st_mtime < index.stat().st_mtime


@pytest.fixture(scope='module')
def pages():
    import pypdf

    if stale():
        import build_pdf

        build_pdf.build_pdf(PDF)
    # NFKC: the PDF's ligatures (the 'fi' of 'first') become plain letters.
    return [
        ' '.join(unicodedata.normalize('NFKC', page.extract_text()).split())
        for page in pypdf.PdfReader(PDF).pages
    ]


def titles():
    """The numbered title of every page of the book, as the HTML shows it."""
    for source in extract_saved.toc_files(ROOT):
        html = HTML / source.relative_to(ROOT).with_suffix('.html')
        heading = BeautifulSoup(html.read_text(encoding='utf-8'), 'html.parser').select_one(
            'article h1'
        )
        heading.find('a', class_='headerlink').decompose()
        yield ' '.join(heading.get_text().split())


def test_every_section_title_is_in_the_pdf_in_order(pages):
    text = ' '.join(pages)
    position = 0
    for title in titles():
        found = text.find(title, position)
        assert found >= 0, f'{title!r} is missing from the PDF (or out of order)'
        position = found + len(title)


def test_no_raw_tex_in_the_pdf(pages):
    for number, text in enumerate(pages, start=1):
        # Code listings may hold TeX in Matplotlib labels; prose and formulas may not.
        prose = re.sub(r"r?'[^']*'", '', text)
        assert not RAW_TEX.search(prose), f'page {number}: {RAW_TEX.search(prose).group(0)}'


def test_page_count_is_sane(pages):
    chapters = len(list(extract_saved.toc_files(ROOT)))
    assert 4 * chapters <= len(pages) <= 60 * chapters


def test_pages_are_numbered(pages):
    total = len(pages)
    for number in (1, total // 2, total):
        assert f'{number} / {total}' in pages[number - 1]


def test_solutions_and_references_are_printed(pages):
    text = ' '.join(pages)
    assert 'Solution to' in text
    assert 'Russell' in text and 'Artificial Intelligence' in text
