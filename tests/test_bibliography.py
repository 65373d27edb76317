"""Citations in the built book link to entries of the references page."""

import re

import extract_saved
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT

HTML = ROOT / '_build' / 'html'
REFERENCES = HTML / 'chapters' / 'references.html'
# A citation left as plain text, such as "(Bottou, 2010)" or "Vapnik (1998)".
PLAIN_CITATION = re.compile(
    r'\([A-Z][\w-]+(?: et al\.| and [A-Z][\w-]+)?, (1[6-9]|20)\d\d\)'
    r'|[A-Z][\w-]+ \((1[6-9]|20)\d\d\)'
)


def soup(path):
    if not path.exists():
        pytest.fail(f'{path} is missing: build the book first (make book)')
    return BeautifulSoup(path.read_text(encoding='utf-8'), 'html.parser')


def entry_ids():
    return {tag['id'] for tag in soup(REFERENCES).select('article [id]')}


def citations(page):
    """The targets of the page's links into the references page."""
    return [a['href'].split('#', 1)[1] for a in page.select('article a[href*="references.html#"]')]


@pytest.mark.parametrize('source', extract_saved.toc_files(ROOT), ids=lambda p: p.stem)
def test_every_citation_links_to_a_reference(source):
    page = soup(HTML / source.relative_to(ROOT).with_suffix('.html'))
    ids = entry_ids()
    for target in citations(page):
        assert target in ids, f'citation to #{target}, which the references page lacks'
    prose = ' '.join(p.get_text(' ') for p in page.select('article p'))
    assert '{cite' not in prose
    assert not PLAIN_CITATION.search(prose), (
        f'plain-text citation: {PLAIN_CITATION.search(prose).group(0)}'
    )


def test_the_book_cites_every_reference_it_lists():
    cited = set()
    for source in extract_saved.toc_files(ROOT):
        cited.update(citations(soup(HTML / source.relative_to(ROOT).with_suffix('.html'))))
    listed = soup(REFERENCES).select('article div.citation')
    assert len(listed) >= 20
    assert cited <= entry_ids()
