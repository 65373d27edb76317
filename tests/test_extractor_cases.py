"""Inputs an author writes sooner or later, each of which once made the
extractor write a wrong package and exit 0 (issue 15)."""

import extract_saved
import pytest
from test_extractor import extract, load


def errors(book, capsys):
    """Extract, expect a refusal, and return its message."""
    capsys.readouterr()
    assert extract(book) == 2
    return capsys.readouterr().err


def text(book):
    return book.package.read_text()


# ------------------------------------------------------------ classes


def test_a_decorator_stays_with_its_method_when_another_one_is_replaced(book):
    book.add(
        'a',
        'class Shape:  #@save\n    @property\n    def area(self):\n        return 1\n\n'
        '    @staticmethod\n    def unit():\n        return 1\n\n'
        '    def name(self):\n        return "shape"',
    )
    book.add(
        'b',
        'import d2lsave as d2l',
        '@d2l.add_to_class(d2l.Shape)  #@save\ndef area(self):\n    return 2',
    )
    assert extract(book) == 0
    shape = load(book.package, 'pkg_decorator').Shape
    assert shape().area() == 2 and shape.unit() == 1 and shape().name() == 'shape'
    assert '@property' not in text(book)


def test_a_class_without_members_on_separate_lines_is_kept_whole(book):
    book.add('a', 'class Empty: pass  #@save', 'class Error(Exception): ...  #@save')
    assert extract(book) == 0
    module = load(book.package, 'pkg_oneline')
    assert issubclass(module.Error, Exception) and module.Empty() is not None


def test_a_class_saved_again_on_a_later_base_moves_after_that_base(book):
    book.add(
        'a',
        'class Model:  #@save\n    def kind(self):\n        return "plain"',
        'def make():  #@save\n    return Model()',
    )
    book.add(
        'b',
        'class Base:  #@save\n    def hello(self):\n        return "hi"',
        'class Model(Base):  #@save\n    def kind(self):\n        return "derived"',
    )
    assert extract(book) == 0
    module = load(book.package, 'pkg_rebase')
    assert module.make().kind() == 'derived' and module.make().hello() == 'hi'
    assert text(book).index('class Base') < text(book).index('class Model(Base)')


def test_a_redefinition_that_fits_keeps_its_place(book):
    book.add(
        'a',
        'class Model:  #@save\n    def kind(self):\n        return 1',
        'class Other:  #@save\n    pass',
    )
    book.add('b', 'class Model:  #@save\n    def kind(self):\n        return 2')
    assert extract(book) == 0
    assert text(book).index('class Model') < text(book).index('class Other')


REDEFINED = 'class Model:  #@save\n    def one(self):\n        return 11'


def test_redefining_a_class_may_not_drop_methods_merged_into_it(book, capsys):
    book.add('a', 'class Model:  #@save\n    def one(self):\n        return 1')
    book.add(
        'b',
        'import d2lsave as d2l',
        '@d2l.add_to_class(d2l.Model)  #@save\ndef two(self):\n    return 2',
    )
    book.add('c', '# Text', REDEFINED)
    message = errors(book, capsys)
    assert 'chapters/c.ipynb, cell 2' in message
    assert "'two'" in message and 'chapters/b.ipynb, cell 2' in message


@pytest.mark.parametrize(
    'later',
    [
        ('@d2l.add_to_class(d2l.Model)  #@save\ndef two(self):\n    return 22',),
        (),
    ],
)
def test_merged_methods_may_be_added_again_or_defined_in_the_new_body(book, later):
    book.add('a', 'class Model:  #@save\n    def one(self):\n        return 1')
    book.add(
        'b',
        'import d2lsave as d2l',
        '@d2l.add_to_class(d2l.Model)  #@save\ndef two(self):\n    return 2',
    )
    if later:
        book.add('c', 'import d2lsave as d2l', REDEFINED, *later)
    else:
        book.add('c', REDEFINED + '\n\n    def two(self):\n        return 22')
    assert extract(book) == 0
    model = load(book.package, f'pkg_readd_{len(later)}').Model()
    assert (model.one(), model.two()) == (11, 22)


