"""Run the fuzz targets for a given time: ``python -m tests.fuzz.run --minutes 60``.

Each target runs in batches of Hypothesis examples with fresh random seeds until its share of
the time is used. The process runs under an address-space limit (``--memory-gib``) so an input
that makes rulegen allocate without bound fails as a ``MemoryError`` instead of taking the
machine. Every distinct failure (exception type and message head) is printed once with the
input Hypothesis shrank it to, then the counts: inputs run and failures per target.
"""

from __future__ import annotations

import argparse
import resource
import time
import traceback

from hypothesis import HealthCheck, given, settings

from tests.fuzz import strategies, targets

_STRATEGIES = {"loader": strategies.mutated_yaml, "spec": strategies.spec_texts,
               "expression": strategies.expressions}


def _batch(name: str, examples: int, counter: list[int]) -> BaseException | None:
    target = targets.TARGETS[name]

    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(_STRATEGIES[name]())
    def run(value: str) -> None:
        counter[0] += 1
        target(value)

    try:
        run()
    except Exception as exc:
        return exc
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--memory-gib", type=float, default=4.0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--targets", default=",".join(targets.TARGETS))
    args = parser.parse_args()
    limit = int(args.memory_gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    names = args.targets.split(",")
    seen: dict[str, str] = {}
    counts = {name: [0] for name in names}
    failures = dict.fromkeys(names, 0)
    start = time.monotonic()
    for i, name in enumerate(names):
        until = start + args.minutes * 60 * (i + 1) / len(names)
        while time.monotonic() < until:
            exc = _batch(name, args.batch, counts[name])
            if exc is None:
                continue
            failures[name] += 1
            # Hypothesis groups the distinct failures of one batch: each is reported on its own.
            for one in exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]:
                key = f"{name}: {type(one).__name__}: {str(one).splitlines()[0][:200] if str(one) else ''}"
                if key not in seen:
                    seen[key] = "".join(traceback.format_exception(one)[-12:])
                    print(f"FAILURE {key}\n{seen[key]}", flush=True)
    minutes = (time.monotonic() - start) / 60
    print(f"fuzzed {minutes:.1f} min: " + ", ".join(
        f"{name} {counts[name][0]:,} inputs, {failures[name]} failing batches" for name in names))
    print(f"{len(seen)} distinct failures")
    return 1 if seen else 0


if __name__ == "__main__":
    raise SystemExit(main())
