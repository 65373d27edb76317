"""Property: any book of saved functions, classes and add_to_class methods
extracts to a package that imports, exposes exactly the saved names, behaves
like the latest definitions, and regenerates byte for byte."""

import json
import tempfile
from pathlib import Path

import extract_saved
from conftest import Book, notebook_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_extractor import load

NAMES = st.sampled_from(['alpha', 'beta', 'gamma', 'delta'])
CLASSES = st.sampled_from(['Model', 'Data', 'Board'])
VALUES = st.integers(min_value=0, max_value=99)

definitions = st.one_of(
    st.tuples(st.just('function'), NAMES, VALUES),
    st.tuples(st.just('class'), CLASSES, VALUES),
    st.tuples(st.just('method'), CLASSES, NAMES, VALUES),
)


def cell_source(item):
    kind = item[0]
    if kind == 'function':
        _, name, value = item
        return f'def {name}():  #@save\n    """Return {value}."""\n    return {value}\n\n\n{name}()'
    if kind == 'class':
        _, name, value = item
        return f'class {name}:  #@save\n    """A class."""\n\n    def version(self):\n        return {value}'
    _, cls, name, value = item
    return f'@d2l.add_to_class(d2l.{cls})  #@save\ndef {name}(self):\n    return {value}'


def expected_behaviour(items):
    """What the package must do: latest definition of every function and method."""
    functions, classes = {}, {}
    for item in items:
        if item[0] == 'function':
            functions[item[1]] = item[2]
        elif item[0] == 'class':
            classes[item[1]] = {'version': item[2]}
        elif item[1] in classes:
            classes[item[1]][item[2]] = item[3]
    return functions, classes


def saved_items(items):
    """Drop methods added to classes that do not exist yet (the extractor rejects them)."""
    defined, kept = set(), []
    for item in items:
        if item[0] == 'class':
            defined.add(item[1])
        if item[0] != 'method' or item[1] in defined:
            kept.append(item)
    return kept


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(definitions, min_size=1, max_size=12), st.integers(min_value=1, max_value=3))
def test_random_books_extract_to_a_faithful_package(items, notebooks):
    items = saved_items(items)
    if not items:
        return
    with tempfile.TemporaryDirectory() as folder:
        book = Book(Path(folder))
        per_notebook = max(1, len(items) // notebooks)
        chunks = [items[i : i + per_notebook] for i in range(0, len(items), per_notebook)]
        for number, chunk in enumerate(chunks):
            book.add(f'n{number}', 'import d2lsave as d2l', *map(cell_source, chunk))
        assert extract_saved.main(['--root', folder]) == 0
        first = book.package.read_bytes()
        assert extract_saved.main(['--root', folder]) == 0
        assert book.package.read_bytes() == first

        module = load(book.package, f'pkg_property_{abs(hash(json.dumps(items)))}')
        functions, classes = expected_behaviour(items)
        assert sorted(module.__all__) == sorted([*functions, *classes])
        for name, value in functions.items():
            assert getattr(module, name)() == value
        for name, methods in classes.items():
            instance = getattr(module, name)()
            for method, value in methods.items():
                assert getattr(instance, method)() == value
            source = book.package.read_text()
            assert source.count(f'class {name}:') == 1


def test_a_notebook_with_only_unsaved_cells_contributes_nothing(book):
    book.add('a', 'x = 1', 'print(x)')
    book.add('b', 'def kept():  #@save\n    return 1')
    assert extract_saved.main(['--root', str(book.root)]) == 0
    assert load(book.package, 'pkg_unsaved').__all__ == ['kept']
    assert json.loads((book.root / 'chapters' / 'a.ipynb').read_text()) == notebook_json(
        'x = 1', 'print(x)'
    )
