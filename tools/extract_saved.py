#!/usr/bin/env python3
"""Extract the book's `#@save` code from the notebooks into the d2lsave package.

Usage:
    python tools/extract_saved.py            regenerate d2lsave/
    python tools/extract_saved.py --check    exit 1 with a diff if d2lsave/ is stale
    python tools/extract_saved.py --out DIR  write the package into DIR instead

Rules (the notebooks are read in _toc.yml order, their cells top to bottom):
  * The marker is the comment `#@save`, exactly. A comment that only looks like it
    (`# @save`, `#@Save`, `#@save (3.4)`) is an error, so a typo never drops code.
  * `#@save` at the end of a `def`, `class` or decorator line (or of a constant
    assignment) saves that one definition with the comment lines just above it;
    the rest of the cell stays in the notebook.
  * `#@save` alone on a cell's first line saves the whole cell, which may then
    hold only imports, definitions and constant assignments.
  * IPython syntax (magics, shell escapes) is recognised by IPython's own input
    transformer, as the kernel does; a cell with saved code may not hold any.
  * A function decorated with `add_to_class(SomeClass)` is merged into the body of
    the saved class `SomeClass`, replacing a method of the same name where it stands.
  * A definition saved again replaces the earlier one: in its place if what it
    reads when it runs (bases, decorators, defaults) is defined above that place,
    else where it is saved now. Three kinds of redefinition are errors, since the
    package would differ from the notebook without a word: a class saved again
    without the methods that add_to_class merged into its earlier definition
    (unless they are added again later); a definition saved in between that used
    the earlier one when it ran (a subclass, say) and is not saved again
    afterwards; a definition that reads its own earlier one (`class A(d2l.A)`).
  * Saved code names library code `d2l.Name` (the prefix is stripped) or `Name`
    after `from d2lsave import Name`; a name bound by `from d2lsave import Name as
    Other` may not be read by saved code.
  * The notebooks' imports are carried over for the names saved code reads and does
    not bind itself, scope by scope (`symtable`); a name imported in two ways is an
    error only when saved code reads it.
  * The package is formatted by ruff with the `[tool.ruff]` settings of the book's
    pyproject.toml, then imported in a fresh interpreter before it replaces
    d2lsave/ (`--check` only compares text, so it skips this import).

Exit status: 0 done, 1 `--check` found a difference, 2 bad input or a package
that fails to import (the message names the notebook and cell; nothing is written).
"""

import argparse
import ast
import builtins
import dataclasses
import difflib
import functools
import hashlib
import io
import json
import os
import re
import subprocess
import symtable
import sys
import tempfile
import tokenize
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = 'd2lsave'
MARKER = '#@save'
MARKER_LIKE = re.compile(r'#\s*@\s*save', re.IGNORECASE)
LIBRARY_ALIASES = {'d2l', 'd2lsave'}
# Cell magics whose body the kernel runs as Python in the notebook's namespace.
PYTHON_CELL_MAGICS = {'time', 'capture'}
CHECKSUM_PREFIX = '# checksum: sha256:'
BANNER = """\
# DO NOT EDIT: generated from the `#@save` cells of chapters/*.ipynb by
# tools/extract_saved.py. Change the notebooks, then run `make extract`.
"""
DOCSTRING = '"""The training framework built in the book, one section at a time."""'


class ExtractError(Exception):
    """Bad input, reported with the notebook and cell it came from."""

    def __init__(self, message, notebook=None, cell=None, line=None):
        where = []
        if notebook is not None:
            where.append(str(notebook))
        if cell is not None:
            where.append(f'cell {cell}')
        if line is not None:
            where.append(f'line {line}')
        super().__init__(f'{", ".join(where)}: {message}' if where else message)


@dataclasses.dataclass
class Cell:
    """A code cell of a notebook, where error messages should point."""

    notebook: str
    number: int  # 1-based, counting every cell
    source: str

    def error(self, message, line=None):
        return ExtractError(message, self.notebook, self.number, line)

    @property
    def place(self):
        return f'{self.notebook}, cell {self.number}'


