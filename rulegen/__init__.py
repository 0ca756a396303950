"""rulegen: declarative YAML rules to realistic, consistent, multi-table fake data.

The same spec, seed and rulegen version give byte-identical data, whatever the number of
workers, processes or blocks: every table is generated in fixed-size row blocks whose
randomness depends only on (seed, table, column, block).
"""

from rulegen.api import (
    check,
    compare,
    compile,
    generate,
    infer,
    introspect,
    iter_blocks,
    load,
    lock,
    preview,
    seed_database,
    write,
)
from rulegen.errors import Diagnostic, GenerationError, OutputError, RulegenError, SpecError

__all__ = [
    "Diagnostic",
    "GenerationError",
    "OutputError",
    "RulegenError",
    "SpecError",
    "check",
    "compare",
    "compile",
    "generate",
    "infer",
    "introspect",
    "iter_blocks",
    "load",
    "lock",
    "preview",
    "seed_database",
    "write",
]

__version__ = "0.1.0"
