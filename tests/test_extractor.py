"""tools/extract_saved.py on small notebooks built in each test."""

import importlib.util
import inspect
import json
import subprocess
import sys

import extract_saved
import pytest

from conftest import ROOT


def extract(book, *args):
    return extract_saved.main(['--root', str(book.root), *args])


def load(path, name):
    """Import a generated package file as a fresh module."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so that inspect can find the source
    spec.loader.exec_module(module)
    return module


def test_saves_only_marked_definitions(book):
    book.add(
        'a',
        'def double(x):  #@save\n    """Twice x."""\n    return 2 * x\n\n\nprint(double(2))',
        'def unsaved():\n    return 0',
    )
    assert extract(book) == 0
    text = book.package.read_text()
    assert 'def double(x):' in text and 'print(' not in text and 'unsaved' not in text
    body = text.split('"""', 1)[1]  # past the banner, which names the marker
    assert '#@save' not in body and '# @save' not in body
    assert load(book.package, 'pkg_marked').double(21) == 42


def test_whole_cell_save_keeps_imports_and_constants(book):
    book.add(
        'a',
        '#@save\nimport math\n\nTAU = 2 * 3.14159\n\n\ndef circumference(r):\n    return math.pi * 2 * r',
    )
    assert extract(book) == 0
    module = load(book.package, 'pkg_whole')
    assert module.TAU == pytest.approx(6.28318)
    assert module.circumference(1) == pytest.approx(6.283185307)
    assert module.__all__ == ['TAU', 'circumference']


def test_add_to_class_merges_methods_into_the_class_body(book):
    book.add(
        'a',
        'import d2lsave as d2l',
        'class Counter:  #@save\n    """Counts."""\n\n    def __init__(self):\n        self.n = 0',
    )
    book.add(
        'b',
        'import d2lsave as d2l',
        '@d2l.add_to_class(d2l.Counter)  #@save\ndef bump(self, by=1):\n    self.n += by\n    return self',
    )
    assert extract(book) == 0
    module = load(book.package, 'pkg_merge')
    assert module.Counter().bump().bump(2).n == 3
    source = inspect.getsource(module.Counter)
    assert 'def bump(self, by=1):' in source
    assert '# From chapters/b.ipynb' in source
    assert 'add_to_class' not in book.package.read_text()


def test_a_method_saved_again_replaces_the_earlier_one_in_place(book):
    book.add(
        'a',
        'class Model:  #@save\n    def first(self):\n        return 1\n\n    def second(self):\n        return 2',
    )
    book.add(
        'b',
        'import d2lsave as d2l',
        '@d2l.add_to_class(d2l.Model)  #@save\ndef first(self):\n    return 10',
    )
    assert extract(book) == 0
    text = book.package.read_text()
    assert text.count('def first') == 1
    assert text.index('def first') < text.index('def second')
    assert load(book.package, 'pkg_replace').Model().first() == 10


def test_a_function_saved_again_replaces_the_earlier_one_in_place(book):
    book.add('a', 'def f():  #@save\n    return 1', 'def g():  #@save\n    return f()')
    book.add('b', 'def f():  #@save\n    return 5')
    assert extract(book) == 0
    text = book.package.read_text()
    assert text.count('def f()') == 1 and text.index('def f()') < text.index('def g()')
    assert load(book.package, 'pkg_func').g() == 5


def test_imports_are_carried_over_when_used_and_dropped_otherwise(book):
    book.add(
        'a',
        'import math\nimport random\nfrom collections import OrderedDict\n\nimport d2lsave as d2l',
        'def root(x):  #@save\n    return math.sqrt(x)',
        'def ordered():  #@save\n    from collections import OrderedDict\n    return OrderedDict()',
    )
    assert extract(book) == 0
    text = book.package.read_text()
    assert 'import math' in text
    assert 'import random' not in text and 'import d2lsave' not in text
    assert 'from collections import OrderedDict' not in text.split('__version__')[0]


def test_library_prefix_is_stripped(book):
    book.add('a', 'def one():  #@save\n    return 1')
    book.add('b', 'import d2lsave as d2l', 'def two():  #@save\n    return d2l.one() + d2l.one()')
    assert extract(book) == 0
    assert 'return one() + one()' in book.package.read_text()
    assert load(book.package, 'pkg_prefix').two() == 2


def test_banner_version_all_and_provenance(book):
    book.add('a', 'def public():  #@save\n    return 1', 'def _helper():  #@save\n    return 2')
    assert extract(book) == 0
    text = book.package.read_text()
    assert text.startswith('# DO NOT EDIT')
    assert "__version__ = '9.9'" in text
    assert '# %% chapters/a.ipynb' in text
    module = load(book.package, 'pkg_banner')
    assert module.__all__ == ['public'] and module._helper() == 2