@dataclasses.dataclass
class Member:
    """A statement in a class body, with the comments just above it."""

    name: str | None
    source: str  # dedented to column 0
    cell: Cell
    added: bool = False  # merged by add_to_class


@dataclasses.dataclass
class Block:
    """A saved top-level definition."""

    name: str
    kind: str  # 'class', 'def' or 'constant'
    source: str  # for classes: the header up to the first member
    cell: Cell
    reads: frozenset = frozenset()  # names it reads when it runs (not when called)
    saved_at: int = 0  # when it was saved, counting every save
    members: list = dataclasses.field(default_factory=list)  # classes only

    def render(self):
        if not self.members:
            return self.source
        parts = [self.source]
        for member in self.members:
            body = member.source
            if member.cell.notebook != self.cell.notebook:
                body = f'# From {member.cell.notebook}\n{body}'
            parts.append(_indent(body))
        return '\n\n'.join(parts)


# ---------------------------------------------------------------- reading


def toc_files(root):
    """Paths of the book's pages, in _toc.yml order."""
    toc_path = root / '_toc.yml'
    try:
        toc = yaml.safe_load(toc_path.read_text())
    except (OSError, yaml.YAMLError) as err:
        raise ExtractError(f'cannot read the table of contents: {err}', '_toc.yml') from err
    names = []

    def walk(node):
        if isinstance(node, dict):
            for key in ('root', 'file'):
                if key in node:
                    names.append(str(node[key]))
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    paths = []
    for name in names:
        candidates = [root / name] + [root / f'{name}{ext}' for ext in ('.ipynb', '.md')]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            raise ExtractError(f'{name!r} is listed but no such page exists', '_toc.yml')
        paths.append(found)
    return paths


def code_cells(path, root):
    """The code cells of a notebook."""
    label = path.relative_to(root).as_posix()
    try:
        notebook = json.loads(path.read_text(encoding='utf-8'))
        cells = notebook['cells']
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ExtractError(f'not a readable notebook ({err})', label) from err
    result = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise ExtractError('malformed cell', label, number)
        if cell.get('cell_type') == 'code':
            source = cell.get('source', '')
            source = ''.join(source) if isinstance(source, list) else str(source)
            result.append(Cell(label, number, source))
    return result


@functools.cache
def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


@functools.lru_cache(maxsize=1024)
def as_python(source):
    """The cell as the kernel runs it: IPython syntax turned into Python calls."""
    try:
        python = _transformer().transform_cell(source)
    except Exception:  # the kernel would report it; for us the cell is not Python
        return source
    first, _, body = source.partition('\n')
    magic = first.strip()[2:].split(' ')[0] if first.lstrip().startswith('%%') else None
    if magic in PYTHON_CELL_MAGICS:
        return '\n' + as_python(body)  # the body runs in the notebook's namespace
    return python


def _first_difference(python, source):
    """First line (1-based) where the transformed cell differs from its source, or None.

    IPython drops the blank lines that open a cell; they are not IPython syntax."""
    b = source.rstrip('\n').split('\n')
    blank = next((i for i, line in enumerate(b) if line.strip()), len(b))
    a, b = python.rstrip('\n').split('\n'), b[blank:]
    if a == b or (not b and a == ['']):
        return None
    first = next((i for i, (x, y) in enumerate(zip(a, b), 1) if x != y), min(len(a), len(b)) + 1)
    return first + blank


def _parse(cell, source, strict):
    try:
        return ast.parse(source)
    except SyntaxError as err:
        if strict:
            raise cell.error(f'syntax error in saved code: {err.msg}', err.lineno) from err
        return None


def _marker_lines(cell, source, python=True):
    """Line numbers (1-based) of `#@save` comments; an error for a near miss.

    With python=False the source may be no Python at all (a %%bash cell): then none."""
    if not MARKER_LIKE.search(source):
        return []
    lines = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.COMMENT:
                continue
            comment = token.string.rstrip()
            if comment == MARKER:
                lines.append(token.start[0])
            elif MARKER_LIKE.match(comment):
                raise cell.error(
                    f'the comment {comment!r} looks like the marker but is not '
                    f'{MARKER!r} exactly; write {MARKER} to save the code, or reword it',
                    token.start[0],
                )
    except (tokenize.TokenError, SyntaxError) as err:
        if not python:
            return []
        _parse(cell, source, strict=True)  # a syntax error names its line
        raise cell.error(f'cannot tokenize a cell that mentions {MARKER}: {err}') from err
    return lines


