"""
Reliability scenarios of nodenet, at two sizes.

Each module here holds one family of scenarios (data integrity, memory under
backpressure, load, descriptor exhaustion, program exit) as plain functions
with a size parameter.  The ``tests/test_reliability_*.py`` modules run them
small enough for CI; ``python -m tests.soak`` runs them at the sizes
``docs/reliability.md`` quotes, prints one verdict line per scenario and
exits non-zero if any failed::

    PYTHONPATH=src python -m tests.soak                # every soak run
    PYTHONPATH=src python -m tests.soak integrity load # some of them
    PYTHONPATH=src python -m tests.soak --list         # their names

None of these modules is a trial test module (their names do not start with
``test_``), so ``trial tests`` does not collect them.
"""
