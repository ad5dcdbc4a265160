"""
nodenet's performance suite: the same workloads in every stack, side by side.

Run it with ``python -m bench`` (``--quick`` for a smoke run of a few
seconds, ``--help`` for the options).  Each measurement starts a fresh
server process and a fresh client process of one stack, pinned to cores,
talking over loopback; the stacks take turns (A B C ... A B C ...) so that
drift of the machine hits them alike, and every figure is also given as a
ratio to raw Twisted measured in the same repetition.

Stacks (``bench._harness.STACKS``):

``twisted``          raw Twisted ``Protocol``/``Factory``, producer-aware
``nodenet``          nodenet's public API on Twisted's default reactor
``nodenet-asyncio``  nodenet on Twisted's asyncio reactor
``nodenet-uvloop``   nodenet on Twisted's asyncio reactor over a uvloop loop
``asyncio``          asyncio Protocols
``uvloop``           asyncio Protocols on uvloop
``streams``          asyncio Streams
``node``             Node's ``net`` (``bench/node_stack.js``)

Workloads (``bench._workloads``): ``bulk``, ``pingpong``,
``pingpong-1core``, ``pipelined``, ``connections``.

Modules: ``_harness`` runs the suite and writes the results, ``_report``
turns them into tables, ``_worker`` is the entry point of every Python
server and client process, ``_twisted``, ``_nodenet``, ``_asyncio`` are the
Python stacks, ``_idle`` is the client that holds idle connections open.
"""
