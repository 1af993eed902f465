"""Which certificate authorities the inventory client trusts: what a cluster user's tools trust.

Without ``--inventory-ca`` / ``--inventory-insecure`` (which stay as overrides), the inventory's
certificate is checked against, together:

- the operating system's trust store (the ``truststore`` package), as ``oc`` and browsers do;
- the CA the kubeconfig (or the service account) gives for the API server;
- on OpenShift, the ingress CA the cluster publishes for Routes: ConfigMap ``default-ingress-cert``
  in ``openshift-config-managed``, key ``ca-bundle.crt`` (openshift/cluster-ingress-operator
  ``pkg/operator/controller/certificate-publisher``), readable by every authenticated user;
- in a pod, the service CA OpenShift mounts with the service account (``service-ca.crt``), which
  signs the ``forklift-inventory`` Service's serving certificate (kubev2v/forklift
  ``operator/roles/forkliftcontroller/templates/controller/service-inventory.yml.j2``); the Route
  re-encrypts, so outside the cluster the ingress certificate is what a client sees
  (``route-inventory.yml.j2`` there).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

import truststore

from mtv_mcp.core.cluster import ClusterClient, ClusterError, kinds
from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import SERVICE_ACCOUNT_DIR
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory.client import TLS_HINT, tls_verify
from mtv_mcp.core.kube_fields import dig

INGRESS_CA_NAMESPACE = "openshift-config-managed"
INGRESS_CA_CONFIGMAP = "default-ingress-cert"
INGRESS_CA_KEY = "ca-bundle.crt"
SERVICE_CA_FILE = SERVICE_ACCOUNT_DIR / "service-ca.crt"


def _read(path: str | Path | None) -> str:
    try:
        return Path(path).read_text(encoding="utf-8") if path else ""
    except OSError:
        return ""


def ingress_ca(cluster: ClusterClient) -> str:
    """The PEM of the cluster's published ingress CA ("" when there is none or it is not readable)."""
    try:
        configmap = cluster.get(kinds.CONFIG_MAP, INGRESS_CA_NAMESPACE, INGRESS_CA_CONFIGMAP)
    except ClusterError:
        return ""
    return str(dig(configmap, "data", INGRESS_CA_KEY) or "")


def cluster_cas(cluster: ClusterClient) -> str:
    """The PEM of every CA the cluster tells its users to trust (see the module docstring)."""
    bundles = (_read(cluster.ca_file), ingress_ca(cluster), _read(SERVICE_CA_FILE))
    return "\n".join(bundle.strip() for bundle in bundles if "BEGIN CERTIFICATE" in bundle)


def inventory_verify(settings: Settings, cas: Callable[[], str]) -> ssl.SSLContext | bool:
    """httpx's ``verify`` for the inventory: the overrides, else the OS store plus ``cas()``."""
    if settings.inventory_insecure or settings.inventory_ca_file is not None:
        return tls_verify(settings.inventory_ca_file, settings.inventory_insecure)
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    extra = cas()
    if extra:
        try:
            context.load_verify_locations(cadata=extra)
        except ssl.SSLError as error:
            message = f"cannot use the cluster's CA certificates for the inventory: {error}"
            raise MtvError(message, hint=TLS_HINT) from error
    return context