# ---------------------------------------------------------------- rewriting


def _strip_alias_prefix(source, aliases):
    """Turn `d2l.Module` into `Module` (the code now lives inside the package)
    and drop the `#@save` markers."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    drop = set()
    for i, token in enumerate(tokens[:-1]):
        if token.type == tokenize.COMMENT and token.string.rstrip() == MARKER:
            drop.add((token.start, token.end))
            continue
        nxt = tokens[i + 1]
        if token.type == tokenize.NAME and token.string in aliases and nxt.string == '.':
            before = tokens[i - 1].string if i else ''
            if before != '.':
                drop.add((token.start, nxt.end))
    if not drop:
        return source
    lines = source.split('\n')
    for (row, start_col), (_, end_col) in sorted(drop, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start_col] + line[end_col:]
    return '\n'.join(line.rstrip() for line in lines)


def _indent(text):
    return '\n'.join(('    ' + line) if line.strip() else '' for line in text.split('\n'))


def _dedent(text):
    lines = text.split('\n')
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(widths, default=0)
    return '\n'.join(line[cut:] for line in lines)


def _segment(lines, first, last):
    """Source lines first..last (1-based, inclusive) without surrounding blank lines."""
    return '\n'.join(lines[first - 1 : last]).strip('\n')


def _first_line(node):
    decorators = getattr(node, 'decorator_list', [])
    return min([node.lineno] + [d.lineno for d in decorators])


def _comments_above(lines, first):
    """The first line of the comment lines just above line `first` (markers excluded)."""
    while first > 1:
        above = lines[first - 2].strip()
        if not above.startswith('#') or above == MARKER:
            break
        first -= 1
    return first


def _add_to_class_target(node, aliases):
    """For `@add_to_class(C)` on a function, return (decorator, 'C'); else None."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    for decorator in node.decorator_list:
        if not (isinstance(decorator, ast.Call) and len(decorator.args) == 1):
            continue
        func = decorator.func
        is_adder = (isinstance(func, ast.Name) and func.id == 'add_to_class') or (
            isinstance(func, ast.Attribute)
            and func.attr == 'add_to_class'
            and isinstance(func.value, ast.Name)
            and func.value.id in aliases
        )
        if not is_adder:
            continue
        target = decorator.args[0]
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            if target.value.id in aliases:
                return decorator, target.attr
        if isinstance(target, ast.Name):
            return decorator, target.id
        return decorator, ast.unparse(target)
    return None


def _without_lines(lines, first, last, cut):
    """Source lines first..last with the lines of the `cut` node removed."""
    kept = [
        line
        for number, line in enumerate(lines[first - 1 : last], start=first)
        if not cut.lineno <= number <= cut.end_lineno
    ]
    return '\n'.join(kept)


def _now(node):
    """The nodes evaluated when an expression runs (lambda bodies wait for a call)."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(node, ast.Lambda) and child is node.body:
            continue
        yield from _now(child)


def run_time_reads(node):
    """Names a top-level statement reads when it runs, not when its functions are called."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        arguments = node.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        every += [a for a in (arguments.vararg, arguments.kwarg) if a]
        expressions = [*node.decorator_list, *arguments.defaults, node.returns]
        expressions += [d for d in arguments.kw_defaults if d] + [a.annotation for a in every]
        reads = set()
    elif isinstance(node, ast.ClassDef):
        expressions = [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
        reads = set().union(*map(run_time_reads, node.body))
    else:
        expressions, reads = [node], set()
    for expression in expressions:
        if expression is not None:
            reads.update(
                sub.id
                for sub in _now(expression)
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)
            )
    return reads


# ---------------------------------------------------------------- collecting


