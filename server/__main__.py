"""``python -m mtv_mcp.server`` runs the command line."""

import sys

from mtv_mcp.server.cli import main

sys.exit(main())
