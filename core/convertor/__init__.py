"""The virt-v2v convertor pod: how Forklift builds it, how to find it, and how to read it back.

- ``pod_template``: the pod exactly as Forklift creates it (also a plan-less preview form).
- ``progress``: stage, disk, percentage and known errors from a virt-v2v log.
- ``scheduling``: ``FailedScheduling`` event messages decoded into counted reasons with fixes.
"""