@dataclasses.dataclass
class Library:
    """Everything saved so far, in the order the package defines it."""

    blocks: dict = dataclasses.field(default_factory=dict)  # name -> Block
    # bound name -> {import statement -> (cell, line)}, every spelling met
    imports: dict = dataclasses.field(default_factory=dict)
    # name bound by `from d2lsave import X [as name]` -> (X, cell, line)
    from_library: dict = dataclasses.field(default_factory=dict)
    saves: int = 0
    # (class, method) -> (redefining cell, cell that had added the method)
    dropped: dict = dataclasses.field(default_factory=dict)
    # (block that read `name` when it ran, name, the block that replaced `name`)
    outdated: list = dataclasses.field(default_factory=list)

    def add_definition(self, block, node):
        """Save a top-level definition, replacing an earlier one of the same name."""
        self.saves += 1
        block.saved_at = self.saves
        if block.kind == 'class':
            _split_class(block, node)
        earlier = self.blocks.get(block.name)
        if earlier is None:
            self.blocks[block.name] = block
            return
        if block.name in block.reads:
            raise block.cell.error(
                f'{block.name} reads its own earlier definition when it is defined '
                f'(a base, decorator or default), which the package cannot hold: it has '
                f'one {block.name}; give one of them another name'
            )
        self._note_losses(earlier, block)
        names = list(self.blocks)
        above = set(names[: names.index(block.name)])
        if block.reads & set(self.blocks) - {block.name} <= above:
            self.blocks[block.name] = block  # keeps the earlier one's place
        else:
            del self.blocks[block.name]
            self.blocks[block.name] = block

    def _note_losses(self, earlier, block):
        """Remember what replacing `earlier` by `block` changes behind the author's back."""
        own = {member.name for member in block.members}
        for key in [key for key in self.dropped if key[0] == block.name and key[1] in own]:
            del self.dropped[key]
        for member in earlier.members:
            if member.added and member.name not in own:
                self.dropped[block.name, member.name] = (block.cell, member.cell)
        for other in self.blocks.values():
            if other.saved_at > earlier.saved_at and block.name in other.reads:
                if other is not earlier:
                    self.outdated.append((other, block.name, block))

    def add_method(self, cell, class_name, node, source):
        block = self.blocks.get(class_name)
        if block is None or block.kind != 'class':
            raise cell.error(
                f'add_to_class({class_name}) refers to a class that no earlier '
                f'#@save cell defines; save the class first',
                node.lineno,
            )
        member = Member(node.name, _dedent(source), cell, added=True)
        self.dropped.pop((class_name, node.name), None)
        for i, existing in enumerate(block.members):
            if existing.name == node.name:
                block.members[i] = member
                return
        block.members.append(member)

    def add_import(self, cell, node):
        for alias in node.names:
            module = node.module if isinstance(node, ast.ImportFrom) else alias.name
            bound = alias.asname or alias.name.split('.')[0]
            if module and module.split('.')[0] in LIBRARY_ALIASES | {PACKAGE}:
                if isinstance(node, ast.ImportFrom):
                    self.from_library[bound] = (alias.name, cell, node.lineno)
                continue
            if alias.name == '*':
                continue
            if isinstance(node, ast.ImportFrom):
                statement = f'from {"." * node.level}{node.module or ""} import {alias.name}'
            else:
                statement = f'import {alias.name}'
            if alias.asname:
                statement += f' as {alias.asname}'
            self.imports.setdefault(bound, {}).setdefault(statement, (cell, node.lineno))

    def import_for(self, name, user):
        """The import statements that bind `name` for saved code (in `user`)."""
        spellings = self.imports[name]
        # `import a` and `import a.b` bind the same name to the same module.
        plain = all(s.startswith('import ') and ' as ' not in s for s in spellings)
        if len(spellings) > 1 and not plain:
            places = ' and '.join(
                f'`{statement}` ({cell.place})' for statement, (cell, _) in spellings.items()
            )
            raise user.cell.error(
                f'{user.name} reads {name!r}, which the notebooks import in different ways: '
                f'{places}; use one spelling'
            )
        return list(spellings)

    def finish(self):
        """Refuse the redefinitions that would change the package without a word."""
        for (class_name, method), (cell, added_in) in self.dropped.items():
            raise cell.error(
                f'class {class_name} is saved again here without {method!r}, which '
                f'add_to_class merged into its earlier definition ({added_in.place}); '
                f'define it in this class body or add it again with add_to_class after this cell'
            )
        for reader, name, replacement in self.outdated:
            if self.blocks.get(reader.name) is reader:
                raise replacement.cell.error(
                    f'{name} is saved again here, but {reader.name} ({reader.cell.place}) '
                    f'used the earlier {name} when it was defined (as a base, decorator or '
                    f'default), so the notebook and the package would differ; save '
                    f'{reader.name} again after this cell'
                )


