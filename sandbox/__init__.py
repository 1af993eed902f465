"""The sandbox: an emulated Forklift cluster on loopback HTTP (a subset of the Kubernetes API, the
Forklift inventory, a small controller and scheduler, seeded with the demo data set) for demos
(``mtv-mcp --demo``) and the tests.

It is not part of the product's interface: no stability promise, it changes with the tests it
serves. It may use ``core/`` models and pure helpers, never the logic it is there to check.
"""
