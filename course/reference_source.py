"""The source of a reference function, method or class, as a notebook cell shows it.

``reference_source("common.<function>")`` is the function with its solution markers;
``reference_source("LinearLayer.LinearLayer.forward")`` is the method, dedented, with
``@add_to_class(LinearLayer)`` on top (one method per cell, as d2l.ai builds classes);
with ``members``, a class comes back with its header, docstring and only those members.
"""

import ast
import os
import textwrap

from .paths import REFERENCE_DIR


def _node_lines(lines, node):
    """The lines of a def/class, with its decorators and the trailing comments of its body
    (``### END SOLUTION`` comes after the last statement, where the AST ends)."""
    start = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
    end = node.end_lineno
    indent = node.col_offset
    while (
        end < len(lines)
        and lines[end].strip().startswith("#")
        and (len(lines[end]) - len(lines[end].lstrip()) > indent)
    ):
        end += 1
    return lines[start - 1 : end]


def _names(node):
    """The names a class-body statement defines (a def/class, or assignment targets)."""
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return [node.name]
    return [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]


def _find(body, path, ref):
    node = parent = None
    for name in path:
        parent = node
        found = [
            n for n in body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name
        ]
        if not found:
            raise KeyError(f"{ref}: {name} not found in the reference")
        node = found[0]
        body = node.body
    return node, parent


def _class_with_members(lines, node, members, ref):
    out = lines[node.lineno - 1 : node.body[0].lineno - 1]  # the class statement
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        out += lines[first.lineno - 1 : first.end_lineno]  # the docstring
    defined = set()
    for child in node.body:
        defined.update(_names(child))
        if any(n in members for n in _names(child)):
            out += [""] + _node_lines(lines, child)
    missing = set(members) - defined
    if missing:
        raise KeyError(f"{ref}: no member(s) {sorted(missing)}")
    return "\n".join(out)


def reference_source(ref, members=None):
    """Source of ``module.Name`` or ``module.Class.method`` from autograder/reference."""
    module, *path = ref.split(".")
    with open(os.path.join(REFERENCE_DIR, module + ".py")) as f:
        text = f.read()
    lines = text.splitlines()
    node, parent = _find(ast.parse(text).body, path, ref)
    if isinstance(node, ast.ClassDef) and members is not None:
        return _class_with_members(lines, node, members, ref)
    src = textwrap.dedent("\n".join(_node_lines(lines, node)))
    if isinstance(parent, ast.ClassDef):
        src = f"@add_to_class({parent.name})\n{src}"
    return src
