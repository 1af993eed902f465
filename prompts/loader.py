"""Loads the workflow prompt templates and reference documents shipped in this folder.

A workflow is a Markdown file with a YAML front matter (``name``, ``title``, ``description``,
``arguments``: ``name``, ``description``, ``required``, ``default``, ``empty``) and a body in which
``$argument`` placeholders are substituted. ``empty`` is the wording used when an optional
argument is left empty, so a rendered prompt never shows an empty placeholder.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

HERE = Path(__file__).parent
FRONT_MATTER_FENCE = "---\n"


class WorkflowArgument(BaseModel):
    """One argument of a workflow prompt."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    required: bool = False
    default: str = ""
    empty: str = ""

    @model_validator(mode="after")
    def _empty_has_words(self) -> WorkflowArgument:
        if not self.required and not self.default and not self.empty:
            raise ValueError(f"argument {self.name}: an optional argument without a default needs `empty` wording")
        return self

    def described(self) -> str:
        """The description with what leaving the argument out means."""
        if self.required:
            return self.description
        return f"{self.description} (default: {self.default or self.empty})"


class WorkflowPrompt(BaseModel):
    """A prompt template for one workflow of the convertor-optimization guide."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    description: str
    arguments: tuple[WorkflowArgument, ...]
    body: str

    def render(self, values: dict[str, str]) -> str:
        """The body with arguments substituted (defaults for the ones not given)."""
        known = {a.name: values.get(a.name) or a.default or a.empty for a in self.arguments}
        return string.Template(self.body).safe_substitute(known)


class ReferenceDocument(BaseModel):
    """A reference text served as an MCP resource."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    text: str


# libyaml's safe loader when PyYAML was built with it: the pure-Python one takes ~40 ms of start-up.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, object], str]:
    if not text.startswith(FRONT_MATTER_FENCE):
        raise ValueError(f"{path}: a workflow file starts with a '---' front matter")
    header, _, body = text[len(FRONT_MATTER_FENCE) :].partition(f"\n{FRONT_MATTER_FENCE}")
    meta = yaml.load(header, Loader=SAFE_LOADER)
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: the front matter is not a mapping")
    return meta, body.lstrip("\n")


@cache
def load_workflows() -> tuple[WorkflowPrompt, ...]:
    """Every workflow prompt, in file-name order."""
    prompts = []
    for path in sorted((HERE / "workflows").glob("*.md")):
        meta, body = _split_front_matter(path.read_text(encoding="utf-8"), path)
        prompts.append(WorkflowPrompt.model_validate({**meta, "body": body}))
    return tuple(prompts)


@cache
def load_references() -> tuple[ReferenceDocument, ...]:
    """Every reference document (``reference/<name>.md``; the first heading is its title)."""
    documents = []
    for path in sorted((HERE / "reference").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else path.stem
        documents.append(ReferenceDocument(name=path.stem, title=first.lstrip("# "), text=text))
    return tuple(documents)
