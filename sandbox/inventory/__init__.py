"""The emulated Forklift inventory service of the sandbox.

app = create_inventory_app(load_inventory(folder) or folder, identities.check_inventory_request)
big = generate(50_000, seed=1)      # the demo inventory plus 50,000 generated vSphere VMs
"""

from mtv_mcp.sandbox.inventory.app import create_inventory_app
from mtv_mcp.sandbox.inventory.generate import generate
from mtv_mcp.sandbox.inventory.load import load_inventory
from mtv_mcp.sandbox.inventory.model import Inventory, Provider

__all__ = ["Inventory", "Provider", "create_inventory_app", "generate", "load_inventory"]
