"""Property: for generated books of saved functions, classes, add_to_class methods
and redefinitions, the extracted package behaves like the notebooks' cells run in
order, or the extractor refuses the book for a reason the book really has.

The many examples run the extractor in-process on the generated module text; a few
go through the command line (ruff, the import in a fresh interpreter, the files)."""

import json
import types

import extract_saved
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from test_extractor import load

from conftest import Book, notebook_json

FUNCTIONS = ['alpha', 'beta', 'gamma']
CLASSES = ['Model', 'Data', 'Board']
METHODS = ['run', 'size', 'area']
VALUES = st.integers(min_value=0, max_value=99)
DECORATORS = st.sampled_from([None, 'property', 'staticmethod'])


def draw_function(draw):
    index = draw(st.integers(0, len(FUNCTIONS) - 1))
    callee = draw(st.integers(0, len(FUNCTIONS) - 1))  # only earlier names: no cycles
    return {
        'kind': 'function',
        'name': FUNCTIONS[index],
        'value': draw(VALUES),
        'callee': FUNCTIONS[callee] if callee < index else None,
        'prefix': draw(st.booleans()),  # `d2l.beta()` or `beta()`
        'comment': draw(st.booleans()),
        'whole': draw(st.booleans()),  # `#@save` alone on the first line
    }


def draw_class(draw, classes):
    members = st.tuples(st.sampled_from(METHODS), VALUES, DECORATORS)
    members = draw(st.lists(members, max_size=3, unique_by=lambda m: m[0]))
    return {
        'kind': 'class',
        'name': draw(st.sampled_from(CLASSES)),
        'base': draw(st.sampled_from([None, *classes])),
        'docstring': draw(st.booleans()),
        'methods': {method: (value, decorator) for method, value, decorator in members},
    }


def draw_method(draw, classes):
    return {
        'kind': 'method',
        'target': draw(st.sampled_from(classes)),
        'name': draw(st.sampled_from(METHODS)),
        'value': draw(VALUES),
        'comment': draw(st.booleans()),
    }


@st.composite
def books(draw):
    """A list of saved definitions, each a cell, and how many notebooks hold them.
    Bases and add_to_class targets are classes saved earlier, as in a book that runs."""
    items, classes = [], []
    for _ in range(draw(st.integers(min_value=3, max_value=14))):
        kinds = ['function', 'class', 'method', 'method'] if classes else ['function', 'class']
        kind = draw(st.sampled_from(kinds))
        if kind == 'function':
            items.append(draw_function(draw))
        elif kind == 'class':
            items.append(draw_class(draw, classes))
            classes.append(items[-1]['name'])
        else:
            items.append(draw_method(draw, classes))
    return items, draw(st.integers(min_value=1, max_value=3))


def cell_source(item):
    """The notebook cell that saves one generated definition."""
    if item['kind'] == 'function':
        callee = item['callee']
        call = f' + {"d2l." if item["prefix"] else ""}{callee}()' if callee else ''
        lines = [
            f'def {item["name"]}():',
            f'    """Return {item["value"]}."""',
            f'    return {item["value"]}{call}',
        ]
        if item['whole']:
            return '\n'.join(['#@save', '# Whole cell.', *lines])
        lines[0] += '  #@save'
        comment = ['x = 0', '', '# A comment.'] if item['comment'] else []
        return '\n'.join(comment + lines + ['', '', 'x = 1'])
    if item['kind'] == 'class':
        base = f'(d2l.{item["base"]})' if item['base'] else ''
        lines = [f'class {item["name"]}{base}:  #@save']
        lines += ['    """A class."""', ''] if item['docstring'] else []
        for method, (value, decorator) in item['methods'].items():
            lines += [f'    @{decorator}'] if decorator else []
            receiver = '' if decorator == 'staticmethod' else 'self'
            lines += [f'    def {method}({receiver}):', f'        return {value}', '']
        return '\n'.join(lines + (['    pass'] if not item['methods'] else []))
    comment = ['x = 0', '# Added later.'] if item['comment'] else []
    return '\n'.join(
        comment
        + [
            f'@d2l.add_to_class(d2l.{item["target"]})  #@save',
            f'def {item["name"]}(self):',
            f'    return {item["value"]}',
        ]
    )


def run_in_order(items):
    """Run the cells as a kernel would; keep those that run (the others would not be
    in a book) and return them with the resulting namespace."""

    class Library:  # `d2l` while the book is being written: its own namespace
        def __getattr__(self, name):
            return namespace[name]

    def add_to_class(cls):
        def register(function):
            setattr(cls, function.__name__, function)

        return register

    namespace = {'d2l': Library(), 'add_to_class': add_to_class}
    kept = []
    for item in items:
        try:
            exec(cell_source(item), namespace)
        except (KeyError, NameError):  # a class used before it exists
            continue
        kept.append(item)
    return kept, namespace


