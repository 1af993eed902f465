"""The emulated Kubernetes API of the sandbox: resources, store, selectors, patches, HTTP handlers."""
