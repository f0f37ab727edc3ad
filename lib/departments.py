"""The meeting's departments, and which department owns (maintains) which table."""
from __future__ import annotations

DEPARTMENTS = ("sales", "pmc", "purchasing", "quality", "engineering")

# The coordination meeting's agenda, in the seed's order.
AGENDA = ("actions", "sales", "pmc", "purchasing", "quality", "engineering", "decisions", "close")

CAUSES = ("man", "machine", "material", "method", "environment", "measurement")  # 人机料法环测

TABLE_OWNER = {
    "customers": "sales", "order_lines": "sales", "order_changes": "sales", "shipments": "sales",
    "complaints": "sales", "promise_history": "sales",
    "work_centers": "pmc", "order_operations": "pmc", "calendar": "pmc", "production_plan": "pmc", "production_actual": "pmc",
    "variance_notes": "pmc", "downtime": "pmc",
    "suppliers": "purchasing", "materials": "purchasing", "purchase_orders": "purchasing",
    "receipts": "purchasing", "price_history": "purchasing", "inventory": "purchasing",
    "inspections": "quality",
    "products": "engineering", "routings": "engineering", "bom": "engineering",
    "npi_projects": "engineering", "npi_milestones": "engineering", "drawings": "engineering",
    "engineering_changes": "engineering", "engineering_change_products": "engineering",
    "improvements": "engineering",
}


def owner_of(table: str) -> str | None:
    """The department that maintains `table`, or None for meeting/governance tables."""
    return TABLE_OWNER.get(table)
