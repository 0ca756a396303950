"""One module per tool and workload (benchmarks/WORKLOADS.md: W1 customers, W2 orders, W3 numeric), sharing the
harness in ``common``.

Every module has the same interface: ``NAME``, ``FORMAT`` (the file format it writes),
``load()`` (imports the tool: the "import" phase), ``setup(n, seed)`` (builds the generator or
plan), ``generate(n, seed, state)`` (the rows, in memory) and ``write(result, out_dir, ...)``;
tools whose own API generates and writes in one call set ``WRITE_COMBINED`` and have
``write_spec(n, out_dir, seed)`` (``IN_MEMORY = False`` when they have no in-memory result).
Run one as ``python -m benchmarks.tools.faker_w1 --rows 1000 --out /tmp/x``: it prints its
in-process split as one JSON line. ``benchmarks/run.py`` lists which module serves which tool.
"""

TOOLS = ("rulegen_w1", "numpy_w1", "faker_w1", "mimesis_w1")  # W1, in the main environment
W2_TOOLS = ("rulegen_w2", "faker_w2", "mimesis_w2", "snowfakery_w2")
W3_TOOLS = ("rulegen_w3", "numpy_w3")