def test_a_subclass_of_the_earlier_definition_must_be_saved_again(book, capsys):
    book.add(
        'a',
        'class Model:  #@save\n    def one(self):\n        return 1',
        'class Child(Model):  #@save\n    pass',
    )
    book.add('b', REDEFINED)
    message = errors(book, capsys)
    assert 'chapters/b.ipynb, cell 1' in message and 'Child' in message
    book.add('c', 'import d2lsave as d2l', 'class Child(d2l.Model):  #@save\n    pass')
    assert extract(book) == 0
    assert load(book.package, 'pkg_child').Child().one() == 11


# ------------------------------------------------------------ IPython syntax


def test_continuation_lines_are_not_magics_in_unsaved_cells(book):
    book.add(
        'a',
        'import math\n\nremainder = (10\n% 3)',
        'import json\n\nsame = (1\n!= 2)',
        'def f():  #@save\n    return math.pi, json.dumps(1)',
    )
    assert extract(book) == 0
    assert 'import json' in text(book) and 'import math' in text(book)


def test_continuation_lines_are_not_magics_in_saved_cells(book):
    book.add('a', 'def remainder(a, b):  #@save\n    return (a\n            % b)')
    assert extract(book) == 0
    assert load(book.package, 'pkg_modulo').remainder(7, 3) == 1


def test_magics_and_shell_escapes_in_unsaved_cells_keep_their_imports(book):
    book.add(
        'a',
        '%matplotlib inline\nimport json\nfiles = !ls',
        '%%time\nimport math',
        'def f():  #@save\n    return json.dumps(math.pi)',
    )
    assert extract(book) == 0
    assert 'import json' in text(book) and 'import math' in text(book)


@pytest.mark.parametrize(
    'cell, line',
    [
        ('def f():  #@save\n    return 1\n\n\n%time f()', 5),
        ('def f():  #@save\n    return 1\n\n\nfiles = !ls', 5),
        ('%%time\ndef f():  #@save\n    return 1', 1),
    ],
)
def test_ipython_syntax_in_a_saved_cell_is_an_error(book, capsys, cell, line):
    book.add('a', cell)
    message = errors(book, capsys)
    assert f'chapters/a.ipynb, cell 1, line {line}' in message and 'IPython' in message


def test_blank_lines_opening_a_saved_cell_are_not_ipython_syntax(book):
    book.add('a', '\n\ndef f():  #@save\n    return 1\n\n')
    assert extract(book) == 0
    assert load(book.package, 'pkg_blank').f() == 1


def test_an_indented_saved_cell_is_an_error(book, capsys):
    book.add('a', '    def f():  #@save\n        return 1')
    assert 'chapters/a.ipynb, cell 1, line 1' in errors(book, capsys)


# ------------------------------------------------------------ markers


@pytest.mark.parametrize('marker', ['#@Save', '#@save (3.4)', '# @save', '#@ save', '#@saved'])
def test_a_marker_that_is_not_exactly_save_is_an_error(book, capsys, marker):
    book.add('a', 'x = 1', f'def f():  {marker}\n    return 1')
    message = errors(book, capsys)
    assert 'chapters/a.ipynb, cell 2, line 1' in message and repr(marker) in message


def test_marker_text_inside_strings_is_not_a_marker(book):
    book.add('a', 'note = "#@Save is not the marker"', 'def f():  #@save\n    return "#@save"')
    assert extract(book) == 0
    assert load(book.package, 'pkg_string').f() == '#@save'


def test_comments_above_a_saved_definition_are_kept(book):
    book.add(
        'a',
        'x = 1\n\n# Degrees to radians.\n# (A second line.)\ndef radians(d):  #@save\n'
        '    return d * 3.14159 / 180',
        '#@save\n# Whole cell.\nTAU = 6.28',
        'class Unit:  #@save\n    pass',
    )
    book.add(
        'b',
        'import d2lsave as d2l',
        'y = 2\n\n# Say hello.\n@d2l.add_to_class(d2l.Unit)  #@save\ndef hello(self):\n    return 1',
    )
    assert extract(book) == 0
    body = text(book)
    assert '# Degrees to radians.\n# (A second line.)\ndef radians' in body
    assert '# Whole cell.\nTAU' in body and '    # Say hello.\n    def hello' in body
    assert 'x = 1' not in body


# ------------------------------------------------------------ names


