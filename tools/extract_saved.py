#!/usr/bin/env python3
"""Extract the book's `#@save` code from the notebooks into the d2lsave package.

Usage:
    python tools/extract_saved.py            regenerate d2lsave/
    python tools/extract_saved.py --check    exit 1 with a diff if d2lsave/ is stale
    python tools/extract_saved.py --out DIR  write the package into DIR instead

Rules (the notebooks are read in _toc.yml order):
  * `#@save` at the end of a `def`, `class` or decorator line (or of a constant
    assignment) saves that one definition; the rest of the cell stays in the notebook.
  * `#@save` alone on a cell's first line saves the whole cell, which may then
    hold only imports, definitions and constant assignments.
  * A function decorated with `add_to_class(SomeClass)` is merged into the body of
    the saved class `SomeClass`; a method or definition saved again later replaces
    the earlier one where it stands, so every name is defined once.
  * The notebooks' imports are carried over when the saved code uses them.

Exit status: 0 done, 1 `--check` found a difference, 2 bad input (the message
names the notebook and cell; nothing is written).
"""

import argparse
import ast
import builtins
import dataclasses
import difflib
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import tokenize
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = 'd2lsave'
MARKER = '#@save'
LIBRARY_ALIASES = {'d2l', 'd2lsave'}
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
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclasses.dataclass
class Member:
    """A statement in a class body, with the comments just above it."""

    name: str | None
    source: str  # dedented to column 0
    origin: str


@dataclasses.dataclass
class Block:
    """A saved top-level definition."""

    name: str
    kind: str  # 'class', 'def' or 'constant'
    source: str  # for classes: the header up to the first member
    origin: str
    members: list = dataclasses.field(default_factory=list)  # classes only

    def render(self):
        if not self.members:
            return self.source
        parts = [self.source]
        for member in self.members:
            body = member.source
            if member.origin != self.origin:
                body = f'# From {member.origin}\n{body}'
            parts.append(_indent(body))
        return '\n\n'.join(parts)


@dataclasses.dataclass
class Cell:
    """A code cell of a notebook, where error messages should point."""

    notebook: str
    number: int  # 1-based, counting every cell
    source: str

    def error(self, message, line=None):
        return ExtractError(message, self.notebook, self.number, line)


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


def _python_only(source):
    """Blank out IPython magics and shell escapes, keeping line numbers."""
    lines = source.split('\n')
    return '\n'.join('' if line.lstrip()[:1] in ('%', '!') else line for line in lines)


def _parse(cell, source, strict):
    try:
        return ast.parse(source)
    except SyntaxError as err:
        if strict:
            raise cell.error(f'syntax error in saved code: {err.msg}', err.lineno) from err
        return None


def _marker_lines(cell, source):
    """Line numbers (1-based) that carry a `#@save` comment."""
    lines = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and token.string.replace(' ', '') == MARKER:
                lines.append(token.start[0])
    except (tokenize.TokenError, SyntaxError) as err:
        raise cell.error(f'cannot tokenize saved code: {err}') from err
    return lines


# ---------------------------------------------------------------- rewriting


def _strip_alias_prefix(source, aliases):
    """Turn `d2l.Module` into `Module` (the code now lives inside the package)
    and drop the `#@save` markers."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    drop = set()
    for i, token in enumerate(tokens[:-1]):
        if token.type == tokenize.COMMENT and token.string.replace(' ', '') == MARKER:
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


def _without_decorator(lines, node, decorator):
    """The definition's source with one decorator line removed."""
    first = _first_line(node)
    kept = [
        line
        for number, line in enumerate(lines[first - 1 : node.end_lineno], start=first)
        if not decorator.lineno <= number <= decorator.end_lineno
    ]
    return '\n'.join(kept)


# ---------------------------------------------------------------- collecting


