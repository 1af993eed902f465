"""Forklift Plan, NetworkMap and StorageMap: models, builders, checks, patches and comparisons.

``build_plan_objects`` produces what ``kubectl mtv create plan`` would create for the same
inputs (including the automatic maps), with warnings and the equivalent command line;
``plan_patch`` computes placement changes for an existing plan; ``compare_plans`` tells whether
an existing plan already is the desired one; ``running_migration_reason`` whether a plan runs.
"""

from __future__ import annotations

from mtv_mcp.core.plan.builder import PlanBuild, build_plan_objects, map_owner_patch, objects_as_yaml, owner_reference
from mtv_mcp.core.plan.compare import PlanComparison, compare_plans
from mtv_mcp.core.plan.labels import format_key_values, parse_key_values
from mtv_mcp.core.plan.models import NetworkMap, Plan, StorageMap
from mtv_mcp.core.plan.patch import PlacementChanges, PlanPatch, plan_patch
from mtv_mcp.core.plan.request import PlanRequest
from mtv_mcp.core.plan.running import running_migration_reason

__all__ = [
    "NetworkMap",
    "PlacementChanges",
    "Plan",
    "PlanBuild",
    "PlanComparison",
    "PlanPatch",
    "PlanRequest",
    "StorageMap",
    "build_plan_objects",
    "compare_plans",
    "format_key_values",
    "map_owner_patch",
    "objects_as_yaml",
    "owner_reference",
    "parse_key_values",
    "plan_patch",
    "running_migration_reason",
]
