"""Every action code and object type the code base writes to the audit trail has a name in both languages.

The codes are found in the source: a call's ``action=`` argument that is a literal code, an f-string
``"app.object.{verb}"`` or a parameter of the enclosing helper, whose values are then read from that
helper's calls in the same module (``_audit(actor, "convert", report, before)``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps

from minesweep.audit import labels
from minesweep.audit.labels import action_label, object_label

PACKAGE = Path(__file__).resolve().parents[2]
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+){1,2}$")


def _sources() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path


def _params(function: ast.FunctionDef) -> list[str]:
    arguments = function.args
    return [a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]]


def _enclosing(tree: ast.Module) -> dict[ast.AST, ast.FunctionDef]:
    """Each node → the innermost function around it."""
    owner: dict[ast.AST, ast.FunctionDef] = {}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            for node in ast.walk(function):
                owner[node] = function  # inner functions are walked later and win
    return owner


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _argument(call: ast.Call, function: ast.FunctionDef, param: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == param:
            return keyword.value
    positional = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
    if param in positional and positional.index(param) < len(call.args):
        return call.args[positional.index(param)]
    return None


class _Module:
    """One source file: its helpers by name and a resolver of the values an ``action`` expression takes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.owner = _enclosing(self.tree)
        self.functions = {f.name: f for f in ast.walk(self.tree) if isinstance(f, ast.FunctionDef)}
        self.unresolved: list[str] = []

    def values(self, node: ast.expr, depth: int = 0) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.values(node.body, depth) | self.values(node.orelse, depth)
        if isinstance(node, ast.JoinedStr):
            return self._joined(node, depth)
        if isinstance(node, ast.Name) and depth < 4:
            return self._parameter(node, depth)
        if isinstance(node, ast.Subscript):
            return self._table(node)
        self.unresolved.append(f"{self.path.relative_to(PACKAGE)}:{node.lineno} {ast.unparse(node)}")
        return set()

    def _joined(self, node: ast.JoinedStr, depth: int) -> set[str]:
        results = {""}
        for part in node.values:
            if isinstance(part, ast.Constant):
                options = {str(part.value)}
            else:
                assert isinstance(part, ast.FormattedValue)
                options = self.values(part.value, depth)
            results = {r + o for r in results for o in options}
        return results

    def _table(self, node: ast.Subscript) -> set[str]:
        """``WRITES[kind][1]``: every code in the module-level table ``WRITES``."""
        root: ast.expr = node
        while isinstance(root, ast.Subscript):
            root = root.value
        for statement in self.tree.body:
            target: ast.expr
            if isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target, value = statement.target, statement.value
            elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
            else:
                continue
            if isinstance(root, ast.Name) and isinstance(target, ast.Name) and target.id == root.id:
                return {
                    c.value
                    for c in ast.walk(value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and CODE.match(c.value)
                }
        self.unresolved.append(f"{self.path.relative_to(PACKAGE)}:{node.lineno} {ast.unparse(node)}")
        return set()

    def _parameter(self, name: ast.Name, depth: int) -> set[str]:
        """A helper's parameter: the values its callers in this module pass."""
        function = self.owner.get(name)
        if function is None or name.id not in _params(function):
            self.unresolved.append(f"{self.path.relative_to(PACKAGE)}:{name.lineno} {name.id}")
            return set()
        found: set[str] = set()
        for call in ast.walk(self.tree):
            if isinstance(call, ast.Call) and _called_name(call) == function.name:
                passed = _argument(call, function, name.id)
                if passed is not None:
                    found |= self.values(passed, depth + 1)
        return found

    def audit_actions(self) -> set[str]:
        """Values of ``action=`` in calls to the audit helpers (``audit_record``, ``record``, ``AuditEntry``
        and the modules' own ``_audit``/``_save``/...: any call whose ``action`` takes a dotted code)."""
        found: set[str] = set()
        for call in ast.walk(self.tree):
            if not isinstance(call, ast.Call) or _called_name(call) not in AUDIT_CALLS:
                continue
            for keyword in call.keywords:
                if keyword.arg == "action":
                    found |= self.values(keyword.value)
            if _called_name(call) == "AuditEntry" and call.args:
                found |= self.values(call.args[0])
        return found


#: The functions that write an audit event and take its code as ``action``.
AUDIT_CALLS = {"audit_record", "record", "AuditEntry"}


def _recorded_actions() -> tuple[set[str], list[str]]:
    actions: set[str] = set()
    unresolved: list[str] = []
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        if "audit_record" not in source and "AuditEntry" not in source and " record(" not in source:
            continue
        module = _Module(path)
        actions |= module.audit_actions()
        unresolved += module.unresolved
    return actions, unresolved


def _tuple_targets() -> set[str]:
    """Object types written as ``target=("app.thing", id)``."""
    found: set[str] = set()
    for path in _sources():
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call):
                continue
            for keyword in call.keywords:
                value = keyword.value
                if keyword.arg == "target" and isinstance(value, ast.Tuple) and value.elts:
                    first = value.elts[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        found.add(first.value)
    return found


def test_it_finds_the_audit_actions_in_the_source():
    actions, unresolved = _recorded_actions()
    assert not unresolved, f"action codes the test cannot read (write them as literals): {unresolved}"
    # The scan sees the literal, f-string and helper-parameter forms (the walk's unlabelled ones among them).
    assert {
        "cases.case.file",
        "reports.report.convert",
        "credit.listing.publish",
        "jobs.job.enqueue",
    } <= actions
    assert {"documents.act.number", "reports.report.read", "cases.track.letter"} <= actions
    assert all(CODE.match(a) for a in actions), sorted(a for a in actions if not CODE.match(a))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_names_every_action_the_code_records(language):
    from django.utils import translation

    actions, _ = _recorded_actions()
    with translation.override(language):
        unnamed = sorted(a for a in actions if action_label(a) == a)
    assert not unnamed, f"audit actions without a label in labels.py: {unnamed}"


def test_it_names_every_kind_of_object_the_trail_can_hold():
    types = {m._meta.label_lower for m in apps.get_models() if m.__module__.startswith("minesweep.")}
    types |= {"auth.user"} | _tuple_targets()
    unnamed = sorted(t for t in types if object_label(t) == t)
    assert not unnamed, f"object types without a label in labels.py: {unnamed}"


def test_it_gives_each_name_in_both_languages():
    for table in (labels.OBJECTS, labels.VERBS, labels.RECORD_TYPES):
        for code, (zh, en) in table.items():
            assert zh and en and zh != en, code


def test_it_names_the_rows_the_walk_found_raw():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert action_label("reports.report.read") == "举报 · 查看内容"
        assert action_label("documents.act.number") == "文号 · 分配"
        assert object_label("reports.reportattachment") == "举报附件"
    with translation.override("en"):
        assert action_label("reports.report.convert") == "Report · converted to a lead"
        assert object_label("documents.act") == "Document number"
