"""Throw-away certificates for serving the sandbox over HTTPS on 127.0.0.1.

kubectl (client-go) only sends kubeconfig credentials over TLS, so the standalone sandbox serves
HTTPS; the kubeconfig carries the API server's self-signed certificate as
``certificate-authority-data``. The inventory Route is served, as on OpenShift, by the ingress
with a certificate of the ingress CA, which is not the API server's CA (``write_ingress``).
"""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class TlsFiles:
    """Where the certificate and key were written, the certificate as base64 PEM, and the PEM of
    the CA that signed it (the certificate itself when self-signed)."""

    cert_path: Path
    key_path: Path
    ca_data: str
    ca_pem: str


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey] | None, *, ca: bool
) -> x509.Certificate:
    """A 30-day certificate for 127.0.0.1/localhost (self-signed without ``issuer``)."""
    issuer_name, issuer_key = issuer or (subject, key)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca or issuer is None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _write(folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey, ca_pem: bytes) -> TlsFiles:
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path, key_path = folder / f"{stem}.crt", folder / f"{stem}.key"
    cert_path.write_bytes(pem)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return TlsFiles(cert_path, key_path, base64.b64encode(pem).decode(), ca_pem.decode())


def write_self_signed(folder: Path) -> TlsFiles:
    """The API server's certificate: a P-256 key and a self-signed certificate (its own CA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate("mtv-mcp sandbox", key, None, ca=True)
    return _write(folder, "sandbox", cert, key, cert.public_bytes(serialization.Encoding.PEM))


def write_ingress(folder: Path) -> TlsFiles:
    """The ingress's certificate for Routes, signed by a separate ingress CA (``ca_pem``)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate("mtv-mcp sandbox ingress-operator", ca_key, None, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate("*.apps.sandbox", key, ("mtv-mcp sandbox ingress-operator", ca_key), ca=False)
    return _write(folder, "ingress", cert, key, ca_cert.public_bytes(serialization.Encoding.PEM))