def _split_class(block, node):
    """Cut a class into its header and its members so methods can be merged.

    Line numbers in `node` count from the first line of `block.source`."""
    lines = block.source.split('\n')
    body = node.body
    if body[0].lineno == node.lineno:  # `class A: pass`
        return
    header_end = _header_end(node, lines)  # comments below it go with the first member
    start = 0
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        header_end = body[0].end_lineno  # the docstring stays in the header
        start = 1
    members = []
    previous_end = header_end
    for statement in body[start:]:
        end = statement.end_lineno
        text = _segment(lines, previous_end + 1, end)
        name = getattr(statement, 'name', None)
        if name is None and isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            name = target.id if isinstance(target, ast.Name) else None
        members.append(Member(name, _dedent(text), block.cell))
        previous_end = end
    if members:  # else a class whose body is only a docstring
        block.source = '\n'.join(lines[:header_end])
        block.members = members


DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
HARMLESS_CALLS = {'dict', 'frozenset', 'list', 'set', 'tuple'}


def _runs_code(node):
    """True if evaluating the node could do more than build a constant."""
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return True
        if isinstance(sub, ast.Call):
            harmless = isinstance(sub.func, ast.Name) and sub.func.id in HARMLESS_CALLS
            if not harmless or sub.args or sub.keywords:
                return True
    return False


def collect_cell(library, cell, aliases):
    """Add a cell's saved definitions (and the imports they may need) to the library."""
    python = as_python(cell.source)
    markers = _marker_lines(cell, python)
    if not markers and MARKER_LIKE.search(cell.source):
        markers = _marker_lines(cell, cell.source, python=False)  # IPython made it text
    if not markers:  # unsaved cells may hold anything; they only lend their imports
        tree = _parse(cell, python, strict=False)
        for node in tree.body if tree else []:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                library.add_import(cell, node)
        return
    ipython = _first_difference(python, cell.source)
    if ipython is not None:
        raise cell.error(
            'a cell with saved code may not hold IPython syntax (magics, shell commands, '
            'an indentation the kernel would remove)',
            ipython,
        )
    markers = _marker_lines(cell, cell.source)  # numbered as the author sees them
    tree = _parse(cell, cell.source, strict=True)
    lines = cell.source.split('\n')
    first_code_line = next(i for i, line in enumerate(lines, 1) if line.strip())
    whole_cell = lines[first_code_line - 1].strip() == MARKER
    if whole_cell:
        markers.remove(first_code_line)
    saved = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            library.add_import(cell, node)
            continue
        header = range(_first_line(node), _header_end(node, lines) + 1)
        marked = [line for line in markers if line in header]
        for line in marked:
            markers.remove(line)
        if whole_cell or marked:
            _check_definition(cell, node, whole_cell)
            saved.append(node)
    if markers:
        raise cell.error(
            f'{MARKER} must end a def, class, decorator or constant assignment line, '
            f'or stand alone on the first line of the cell',
            markers[0],
        )
    for node in saved:
        _save_node(library, cell, node, lines, aliases)


def _header_end(node, lines):
    """Last line of a statement's header: the line of a def's or class's colon."""
    if not isinstance(node, DEFINITIONS) or node.body[0].lineno == node.lineno:
        return node.lineno
    end = _first_line(node.body[0]) - 1
    while end > node.lineno and lines[end - 1].strip()[:1] in ('', '#'):
        end -= 1  # blank and comment lines open the body
    return end


