"""CustomResourceDefinitions as a Kubernetes API server uses them: defaulting, pruning, validation.

``CrdCatalog.load(folder)`` reads every ``*.yaml``/``*.yml``/``*.json`` CRD in a folder. For an
object of a known kind, ``catalog.admit(obj)`` does what an API server does on create/update:
it drops ``null`` values of non-nullable fields, applies schema defaults, prunes fields the
schema does not know (reported as unknown-field paths) and validates the rest against the
``openAPIV3Schema``, returning ``FieldError`` records whose ``field``/``reason``/``message``
match the causes of a real ``422 Invalid`` answer, e.g.::

    FieldError(field="spec.type", reason="FieldValueNotSupported",
               message='Unsupported value: "hot": supported values: "cold", "warm", ...')

The supported schema subset is the structural one CRDs may use: ``type``, ``properties``,
``additionalProperties``, ``items``, ``required``, ``enum``, ``pattern``, ``min/maxLength``,
``min/maxItems``, ``minimum``/``maximum``, ``format`` (``date-time``, ``int32``, ``int64``),
``nullable``, ``default``, ``x-kubernetes-int-or-string`` and
``x-kubernetes-preserve-unknown-fields``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from mtv_mcp.core.errors import MtvError

Schema = Mapping[str, Any]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ROOT_META_KEYS = ("apiVersion", "kind", "metadata")


@dataclass(frozen=True)
class FieldError:
    """One rejected field, shaped like a ``StatusCause`` of the API server."""

    field: str
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class Admission:
    """The outcome of admitting an object: the unknown fields pruned and the errors found."""

    unknown_fields: tuple[str, ...] = ()
    errors: tuple[FieldError, ...] = ()


@dataclass(frozen=True)
class PrinterColumn:
    """One ``additionalPrinterColumns`` entry of a CRD version."""

    name: str
    type: str
    json_path: str
    description: str = ""
    priority: int = 0
    format: str = ""


@dataclass(frozen=True)
class CrdVersion:
    """The served version of one CRD: its schema, printer columns and subresources."""

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    schema: Schema
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    printer_columns: tuple[PrinterColumn, ...] = ()
    status_subresource: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"

    def admit(self, obj: dict[str, Any]) -> Admission:
        """Default, prune and validate ``obj`` in place, as the API server does on a write."""
        unknown: list[str] = []
        _normalize(obj, self.schema, "", unknown, root=True)
        errors = list(_validate(obj, self.schema, "", root=True))
        return Admission(unknown_fields=tuple(unknown), errors=tuple(errors))


@dataclass
class CrdCatalog:
    """The CRDs of one folder, by (apiVersion, kind)."""

    definitions: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[tuple[str, str], CrdVersion] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> CrdCatalog:
        """Read every CRD document of ``folder``; raise ``MtvError`` naming a bad file."""
        if not folder.is_dir():
            raise MtvError(
                f"CRD folder {folder} does not exist or is not a directory",
                hint="pass the folder holding the Forklift CRD YAML files, e.g. ../shared/crds",
            )
        catalog = cls()
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml", ".json"):
                continue
            for doc in _read_documents(path):
                if doc.get("kind") == "CustomResourceDefinition":
                    catalog.add(doc, source=str(path))
        return catalog

    def add(self, crd: dict[str, Any], *, source: str = "CRD") -> None:
        """Register one CRD object (``apiextensions.k8s.io/v1``)."""
        try:
            spec = crd["spec"]
            names = spec["names"]
            for version in spec["versions"]:
                if not version.get("served", True):
                    continue
                entry = CrdVersion(
                    group=spec["group"],
                    version=version["name"],
                    kind=names["kind"],
                    plural=names["plural"],
                    singular=names.get("singular", names["kind"].lower()),
                    namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                    schema=(version.get("schema") or {}).get("openAPIV3Schema")
                    or {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                    short_names=tuple(names.get("shortNames", ())),
                    categories=tuple(names.get("categories", ())),
                    printer_columns=tuple(
                        PrinterColumn(
                            name=col["name"],
                            type=col.get("type", "string"),
                            json_path=col["jsonPath"],
                            description=col.get("description", ""),
                            priority=int(col.get("priority", 0)),
                            format=col.get("format", ""),
                        )
                        for col in version.get("additionalPrinterColumns", ())
                    ),
                    status_subresource="status" in (version.get("subresources") or {}),
                )
                self.versions[(entry.api_version, entry.kind)] = entry
        except (KeyError, TypeError) as exc:
            raise MtvError(
                f"{source}: CustomResourceDefinition {crd.get('metadata', {}).get('name')!r} lacks {exc}",
                hint="a CRD needs spec.group, spec.names.kind/plural and spec.versions[].name",
            ) from exc
        self.definitions.append(crd)

    def lookup(self, api_version: str, kind: str) -> CrdVersion | None:
        """The CRD version serving ``kind`` in ``api_version``, if the catalog has it."""
        return self.versions.get((api_version, kind))

    def admit(self, obj: dict[str, Any]) -> Admission:
        """Default, prune and validate ``obj`` in place; objects of unknown kinds pass as they are."""
        crd = self.lookup(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        return crd.admit(obj) if crd else Admission()

    def validate(self, obj: Mapping[str, Any]) -> list[FieldError]:
        """Validation errors of a copy of ``obj`` (defaulted first, like the API server); no changes."""
        candidate = copy.deepcopy(dict(obj))
        return list(self.admit(candidate).errors)


def _read_documents(path: Path) -> Iterator[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
        docs = [json.loads(text)] if path.suffix == ".json" else list(yaml.load_all(text, Loader=_LOADER))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise MtvError(f"cannot read CRD file {path}: {exc}", hint="fix or remove the file") from exc
    yield from (doc for doc in docs if isinstance(doc, dict))


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _preserves_unknown(schema: Schema) -> bool:
    return bool(schema.get("x-kubernetes-preserve-unknown-fields"))


def _normalize(value: Any, schema: Schema, path: str, unknown: list[str], *, root: bool = False) -> None:
    """Drop non-nullable nulls, apply defaults and prune unknown fields, recursively, in place."""
    if isinstance(value, dict):
        props: Mapping[str, Schema] = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key in list(value):
            if root and key in _ROOT_META_KEYS:
                continue
            sub = props.get(key) or (extra if isinstance(extra, Mapping) else None)
            if sub is None:
                if not (_preserves_unknown(schema) or extra is True):
                    unknown.append(_child(path, key))
                    del value[key]
                continue
            if value[key] is None and not sub.get("nullable"):
                del value[key]
                continue
            sub_path = _child(path, key) if key in props else f"{path}[{key}]"
            _normalize(value[key], sub, sub_path, unknown)
        for key, sub in props.items():
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
                _normalize(value[key], sub, _child(path, key), unknown)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            _normalize(item, schema["items"], f"{path}[{index}]", unknown)


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def _quote(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else json.dumps(value, default=str)


def _type_ok(expected: str, actual: str) -> bool:
    return expected == actual or (expected == "number" and actual == "integer")


def _validate(value: Any, schema: Schema, path: str, *, root: bool = False) -> Iterator[FieldError]:
    shown = path or "<root>"
    if value is None:
        if not schema.get("nullable"):
            yield FieldError(
                shown,
                "FieldValueTypeInvalid",
                f'Invalid value: "null": {shown} in body must be of type {schema.get("type", "object")}: "null"',
            )
        return
    actual = _type_of(value)
    if schema.get("x-kubernetes-int-or-string"):
        if actual not in ("integer", "string"):
            yield FieldError(
                shown,
                "FieldValueTypeInvalid",
                f'Invalid value: "{actual}": {shown} in body must be of type integer,string: "{actual}"',
            )
        return
    expected = schema.get("type")
    if expected and not _type_ok(expected, actual):
        yield FieldError(
            shown,
            "FieldValueTypeInvalid",
            f'Invalid value: "{actual}": {shown} in body must be of type {expected}: "{actual}"',
        )
        return
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(_quote(item) for item in schema["enum"])
        yield FieldError(
            shown,
            "FieldValueNotSupported",
            f"Unsupported value: {_quote(value)}: supported values: {allowed}",
        )
    if isinstance(value, str):
        yield from _validate_string(value, schema, shown)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield from _validate_number(value, schema, shown)
    elif isinstance(value, list):
        yield from _validate_array(value, schema, path, shown)
    elif isinstance(value, dict):
        yield from _validate_object(value, schema, path, root=root)


def _validate_string(value: str, schema: Schema, shown: str) -> Iterator[FieldError]:
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        yield FieldError(shown, "FieldValueTooLong", f"Too long: may not be more than {schema['maxLength']} bytes")
    if "minLength" in schema and len(value) < schema["minLength"]:
        yield FieldError(
            shown,
            "FieldValueInvalid",
            f"Invalid value: {_quote(value)}: {shown} in body should be at least {schema['minLength']} chars long",
        )
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, value):
        yield FieldError(
            shown,
            "FieldValueInvalid",
            f"Invalid value: {_quote(value)}: {shown} in body should match '{pattern}'",
        )
    if schema.get("format") == "date-time" and not _is_date_time(value):
        yield FieldError(
            shown,
            "FieldValueInvalid",
            f"Invalid value: {_quote(value)}: {shown} in body must be of type date-time: {_quote(value)}",
        )


def _is_date_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in value.upper()


def _validate_number(value: float, schema: Schema, shown: str) -> Iterator[FieldError]:
    if "minimum" in schema and value < schema["minimum"]:
        yield FieldError(
            shown,
            "FieldValueInvalid",
            f"Invalid value: {_quote(value)}: {shown} in body should be greater than or equal to {schema['minimum']}",
        )
    if "maximum" in schema and value > schema["maximum"]:
        yield FieldError(
            shown,
            "FieldValueInvalid",
            f"Invalid value: {_quote(value)}: {shown} in body should be less than or equal to {schema['maximum']}",
        )
    if schema.get("format") == "int32" and not -(2**31) <= value < 2**31:
        yield FieldError(
            shown,
            "FieldValueInvalid",
            f"Invalid value: {_quote(value)}: {shown} in body must be of type int32",
        )


def _validate_array(value: list[Any], schema: Schema, path: str, shown: str) -> Iterator[FieldError]:
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        yield FieldError(
            shown,
            "FieldValueTooMany",
            f"Too many: {len(value)}: must have at most {schema['maxItems']} items",
        )
    if "minItems" in schema and len(value) < schema["minItems"]:
        yield FieldError(
            shown,
            "FieldValueInvalid",
            f"Invalid value: {len(value)}: {shown} in body should have at least {schema['minItems']} items",
        )
    items = schema.get("items")
    if isinstance(items, Mapping):
        for index, item in enumerate(value):
            yield from _validate(item, items, f"{path}[{index}]")


def _validate_object(value: dict[str, Any], schema: Schema, path: str, *, root: bool) -> Iterator[FieldError]:
    for key in schema.get("required", ()):
        if key not in value:
            yield FieldError(_child(path, key), "FieldValueRequired", "Required value")
    props: Mapping[str, Schema] = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    for key, item in value.items():
        if root and key in _ROOT_META_KEYS:
            continue
        if key in props:
            yield from _validate(item, props[key], _child(path, key))
        elif isinstance(extra, Mapping):
            yield from _validate(item, extra, f"{path}[{key}]")
