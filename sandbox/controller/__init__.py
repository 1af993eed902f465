"""A small Forklift-like migration controller for the sandbox: Migrations become virt-v2v pods."""