def _check_definition(cell, node, whole_cell):
    if isinstance(node, DEFINITIONS):
        return
    constant = isinstance(node, (ast.Assign, ast.AnnAssign)) and not _runs_code(node)
    docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    if constant or (whole_cell and docstring):
        return
    what = ast.unparse(node).split('\n')[0][:60]
    raise cell.error(
        f'`{what}` would run when d2lsave is imported; a saved cell may hold only '
        f'imports, definitions and constant assignments',
        node.lineno,
    )


def _save_node(library, cell, node, lines, aliases):
    if isinstance(node, ast.Expr):  # a stray string in a whole saved cell
        return
    start = _comments_above(lines, _first_line(node))
    target = _add_to_class_target(node, aliases)
    if target is not None:
        decorator, class_name = target
        source = _without_lines(lines, start, node.end_lineno, decorator)
        library.add_method(cell, class_name, node, _strip_alias_prefix(source, aliases))
        return
    source = _strip_alias_prefix(_segment(lines, start, node.end_lineno), aliases)
    name = getattr(node, 'name', None)
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if len(names) != 1 or len(targets) != 1:
            raise cell.error('a saved assignment must bind exactly one name', node.lineno)
        name = names[0]
    # Parse the stripped source again: `d2l.Base` is now `Base`, lines count from `start`.
    tree = ast.parse(_dedent(source)).body[-1]
    kinds = {ast.ClassDef: 'class', ast.Assign: 'constant', ast.AnnAssign: 'constant'}
    kind = kinds.get(type(node), 'def')
    block = Block(name, kind, source, cell, frozenset(run_time_reads(tree)))
    library.add_definition(block, tree)


def library_aliases(cells):
    """Names under which a notebook imports the package (`import d2lsave as d2l`)."""
    aliases = set(LIBRARY_ALIASES)
    for cell in cells:
        tree = _parse(cell, as_python(cell.source), strict=False)
        for node in ast.walk(tree) if tree else []:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == PACKAGE and alias.asname:
                        aliases.add(alias.asname)
    return aliases


def collect_notebooks(notebooks):
    """The library saved by notebooks (each a list of code cells), in reading order."""
    library = Library()
    for cells in notebooks:
        aliases = library_aliases(cells)
        for cell in cells:
            collect_cell(library, cell, aliases)
    library.finish()
    return library


def collect(root):
    pages = (code_cells(path, root) for path in toc_files(root) if path.suffix == '.ipynb')
    return collect_notebooks(pages)


# ---------------------------------------------------------------- writing


def _scopes(table):
    yield table
    for child in table.get_children():
        yield from _scopes(child)


def global_names(source):
    """(names read from module scope, names bound there), scope by scope."""
    reads, binds = set(), set()
    for table in _scopes(symtable.symtable(source, f'{PACKAGE}/__init__.py', 'exec')):
        module = table.get_type() == 'module'
        for symbol in table.get_symbols():
            if not (module or symbol.is_global()):
                continue
            if symbol.is_referenced():
                reads.add(symbol.get_name())
            if (module or symbol.is_declared_global()) and (
                symbol.is_assigned() or symbol.is_imported()
            ):
                binds.add(symbol.get_name())
    return reads, binds


def _needed_imports(library, rendered):
    """The import statements the saved code needs; an error for a name nothing binds."""
    used = {}  # name -> first block that reads it from module scope
    bound = set()
    for block, source in rendered:
        reads, binds = global_names(source)
        bound |= binds
        for name in sorted(reads):
            used.setdefault(name, block)
    statements = set()
    for name, block in used.items():
        if name in bound or name in dir(builtins):
            continue
        if name in library.from_library:
            original, cell, line = library.from_library[name]
            if original == name:
                raise block.cell.error(
                    f'{block.name} uses {name!r}, which {cell.place}, line {line} imports '
                    f'from {PACKAGE}, but no #@save cell defines it'
                )
            raise block.cell.error(
                f'{block.name} reads {name!r}, which {cell.place}, line {line} imports as '
                f'`from {PACKAGE} import {original} as {name}`; inside saved code write '
                f'`d2l.{original}` (or import it without `as`)'
            )
        if name not in library.imports:
            raise block.cell.error(
                f'{block.name} uses {name!r}, but no notebook imports it or saves a '
                f'definition of it'
            )
        statements.update(library.import_for(name, block))
    return sorted(statements)


