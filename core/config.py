"""Server-wide settings: what the command line and environment say, fixed for the process."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

DEFAULT_NAMESPACE = "openshift-mtv"


class Settings(BaseModel):
    """Settings resolved once at start-up; credentials are resolved per call from these."""

    model_config = ConfigDict(frozen=True)

    namespace: str = Field(DEFAULT_NAMESPACE, description="Default namespace of Forklift objects")
    read_only: bool = Field(False, description="Refuse every call that would write to the cluster")
    max_response_chars: int = Field(40_000, ge=0, description="Cap on the text part of tool results (0: no cap)")
    max_structured_chars: int = Field(
        500_000, ge=1000, description="Cap on the JSON of the structured part (the SDK's client fails above 1 MiB)"
    )
    kube_server: str | None = Field(None, description="Kubernetes API URL (--server)")
    kube_token: SecretStr | None = Field(None, description="Bearer token (--token)")
    kubeconfig: Path | None = Field(None, description="kubeconfig file (--kubeconfig)")
    kube_context: str | None = Field(None, description="kubeconfig context (--context)")
    kube_ca_file: Path | None = Field(None, description="CA bundle for the Kubernetes API")
    kube_insecure: bool = Field(False, description="Skip TLS verification of the Kubernetes API")
    inventory_url: str | None = Field(None, description="Forklift inventory base URL")
    inventory_ca_file: Path | None = Field(None, description="CA bundle for the inventory service")
    inventory_insecure: bool = Field(False, description="Skip TLS verification of the inventory")
    request_timeout: float = Field(20.0, gt=0, description="Seconds before a cluster call gives up")
    inventory_cache_seconds: float = Field(120.0, ge=0, description="How long a fetched inventory is reused (0: never)")
    http_server_credentials: bool = Field(
        False, description="HTTP requests without a bearer token run as the server's own identity"
    )
    allowed_kube_servers: tuple[str, ...] = Field(
        (), description="https URLs a request may name in X-Kubernetes-Server (normalised, see core.credentials)"
    )
    call_timeout: float = Field(60.0, gt=0, description="Seconds one tool call may take, cluster calls included")
    max_concurrent_calls: int = Field(16, ge=1, description="Tool calls run at once; more wait for a slot")