def test_output_is_byte_identical_and_lint_clean(book, tmp_path):
    book.add('a', 'import math', 'def area(r):  #@save\n    return math.pi * r ** 2')
    assert extract(book) == 0
    first = book.package.read_bytes()
    assert extract(book) == 0
    assert book.package.read_bytes() == first
    assert extract(book, '--check') == 0
    assert ruff('check', book.package).returncode == 0
    # The repository's own settings leave the package as the extractor wrote it.
    settings = ('--config', str(ROOT / 'pyproject.toml'))
    assert ruff('format', '--check', *settings, book.package).returncode == 0


def ruff(*args, cwd=None):
    command = [sys.executable, '-m', 'ruff', *args[:1], '--no-cache', *map(str, args[1:])]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


def test_the_committed_package_agrees_with_the_repository_formatter():
    result = ruff('format', '--check', 'd2lsave', 'tools/extract_saved.py', cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_book_with_its_own_formatter_settings_is_formatted_with_them(book):
    with (book.root / 'pyproject.toml').open('a') as stream:
        stream.write('\n[tool.ruff.format]\nquote-style = "double"\n')
    book.add('a', "def f():  #@save\n    return 'text'")
    assert extract(book) == 0
    assert 'return "text"' in book.package.read_text()


def test_check_prints_a_diff_when_the_package_is_stale(book, capsys):
    path = book.add('a', 'def f():  #@save\n    return 1')
    assert extract(book) == 0
    committed = book.package.read_text()
    path.write_text(path.read_text().replace('return 1', 'return 2'))
    capsys.readouterr()
    assert extract(book, '--check') == 1
    out = capsys.readouterr().out
    assert '-    return 1' in out and '+    return 2' in out
    assert book.package.read_text() == committed


BAD_INPUTS = {
    'invalid JSON': ('{"cells": [', 'chapters/bad.ipynb', 'not a readable notebook'),
    'syntax error': (['def broken(:  #@save\n    pass'], 'cell 1', 'syntax error'),
    'unknown class': (
        ['import d2lsave as d2l', '@d2l.add_to_class(d2l.Missing)  #@save\ndef m(self):\n    pass'],
        'cell 2',
        'add_to_class(Missing)',
    ),
    'statement in a whole saved cell': (
        ['#@save\ndef f():\n    pass\n\n\nprint(f())'],
        'cell 1, line 6',
        'would run when d2lsave is imported',
    ),
    'marker on a statement': (['x = compute()  #@save'], 'cell 1, line 1', 'would run'),
    'marker opening a body': (['def f():\n    #@save\n    return 1'], 'cell 1, line 2', 'must end'),
    'marker inside a body': (
        ['def f():\n    return 1  #@save'],
        'cell 1, line 2',
        'must end a def',
    ),
    'magic in a saved cell': (
        ['%matplotlib inline\ndef f():  #@save\n    pass'],
        'cell 1, line 1',
        'IPython syntax',
    ),
    'undefined name': (['def f():  #@save\n    return numpy.zeros(3)'], None, 'numpy'),
}


@pytest.mark.parametrize('case', BAD_INPUTS)
def test_bad_input_exits_2_naming_the_place_and_keeps_the_package(book, capsys, case):
    book.add('good', 'def ok():  #@save\n    return 1')
    assert extract(book) == 0
    before = book.package.read_bytes()
    content, where, message = BAD_INPUTS[case]
    path = book.add('bad')
    if isinstance(content, str):
        path.write_text(content)
    else:
        from conftest import notebook_json

        path.write_text(json.dumps(notebook_json(*content)))
    capsys.readouterr()
    assert extract(book) == 2
    error = capsys.readouterr().err
    assert message in error
    if where is not None:
        assert 'chapters/bad.ipynb' in error and where in error
    assert book.package.read_bytes() == before


def test_missing_page_in_the_toc_is_an_error(book, capsys):
    book.add('a', 'def f():  #@save\n    return 1')
    book.write_toc(extra=['chapters/ghost'])
    assert extract(book) == 2
    assert "'chapters/ghost' is listed but no such page exists" in capsys.readouterr().err


def test_refuses_to_overwrite_a_hand_edited_package(book, capsys):
    book.add('a', 'def f():  #@save\n    return 1')
    assert extract(book) == 0
    edited = book.package.read_text().replace('return 1', 'return 3')
    book.package.write_text(edited)
    assert extract(book) == 2
    assert 'was edited by hand' in capsys.readouterr().err
    assert book.package.read_text() == edited
    assert extract(book, '--force') == 0
    assert 'return 1' in book.package.read_text()
