"""Reading an inventory folder: ``providers.json`` plus ``<type>/<provider uid>/<collection>.json``.

``providers.json`` is a list of ``{"type", "object": <Provider CR>, ...extra detail fields}``;
each collection file is a JSON list of full objects as the inventory serves them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mtv_mcp.core.errors import MtvError
from mtv_mcp.sandbox.inventory.model import COLLECTIONS, Inventory, Provider


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MtvError(f"cannot read inventory file {path}: {exc.strerror}", hint="check the data folder") from exc
    except json.JSONDecodeError as exc:
        raise MtvError(
            f"inventory file {path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            hint="fix the JSON syntax",
        ) from exc


def _provider(entry: Any, index: int, source: Path) -> Provider:
    where = f"{source} item {index}"
    if not isinstance(entry, dict) or not isinstance(entry.get("object"), dict):
        raise MtvError(f"{where} must be an object with 'type' and 'object' (the Provider CR)", field="object")
    kind = str(entry.get("type"))
    if kind not in COLLECTIONS:
        raise MtvError(f"{where} has unknown provider type {kind!r}", hint=f"use one of {', '.join(COLLECTIONS)}")
    uid = (entry["object"].get("metadata") or {}).get("uid")
    if not uid:
        raise MtvError(f"{where} has no object.metadata.uid", hint="the inventory is keyed by the Provider's UID")
    extra = {key: value for key, value in entry.items() if key not in ("type", "object")}
    return Provider(type=kind, object=entry["object"], extra=extra)


def load_inventory(folder: Path) -> Inventory:
    """The inventory stored in ``folder`` (see the module doc)."""
    listing = _read(folder / "providers.json")
    if not isinstance(listing, list):
        raise MtvError(f"{folder / 'providers.json'} must be a JSON list of providers")
    inventory = Inventory([_provider(entry, i, folder / "providers.json") for i, entry in enumerate(listing)])
    for provider in inventory.providers:
        base = folder / provider.type / provider.uid
        for path in sorted(base.glob("*.json")):
            collection = path.stem
            if collection not in COLLECTIONS[provider.type]:
                raise MtvError(
                    f"{path}: {provider.type} providers have no collection {collection!r}",
                    hint=f"use one of {', '.join(COLLECTIONS[provider.type])}",
                )
            items = _read(path)
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise MtvError(f"{path} must be a JSON list of objects")
            provider.collections[collection] = items
    return inventory