def render(library, version):
    """The package's __init__.py (unformatted)."""
    rendered = [(block, block.render()) for block in library.blocks.values()]
    body = '\n\n\n'.join(f'# %% {block.cell.notebook}\n{text}' for block, text in rendered)
    imports = _needed_imports(library, rendered)
    public = [name for name in library.blocks if not name.startswith('_')]
    names = ''.join(f'    {name!r},\n' for name in public)
    return (
        f'{DOCSTRING}\n\n'
        + '\n'.join(imports)
        + f"\n\n__version__ = '{version}'\n__all__ = [\n{names}]\n\n\n"
        + body
        + '\n'
    )


def ruff_config(root):
    """The pyproject.toml whose [tool.ruff] settings format the package."""
    book = root / 'pyproject.toml'
    if book.is_file() and 'ruff' in tomllib.loads(book.read_text()).get('tool', {}):
        return book
    return ROOT / 'pyproject.toml'


def _ruff(arguments, source, root):
    command = [
        sys.executable,
        '-m',
        'ruff',
        *arguments,
        '--config',
        str(ruff_config(root)),
        '--quiet',
        '--stdin-filename',
        f'{PACKAGE}/__init__.py',
        '-',
    ]
    try:
        result = subprocess.run(command, input=source, capture_output=True, text=True, cwd=root)
    except OSError as err:
        raise ExtractError(f'cannot run ruff ({err}); run `make env` first') from err
    if result.returncode != 0 or not result.stdout:
        raise ExtractError(f'ruff could not format the generated code:\n{result.stderr}')
    return result.stdout


def format_source(source, root):
    """Sort the imports and format with the pinned ruff: byte-identical every time."""
    source = _ruff(['check', '--select', 'I', '--fix', '--exit-zero'], source, root)
    return _ruff(['format'], source, root)


def with_checksum(body):
    digest = hashlib.sha256(body.encode()).hexdigest()
    return f'{BANNER}{CHECKSUM_PREFIX}{digest}\n{body}'


def hand_edited(text):
    """True when a generated file no longer matches the checksum it was written with."""
    if not text.startswith(BANNER):
        return True
    rest = text[len(BANNER) :]
    first, _, body = rest.partition('\n')
    if not first.startswith(CHECKSUM_PREFIX):
        return True
    return first[len(CHECKSUM_PREFIX) :] != hashlib.sha256(body.encode()).hexdigest()


def generate(root):
    """The library and a map of package file path -> content."""
    version = tomllib.loads((root / 'pyproject.toml').read_text())['project']['version']
    library = collect(root)
    source = render(library, version)
    try:
        compile(source, f'{PACKAGE}/__init__.py', 'exec')
    except SyntaxError as err:
        raise ExtractError(f'the merged code does not compile: {err}') from err
    return library, {'__init__.py': with_checksum(format_source(source, root))}


IMPORT_TIMEOUT_S = 300
# Run in a fresh interpreter: import the package from a folder, report the failing line.
IMPORT_PROBE = """
import json, os, sys, traceback
folder, name = sys.argv[1], sys.argv[2]
sys.path.insert(0, folder)
init = os.path.join(folder, name, '__init__.py')
try:
    module = __import__(name)
    assert os.path.samefile(module.__file__, init), f'imported {module.__file__} instead'
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f'__all__ names {missing}, which the package does not define'
except BaseException as err:
    frames = [f.lineno for f in traceback.extract_tb(err.__traceback__) if f.filename == init]
    line = getattr(err, 'lineno', None) if isinstance(err, SyntaxError) else None
    print(json.dumps({'error': f'{type(err).__name__}: {err}', 'line': (frames or [line])[-1]}))
    sys.exit(1)
"""


