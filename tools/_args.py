"""Argument types every tool shares: a size cap in the schema on each string and list.

Names are capped at Kubernetes' own lengths here; their syntax is checked by ``core`` (the plan
request, ``Kind.path``) with a sentence naming the argument, before any cluster round trip.

The caps keep a call's cost bounded (a 4 MB query, 100k field names or VM names, a 1 MB KARL
rule) while staying far above what a real call needs. They are plain ``maxLength``/``maxItems``
in the schema, so ``tools/list`` grows by a few bytes per argument, not by prose.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

QUERY_MAX = 4000
RULE_MAX = 1000
RULES_MAX = 20
VM_NAME_MAX = 255
VMS_MAX = 1000
FIELD_MAX = 200
FIELDS_MAX = 50


ObjectName = Annotated[str, Field(max_length=253)]
"""The name (or UID) of a Kubernetes object: a DNS-1123 subdomain."""

LabelName = Annotated[str, Field(max_length=63)]
"""A DNS-1123 label: namespace names, new plan names."""

QualifiedName = Annotated[str, Field(max_length=317)]
"""``name`` or ``namespace/name`` of an object."""

NamespaceOrAll = Annotated[str, Field(max_length=63)]
"""A namespace, or ``*`` for all of them."""

SHORT_MAX = 64
LABELS_MAX = 64
LABEL_TEXT_MAX = 8192

Short = Annotated[str, Field(max_length=SHORT_MAX)]
"""A short free-form value: a quantity (``100Gi``), a timestamp."""

Query = Annotated[str, Field(max_length=QUERY_MAX)]
"""A TSL query."""

VmRef = Annotated[str, Field(max_length=VM_NAME_MAX)]
"""A VM's name or inventory id (VM names are free text, not Kubernetes names)."""

VmList = Annotated[list[VmRef], Field(max_length=VMS_MAX)]
"""VM names or ids; only the first few missing ones get suggestions (``core.plan.resolve``)."""

FieldPath = Annotated[str, Field(max_length=FIELD_MAX)]
FieldList = Annotated[list[FieldPath], Field(max_length=FIELDS_MAX)]

KarlRule = Annotated[str, Field(max_length=RULE_MAX)]
KarlRules = KarlRule | Annotated[list[KarlRule], Field(max_length=RULES_MAX)]
"""One KARL rule, several separated by ';', or a list of rules."""

LabelMap = Annotated[dict[str, str], Field(max_length=LABELS_MAX)] | Annotated[str, Field(max_length=LABEL_TEXT_MAX)]
"""Labels or a node selector: a JSON map, or ``k=v,k=v`` text as kubectl-mtv takes it (at most 64
labels; each key and value is then checked against Kubernetes' own limits by ``core``)."""
