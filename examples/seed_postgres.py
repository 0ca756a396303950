#!/usr/bin/env python
"""Seed a PostgreSQL database from a rulegen spec and print the rows loaded per table.

    python examples/seed_postgres.py examples/tiny_app/shop.yaml postgresql://user:pass@localhost/dev --scale 0.1

The tables are created (keys, foreign keys, checks) and loaded in one transaction: on any
error the database is left as it was, the error is printed and the exit status is 1. Any URL
``rulegen seed`` takes works (``sqlite:///dev.db`` too); this script is the few lines to copy
into a project's own tooling, where ``rulegen seed SPEC --db URL`` is not enough.
"""

from __future__ import annotations

import argparse
import sys

import rulegen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", help="the spec file")
    parser.add_argument("url", help="the database, e.g. postgresql://user:pass@localhost:5432/dev")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the rows of fixed-size tables")
    parser.add_argument("--seed", type=int, default=None, help="the seed (default: the spec's own)")
    parser.add_argument("--if-exists", choices=["fail", "replace", "append"], default="fail",
                        help="what to do with tables already there (default: fail)")
    args = parser.parse_args(argv)
    try:
        counts = rulegen.seed_database(args.spec, args.url, seed=args.seed, scale=args.scale,
                                       if_exists=args.if_exists)
    except rulegen.RulegenError as exc:
        print(f"seed_postgres: {exc}", file=sys.stderr)
        return 1
    width = max(len("total"), *map(len, counts))
    for name, rows in counts.items():
        print(f"{name:<{width}}  {rows:>10,}")
    print(f"{'total':<{width}}  {sum(counts.values()):>10,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
