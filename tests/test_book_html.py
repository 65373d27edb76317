"""The built HTML book (make book) shows every section with its numbers."""

import re

import extract_saved
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT

HTML = ROOT / '_build' / 'html'
CHAPTERS = [p for p in extract_saved.toc_files(ROOT) if p.stem[:2] == '3_']


def page(path):
    html = HTML / path.relative_to(ROOT).with_suffix('.html')
    if not html.exists():
        pytest.fail(f'{html} is missing: build the book first (make book)')
    return BeautifulSoup(html.read_text(), 'html.parser')


def section_number(path):
    """'3_4_linear_regression_scratch' -> '3.4'."""
    return '.'.join(path.stem.split('_')[:2])


@pytest.mark.parametrize('path', CHAPTERS, ids=lambda p: p.stem)
def test_section_title_and_headings_carry_the_chapter_number(path):
    soup, number = page(path), section_number(path)
    title = soup.select_one('article h1')
    assert title.find(class_='section-number').text.strip() == f'{number}.'
    headings = soup.select('article h2')
    assert headings
    for heading in headings:
        assert heading.find(class_='section-number').text.startswith(f'{number}.')


@pytest.mark.parametrize('path', CHAPTERS, ids=lambda p: p.stem)
def test_figures_equations_and_references_are_numbered_by_section(path):
    soup, number = page(path), section_number(path)
    for caption in soup.select('figcaption .caption-number'):
        assert re.fullmatch(rf'Fig\. {re.escape(number)}\.\d+ ', caption.text)
    for equation in soup.select('span.eqno'):
        assert re.match(rf'\({re.escape(number)}\.\d+\)', equation.text)
    for reference in soup.select('span.std-numref'):
        assert re.fullmatch(r'(Fig\.|Section|Exercise) 3\.\d(\.\d+)*', reference.text)
    text = soup.get_text()
    assert '{numref}' not in text and '{eq}' not in text and '$$' not in text


@pytest.mark.parametrize('path', CHAPTERS, ids=lambda p: p.stem)
def test_code_outputs_and_collapsed_solutions_are_rendered(path):
    soup = page(path)
    assert soup.select('div.cell div.cell_input') and soup.select('div.cell_output')
    solutions = soup.select('div.solution')
    assert solutions and all('dropdown' in s['class'] for s in solutions)
    assert len(soup.select('div.exercise')) == len(solutions)


def test_api_reference_documents_merged_methods():
    soup = BeautifulSoup((HTML / 'chapters' / 'api.html').read_text(), 'html.parser')
    ids = {tag['id'] for tag in soup.select('dt[id]')}
    for name in (
        'd2lsave.Trainer',
        'd2lsave.Trainer.fit_epoch',
        'd2lsave.Module.training_step',
        'd2lsave.SyntheticRegressionData',
        'd2lsave.DataModule.get_tensorloader',
    ):
        assert name in ids