def _origin(library, text, line):
    """The cell that wrote line `line` of the generated package text, or None."""
    for node in ast.parse(text).body:
        if not _first_line(node) <= line <= node.end_lineno:
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):  # the cell that imported it
            bound = [(alias.asname or alias.name).split('.')[0] for alias in node.names]
            places = [place for name in bound for place in library.imports.get(name, {}).values()]
            return places[0][0] if places else None
        target = getattr(node, 'targets', [getattr(node, 'target', None)])[0]
        block = library.blocks.get(getattr(node, 'name', getattr(target, 'id', None)))
        if block is None:
            return None
        members = {member.name: member for member in block.members}
        for sub in getattr(node, 'body', []) if block.kind == 'class' else []:
            if _first_line(sub) <= line <= sub.end_lineno and getattr(sub, 'name', None):
                return members.get(sub.name, block).cell
        return block.cell
    return None


def import_check(library, files):
    """Import the new package in a fresh interpreter; an error names the cell at fault."""
    with tempfile.TemporaryDirectory(prefix=f'{PACKAGE}-import-') as folder:
        (Path(folder) / PACKAGE).mkdir()
        for name, content in files.items():
            (Path(folder) / PACKAGE / name).write_text(content)
        try:
            result = subprocess.run(
                [sys.executable, '-I', '-c', IMPORT_PROBE, folder, PACKAGE],
                capture_output=True,
                text=True,
                cwd=folder,
                timeout=IMPORT_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired as err:
            raise ExtractError(
                f'importing the generated package took over {err.timeout} s'
            ) from err
    if result.returncode == 0:
        return
    try:
        report = json.loads(result.stdout.strip().split('\n')[-1])
    except (ValueError, IndexError):
        report = {'error': result.stderr.strip()[-2000:], 'line': None}
    message = f'the generated package fails when imported: {report["error"]}'
    text = files['__init__.py']
    cell = _origin(library, text, report['line']) if report['line'] else None
    if cell is None:
        where = f' (line {report["line"]}: {text.split(chr(10))[report["line"] - 1].strip()})'
        raise ExtractError(message + (where if report['line'] else ''))
    raise cell.error(message)


def check(files, out_dir):
    """Print a diff for every file that differs; return True when all match."""
    clean = True
    for name, content in files.items():
        path = out_dir / name
        current = path.read_text() if path.exists() else ''
        if current != content:
            clean = False
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(True),
                    content.splitlines(True),
                    f'{path} (committed)',
                    f'{path} (from the notebooks)',
                )
            )
    if not clean:
        print(f'\n{out_dir} is out of date: run `make extract` (tools/extract_saved.py).')
    return clean


def refuse_hand_edits(files, out_dir, force):
    """An error if a file to replace was edited by hand (unless forced)."""
    for name in files:
        path = out_dir / name
        if path.exists() and not force and hand_edited(path.read_text()):
            raise ExtractError(
                f'{path} was edited by hand (it differs from what the extractor last '
                f'wrote). Move the change into a #@save cell of a notebook, then run '
                f'again with --force to overwrite it, or `git checkout {path}` to drop it'
            )


def write(files, out_dir):
    """Replace the package's files atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    for name, content in files.items():
        handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=f'.{name}.')
        with os.fdopen(handle, 'w') as stream:
            stream.write(content)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes files private
        os.replace(temporary, out_dir / name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true', help='compare instead of writing')
    parser.add_argument('--out', type=Path, help=f'package folder (default: {PACKAGE}/)')
    parser.add_argument('--root', type=Path, default=ROOT, help='the book repository')
    parser.add_argument('--force', action='store_true', help='overwrite hand-edited files')
    args = parser.parse_args(argv)
    root = args.root.resolve()
    out_dir = args.out or root / PACKAGE
    try:
        library, files = generate(root)
        if args.check:
            return 0 if check(files, out_dir) else 1
        refuse_hand_edits(files, out_dir, args.force)
        import_check(library, files)
        write(files, out_dir)
    except ExtractError as err:
        print(f'extract_saved: {err}', file=sys.stderr)
        return 2
    print(f'extract_saved: wrote {", ".join(str(out_dir / n) for n in files)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