def test_a_parameter_in_one_function_does_not_import_for_another(book, capsys):
    book.add(
        'a',
        'def parse(json):  #@save\n    return json',
        'def dump(x):  #@save\n    return json.dumps(x)',
    )
    message = errors(book, capsys)
    assert 'json' in message and 'dump' in message and 'chapters/a.ipynb, cell 2' in message
    book.add('b', 'import json')
    assert extract(book) == 0
    assert load(book.package, 'pkg_scope').dump([1]) == '[1]'


def test_names_bound_only_in_a_class_body_are_not_module_names(book, capsys):
    book.add('a', 'class Box:  #@save\n    size = 3\n\n    def area(self):\n        return size')
    assert 'size' in errors(book, capsys)


def test_an_import_shadowed_by_a_saved_definition_is_not_written(book):
    book.add(
        'a', 'from math import pi', 'pi = 3  #@save', 'def area(r):  #@save\n    return pi * r * r'
    )
    assert extract(book) == 0
    assert 'from math import pi' not in text(book)
    assert load(book.package, 'pkg_clash').area(1) == 3


def test_a_renamed_library_import_gets_a_precise_message(book, capsys):
    book.add('a', 'def one():  #@save\n    return 1')
    book.add('b', 'from d2lsave import one as uno', 'def two():  #@save\n    return uno() + 1')
    message = errors(book, capsys)
    assert 'from d2lsave import one as uno' in message and 'd2l.one' in message
    assert 'chapters/b.ipynb, cell 2' in message and 'no notebook imports' not in message


def test_a_library_name_imported_as_itself_works(book):
    book.add('a', 'def one():  #@save\n    return 1')
    book.add('b', 'from d2lsave import one', 'def two():  #@save\n    return one() + 1')
    assert extract(book) == 0
    assert load(book.package, 'pkg_libname').two() == 2


def test_a_library_name_that_nothing_saves_is_named_as_such(book, capsys):
    book.add('a', 'from d2lsave import ghost', 'def f():  #@save\n    return ghost()')
    message = errors(book, capsys)
    assert 'chapters/a.ipynb, cell 1, line 1 imports from d2lsave' in message


def test_a_marker_inside_a_cell_magic_that_is_not_python_is_text(book):
    book.add('a', '%%bash\necho "#@save" \'', 'def f():  #@save\n    return 1')
    assert extract(book) == 0


def test_a_marker_that_a_line_magic_swallows_is_an_error(book, capsys):
    book.add('a', 'def f():\n    return 1\n\n\n%time f()  #@save')
    assert 'line 5' in errors(book, capsys)


def test_a_name_imported_two_ways_matters_only_when_saved_code_uses_it(book, capsys):
    book.add(
        'a',
        'from os import path',
        'import os.path as path',
        'import os\nimport os.path',
        'def cwd():  #@save\n    return os.getcwd()',
    )
    assert extract(book) == 0
    book.add('b', 'def join(a, b):  #@save\n    return path.join(a, b)')
    message = errors(book, capsys)
    assert 'chapters/a.ipynb, cell 1' in message and 'chapters/a.ipynb, cell 2' in message


# ------------------------------------------------------------ the import guard


@pytest.mark.parametrize(
    'cells, where',
    [
        (['RATE = 1 / 0  #@save'], 'cell 1'),
        (
            [
                'x = 1',
                'import no_such_module_here',
                'def f():  #@save\n    return no_such_module_here',
            ],
            'cell 2',
        ),
        (['class A(B):  #@save\n    pass', 'class B:  #@save\n    pass'], 'cell 1'),
        (
            [
                'import d2lsave as d2l',
                'class A:  #@save\n    pass',
                '@d2l.add_to_class(d2l.A)  #@save\ndef m(self, x=1 / 0):\n    return x',
            ],
            'cell 3',
        ),
    ],
)
def test_a_package_that_fails_on_import_is_refused(book, capsys, cells, where):
    book.add('good', 'def ok():  #@save\n    return 1')
    assert extract(book) == 0
    before = book.package.read_bytes()
    book.add('bad', *cells)
    message = errors(book, capsys)
    assert f'chapters/bad.ipynb, {where}' in message and 'import' in message
    assert book.package.read_bytes() == before


def test_check_does_not_import_the_package(book, monkeypatch):
    book.add('a', 'def f():  #@save\n    return 1')
    assert extract(book) == 0

    def refuse(*args):
        raise AssertionError('--check imported the package')

    monkeypatch.setattr(extract_saved, 'import_check', refuse)
    assert extract(book, '--check') == 0
