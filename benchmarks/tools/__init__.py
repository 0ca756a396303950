"""One module per tool for workload W1 "customers" (WORKLOAD.md), sharing the harness in ``common``.

Every module has the same interface: ``NAME``, ``FORMAT`` (the file format it writes),
``load()`` (imports the tool: the "import" phase), ``setup(n, seed)`` (builds the generator or
plan), ``generate(n, seed, state)`` (the rows, in memory) and ``write(result, out_dir, ...)``.
Run one as ``python -m benchmarks.tools.faker_w1 --rows 1000 --out /tmp/x``: it prints its
in-process split as one JSON line.
"""

TOOLS = ("rulegen_w1", "numpy_w1", "faker_w1", "mimesis_w1")