@dataclasses.dataclass
class Library:
    """Everything saved so far, in the order the book defines it."""

    blocks: dict = dataclasses.field(default_factory=dict)  # name -> Block
    imports: dict = dataclasses.field(default_factory=dict)  # bound name -> statement

    def add_definition(self, cell, name, node, source):
        """Save a top-level definition, replacing an earlier one of the same name."""
        kind = {ast.ClassDef: 'class', ast.Assign: 'constant', ast.AnnAssign: 'constant'}
        block = Block(name, kind.get(type(node), 'def'), source, cell.notebook)
        if block.kind == 'class':
            _split_class(block, node, source)
        self.blocks[name] = block  # an existing key keeps its place

    def add_method(self, cell, class_name, node, source):
        block = self.blocks.get(class_name)
        if block is None or block.kind != 'class':
            raise cell.error(
                f'add_to_class({class_name}) refers to a class that no earlier '
                f'#@save cell defines; save the class first',
                node.lineno,
            )
        member = Member(node.name, _dedent(source), cell.notebook)
        for i, existing in enumerate(block.members):
            if existing.name == node.name:
                block.members[i] = member
                return
        block.members.append(member)

    def add_import(self, cell, node, aliases):
        for alias in node.names:
            module = node.module if isinstance(node, ast.ImportFrom) else alias.name
            if module and module.split('.')[0] in LIBRARY_ALIASES | {PACKAGE}:
                continue
            if alias.name == '*':
                continue
            bound = alias.asname or alias.name.split('.')[0]
            if isinstance(node, ast.ImportFrom):
                statement = f'from {"." * node.level}{node.module or ""} import {alias.name}'
            else:
                statement = f'import {alias.name}'
            if alias.asname:
                statement += f' as {alias.asname}'
            previous = self.imports.get(bound)
            if previous is not None and previous != statement:
                raise cell.error(
                    f'{bound!r} is imported as `{statement}` here but as '
                    f'`{previous}` in an earlier cell; use one spelling',
                    node.lineno,
                )
            self.imports[bound] = statement


def _split_class(block, node, source):
    """Cut a class into its header and its members so methods can be merged."""
    lines = source.split('\n')
    offset = _first_line(node) - 1
    body = node.body
    start = 0
    header_end = body[0].lineno - 1 - offset - 1  # last header line (0-based)
    # Keep the docstring in the header.
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        header_end = body[0].end_lineno - offset - 1
        start = 1
    members = []
    previous_end = header_end + 1  # 1-based line after which the next member starts
    for statement in body[start:]:
        end = statement.end_lineno - offset
        text = _segment(lines, previous_end + 1, end)
        name = getattr(statement, 'name', None)
        if name is None and isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            name = target.id if isinstance(target, ast.Name) else None
        members.append(Member(name, _dedent(text), block.origin))
        previous_end = end
    block.source = '\n'.join(lines[: header_end + 1])
    block.members = members
    if not members:  # a class whose body is only a docstring
        block.source = source


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
    python = _python_only(cell.source)
    maybe_saved = MARKER in python.replace(' ', '')
    # Unsaved cells may hold anything; they only contribute their imports.
    tree = _parse(cell, python, strict=maybe_saved)
    markers = _marker_lines(cell, python) if maybe_saved else []
    if not markers:
        for node in tree.body if tree else []:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                library.add_import(cell, node, aliases)
        return
    if python != cell.source:
        magic = next(
            i for i, (a, b) in enumerate(zip(python.split('\n'), cell.source.split('\n')), 1)
            if a != b
        )
        raise cell.error('a cell with saved code may not hold IPython magics or shell commands', magic)
    lines = python.split('\n')
    first_code_line = next(i for i, line in enumerate(lines, 1) if line.strip())
    whole_cell = lines[first_code_line - 1].strip().replace(' ', '') == MARKER
    if whole_cell:
        markers.remove(first_code_line)
    saved = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            library.add_import(cell, node, aliases)
            continue
        header = range(_first_line(node), _header_end(node) + 1)
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


def _header_end(node):
    """Last line of a definition's header (decorators and the def/class line)."""
    if isinstance(node, DEFINITIONS):
        return node.body[0].lineno - 1 if node.body[0].lineno > node.lineno else node.lineno
    return node.lineno


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
    target = _add_to_class_target(node, aliases)
    if target is not None:
        decorator, class_name = target
        source = _without_decorator(lines, node, decorator)
        library.add_method(cell, class_name, node, _strip_alias_prefix(source, aliases))
        return
    source = _segment(lines, _first_line(node), node.end_lineno)
    source = _strip_alias_prefix(source, aliases)
    name = getattr(node, 'name', None)
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if len(names) != 1 or len(targets) != 1:
            raise cell.error('a saved assignment must bind exactly one name', node.lineno)
        name = names[0]
    library.add_definition(cell, name, node, source)


