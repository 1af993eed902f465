"""Where the LALR tables of the TSL and KARL grammars are kept between processes.

Building them takes 35-130 ms (more on a busy machine) on the first query of a process; lark
loads them back in a few milliseconds from its cache file, which carries a hash of the grammar,
the options and the lark version, so a changed grammar is rebuilt. The file is a pickle, so it
lives in this user's own cache directory (``$XDG_CACHE_HOME/mtv-mcp``, mode 0700), never in a
shared temporary directory; where that directory cannot be made, nothing is cached.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def parser_cache(name: str, grammar: str) -> str | bool:
    """lark's ``cache`` argument for the grammar ``name``: a file path, or False (no cache).

    The file name carries a hash of ``grammar``, so checkouts with different grammars do not
    keep replacing each other's file.
    """
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    directory = Path(base) / "mtv-mcp"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if directory.stat().st_uid != os.getuid() or directory.stat().st_mode & 0o022:
            return False
    except OSError:
        return False
    digest = hashlib.sha256(grammar.encode()).hexdigest()[:16]
    return str(directory / f"{name}-{digest}.lark-cache")