def expected_refusals(items):
    """Names that the extractor's refusal must mention: classes saved again without
    methods that add_to_class gave the earlier definition, derived from an earlier
    definition or from their own earlier definition; functions that no cell saves."""
    saved_at, bases, added = {}, {}, {}
    dropped, outdated, selfish = {}, [], set()
    for time, item in enumerate(items):
        if item['kind'] == 'method':
            added.setdefault(item['target'], set()).add(item['name'])
            dropped.pop((item['target'], item['name']), None)
            continue
        name = item['name']
        if item['kind'] == 'class':
            body = set(item['methods'])
            for method in list(dropped):
                if method[0] == name and method[1] in body:
                    del dropped[method]
            if name in saved_at:
                if item['base'] == name:
                    selfish.add(name)
                dropped.update({(name, m): time for m in added.get(name, set()) - body})
                outdated += [
                    (other, saved_at[other])
                    for other, base in bases.items()
                    if base == name and saved_at[other] > saved_at[name]
                ]
            bases[name] = item['base']
            added[name] = set()
        saved_at[name] = time
    stale = {other for other, time in outdated if saved_at[other] == time}
    # A function that calls one no cell saves (the package would not define it).
    final = {item['name']: item for item in items if item['kind'] == 'function'}
    undefined = {
        item['callee'] for item in final.values() if item['callee'] not in (None, *saved_at)
    }
    return {name for name, _ in dropped} | stale | selfish | undefined


def extracted_module(items, notebooks):
    """Extract the book in-process and exec the package's text as a module."""
    per_notebook = max(1, -(-len(items) // notebooks))
    pages = []
    for start in range(0, len(items), per_notebook):
        label = f'chapters/n{start}.ipynb'
        cells = [extract_saved.Cell(label, 1, 'import d2lsave as d2l')]
        for number, item in enumerate(items[start : start + per_notebook], start=2):
            cells.append(extract_saved.Cell(label, number, cell_source(item)))
        pages.append(cells)
    library = extract_saved.collect_notebooks(pages)
    text = extract_saved.render(library, '0.0')
    module = types.ModuleType('generated')
    exec(compile(text, 'generated', 'exec'), module.__dict__)
    return module


def outcome(get):
    """What reading an attribute gives: a call's result, a value, or an error's type."""
    try:
        value = get()
        return ('call', value()) if callable(value) else ('value', value)
    except Exception as err:  # both sides must fail alike
        return type(err).__name__


def behaviour(namespace, items):
    """What the saved names do: return values, methods, properties and bases."""
    saved = {item['name'] for item in items if item['kind'] != 'method'}
    seen = {}
    for name in sorted(saved):
        value = namespace[name]
        if isinstance(value, type):
            instance = value()
            seen[name] = (
                [cls.__name__ for cls in value.__mro__],
                {m: outcome(lambda i=instance, m=m: getattr(i, m)) for m in METHODS},
            )
        else:
            seen[name] = outcome(lambda value=value: value)
    return seen


def assert_faithful(items, notebooks, extract):
    items, namespace = run_in_order(items)
    if not items:
        return
    refused = expected_refusals(items)
    if refused:
        with pytest.raises(extract_saved.ExtractError) as refusal:
            extract(items, notebooks)
        assert any(name in str(refusal.value) for name in refused), refusal.value
        return
    module = extract(items, notebooks)
    saved = {item['name'] for item in items if item['kind'] != 'method'}
    assert sorted(module.__all__) == sorted(saved)
    assert behaviour(vars(module), items) == behaviour(namespace, items)


PROPERTY = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def klass(name, base=None, docstring=False, **methods):
    return {'kind': 'class', 'name': name, 'base': base, 'docstring': docstring, 'methods': methods}


def method(target, name, value):
    return {'kind': 'method', 'target': target, 'name': name, 'value': value, 'comment': False}


# The faults of issue 15, as books: a first method's decorator left in the class
# header; a class saved again on a later base; a class saved again dropping methods.
KNOWN = [
    [klass('Model', run=(1, 'property'), size=(2, None)), method('Model', 'run', 3)],
    [klass('Model'), klass('Data'), klass('Model', 'Data', area=(4, None))],
    [klass('Model'), method('Model', 'run', 1), klass('Model', size=(2, None))],
]


@settings(PROPERTY, max_examples=300)
@given(books())
@example((KNOWN[0], 1))
@example((KNOWN[1], 2))
@example((KNOWN[2], 1))
def test_generated_books_extract_to_a_package_that_behaves_like_the_notebooks(book):
    assert_faithful(*book, extracted_module)


def extracted_package(items, notebooks, folder):
    """Extract through the command line (ruff, import guard, files) and import."""
    book = Book(folder)
    per_notebook = max(1, -(-len(items) // notebooks))
    for start in range(0, len(items), per_notebook):
        cells = map(cell_source, items[start : start + per_notebook])
        book.add(f'n{start}', 'import d2lsave as d2l', *cells)
    status = extract_saved.main(['--root', str(folder)])
    if status == 2:
        raise extract_saved.ExtractError('refused')
    assert status == 0
    first = book.package.read_bytes()
    assert extract_saved.main(['--root', str(folder), '--check']) == 0
    assert book.package.read_bytes() == first
    return load(book.package, f'pkg_property_{abs(hash(json.dumps(items)))}')


@settings(PROPERTY, max_examples=8, phases=[Phase.generate])  # no slow shrinking
@given(books())
def test_a_few_books_extract_the_same_way_through_the_command_line(tmp_path_factory, book):
    folder = tmp_path_factory.mktemp('book')
    items, namespace = run_in_order(book[0])
    if items and not expected_refusals(items):
        module = extracted_package(items, book[1], folder)
        assert behaviour(vars(module), items) == behaviour(namespace, items)


def test_a_notebook_with_only_unsaved_cells_contributes_nothing(book):
    book.add('a', 'x = 1', 'print(x)')
    book.add('b', 'def kept():  #@save\n    return 1')
    assert extract_saved.main(['--root', str(book.root)]) == 0
    assert load(book.package, 'pkg_unsaved').__all__ == ['kept']
    notebook = json.loads((book.root / 'chapters' / 'a.ipynb').read_text())
    assert notebook == notebook_json('x = 1', 'print(x)')
