"""The studio's setting controls, generated from the scenario schema.

Every scalar key of :class:`model.scenario.Scenario` (numbers, true/false, a choice among
fixed words, text) gets one control, found by walking the pydantic models; lists and
mappings (locks, bans, groups, per-type site counts, budget costs, raw solver options) are
set on the map or in the raw YAML editor, which reaches every key. A control's change is
applied as ``--set KEY=VALUE`` is on the command line.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from model.scenario import Scenario

# set elsewhere: the name and region by opening a file, the rest in the YAML editor
SKIPPED = {"name", "description", "extends", "region", "solver.log_file"}


@dataclass(frozen=True)
class Control:
    key: str  # dotted scenario key
    kind: str  # number, flag, choice or text
    description: str
    nullable: bool
    choices: tuple[str, ...] = ()


def _unwrap(annotation: Any) -> tuple[list[Any], bool]:
    """The alternatives of a field's type (Annotated and Optional unwrapped), and nullability."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found: list[Any] = []
        nullable = False
        for arg in typing.get_args(annotation):
            if arg is type(None):
                nullable = True
                continue
            inner, inner_null = _unwrap(arg)
            found += inner
            nullable = nullable or inner_null
        return found, nullable
    return [annotation], False


def _kind(options: list[Any]) -> tuple[str, tuple[str, ...]] | None:
    if len(options) != 1:
        return None
    only = options[0]
    if typing.get_origin(only) is typing.Literal:
        return "choice", tuple(str(a) for a in typing.get_args(only))
    if only is bool:
        return "flag", ()
    if only in (int, float):
        return "number", ()
    if only is str:
        return "text", ()
    return None


def scalar_controls(model: type[BaseModel] = Scenario, prefix: str = "") -> list[Control]:
    """One control per scalar key, depth first, in the schema's order."""
    controls: list[Control] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        if key in SKIPPED:
            continue
        options, nullable = _unwrap(field.annotation)
        nested = [o for o in options if isinstance(o, type) and issubclass(o, BaseModel)]
        if nested and len(options) == 1:
            controls += scalar_controls(nested[0], f"{key}.")
            continue
        kind = _kind(options)
        if kind is not None:
            controls.append(Control(key, kind[0], field.description or "", nullable, kind[1]))
    return controls


def value_at(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node
