"""Kubernetes' own syntax rules for label keys, label values and object names.

Each check returns ``None`` when the text is valid, otherwise a sentence saying what is wrong
(without the offending text, so callers can phrase the context themselves).
"""

from __future__ import annotations

import re

_NAME_PART = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
NAME_PART_MAX = 63
DNS_SUBDOMAIN_MAX = 253


def _name_part_problem(text: str, what: str) -> str | None:
    if not text:
        return f"{what} must not be empty"
    if len(text) > NAME_PART_MAX:
        return f"{what} is {len(text)} characters long; at most {NAME_PART_MAX} are allowed"
    if not _NAME_PART.fullmatch(text):
        return (
            f"{what} may contain only ASCII letters, digits, '-', '_' and '.', "
            "and must start and end with a letter or digit"
        )
    return None


def validate_dns_label(name: str) -> str | None:
    """A DNS-1123 label (namespace names): 1-63 lowercase alphanumerics or '-'."""
    if not name:
        return "the name must not be empty"
    if len(name) > NAME_PART_MAX:
        return f"the name is {len(name)} characters long; at most {NAME_PART_MAX} are allowed"
    if not _DNS_LABEL.fullmatch(name):
        return (
            "the name may contain only lowercase letters, digits and '-', and must start and end with a letter or digit"
        )
    return None


def validate_dns_subdomain(name: str) -> str | None:
    """A DNS-1123 subdomain: dot-separated DNS labels, at most 253 characters."""
    if not name:
        return "the name must not be empty"
    if len(name) > DNS_SUBDOMAIN_MAX:
        return f"the name is {len(name)} characters long; at most {DNS_SUBDOMAIN_MAX} are allowed"
    if any(not _DNS_LABEL.fullmatch(part) for part in name.split(".")):
        return (
            "the name must be lowercase letters, digits, '-' and '.', with every dot-separated "
            "part starting and ending with a letter or digit"
        )
    return None


def validate_label_key(key: str) -> str | None:
    """A label key: an optional DNS-subdomain prefix and '/', then a 1-63 character name."""
    if not key:
        return "a label key must not be empty"
    prefix, slash, name = key.rpartition("/")
    if slash:
        if "/" in prefix:
            return "a label key may contain at most one '/' (prefix/name)"
        problem = validate_dns_subdomain(prefix)
        if problem:
            return f"the key prefix before '/' is not a DNS subdomain: {problem.removeprefix('the ')}"
    return _name_part_problem(name, "the name part of a label key" if slash else "a label key")


def validate_label_value(value: str) -> str | None:
    """A label value: empty, or 1-63 characters following the rule of a key's name part."""
    return None if value == "" else _name_part_problem(value, "a label value")