def library_aliases(cells):
    """Names under which a notebook imports the package (`import d2lsave as d2l`)."""
    aliases = set(LIBRARY_ALIASES)
    for cell in cells:
        tree = _parse(cell, _python_only(cell.source), strict=False)
        for node in ast.walk(tree) if tree else []:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == PACKAGE and alias.asname:
                        aliases.add(alias.asname)
    return aliases


def collect(root):
    library = Library()
    for path in toc_files(root):
        if path.suffix != '.ipynb':
            continue
        cells = code_cells(path, root)
        aliases = library_aliases(cells)
        for cell in cells:
            collect_cell(library, cell, aliases)
    return library


# ---------------------------------------------------------------- writing


def _bound_names(tree):
    """Every name the code binds anywhere (over-approximates each scope)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split('.')[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def _loaded_names(tree):
    """Names read at module level or by functions that do not import them themselves."""
    found = set()

    def visit(node, local_imports):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            local_imports = local_imports | {
                (alias.asname or alias.name).split('.')[0]
                for sub in ast.walk(node)
                if isinstance(sub, (ast.Import, ast.ImportFrom))
                for alias in sub.names
            }
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in local_imports:
                found.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child, local_imports)

    visit(tree, frozenset())
    return found


def render(library, version):
    """The package's __init__.py (unformatted)."""
    body = '\n\n\n'.join(f'# %% {b.origin}\n{b.render()}' for b in library.blocks.values())
    tree = ast.parse(body)
    used = _loaded_names(tree)
    imports = sorted(s for bound, s in library.imports.items() if bound in used)
    missing = used - _bound_names(tree) - set(dir(builtins)) - set(library.imports)
    if missing:
        raise ExtractError(
            f'the saved code uses {", ".join(sorted(missing))} but no notebook imports '
            f'or saves a definition of it'
        )
    public = [name for name in library.blocks if not name.startswith('_')]
    names = ''.join(f'    {name!r},\n' for name in public)
    return (
        f'{DOCSTRING}\n\n'
        + '\n'.join(imports)
        + f"\n\n__version__ = '{version}'\n__all__ = [\n{names}]\n\n\n"
        + body
        + '\n'
    )


def _ruff(arguments, source, root):
    command = [sys.executable, '-m', 'ruff', *arguments, '--quiet',
               '--stdin-filename', f'{PACKAGE}/__init__.py', '-']
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
    return _ruff(['format', '--config', "format.quote-style='single'"], source, root)


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
    """Map of package file path -> content."""
    version = tomllib.loads((root / 'pyproject.toml').read_text())['project']['version']
    source = render(collect(root), version)
    try:
        compile(source, f'{PACKAGE}/__init__.py', 'exec')
    except SyntaxError as err:
        raise ExtractError(f'the merged code does not compile: {err}') from err
    return {'__init__.py': with_checksum(format_source(source, root))}


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
                    current.splitlines(True), content.splitlines(True),
                    f'{path} (committed)', f'{path} (from the notebooks)',
                )
            )
    if not clean:
        print(f'\n{out_dir} is out of date: run `make extract` (tools/extract_saved.py).')
    return clean


def write(files, out_dir, force):
    """Write the package atomically, refusing to overwrite hand edits."""
    for name in files:
        path = out_dir / name
        if path.exists() and not force and hand_edited(path.read_text()):
            raise ExtractError(
                f'{path} was edited by hand (it differs from what the extractor last '
                f'wrote). Move the change into a #@save cell of a notebook, then run '
                f'again with --force to overwrite it, or `git checkout {path}` to drop it'
            )
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
        files = generate(root)
        if args.check:
            return 0 if check(files, out_dir) else 1
        write(files, out_dir, args.force)
    except ExtractError as err:
        print(f'extract_saved: {err}', file=sys.stderr)
        return 2
    print(f'extract_saved: wrote {", ".join(str(out_dir / n) for n in files)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
