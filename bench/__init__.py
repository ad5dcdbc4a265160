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

Modules: ``_harness`` runs the measurements (processes, pinning, the
line protocol with them, interleaving, retries), ``_report`` turns them
into medians, ratios, target checks and Markdown, ``_workloads`` holds the
sizes, ``_worker`` is the entry point of every Python server and client
process, ``_common`` what those share, ``_twisted``, ``_nodenet`` and
``_asyncio`` are the Python stacks, ``node_stack.js`` the Node one, and
``_idle`` the client that holds idle connections open.  The method and a
recorded run are in ``docs/performance.md``.
"""
