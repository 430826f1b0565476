"""Time and transport for triggeremu.

Submodules:

- :mod:`streams.clock` -- the LHC bunch-crossing clock in integer time and filling schemes.
- :mod:`streams.schema` -- the Arrow batch schema (orbit, bx, event, payload columns).
- :mod:`streams.hwunits` -- conversion of physics objects to L1 hardware units and the
  57-value anomaly-detection input vector.
- :mod:`streams.synthetic` -- seeded synthetic event sources.
- :mod:`streams.root_source` -- ROOT replay through uproot and awkward
  (:mod:`streams.root_layouts` detects NanoAOD / Px-Py-Pz-E / Delphes,
  :mod:`streams.root_convert` turns chunks into columns).
- :mod:`streams.sourcebase` -- re-batching into whole-orbit batches, source options.
- :mod:`streams.hwkernels` -- numba kernels behind :mod:`streams.hwunits`.
- :mod:`streams.calo` -- synthetic electromagnetic showers in 48 calorimeter cells;
  :mod:`streams.calo_delphes` bins Delphes ``Tower`` branches into the same cells.
- :mod:`streams.wire` -- the ZeroMQ wire format (header frame + Arrow IPC or task body).
- :mod:`streams.transport` -- source -> workers -> sink over ZeroMQ sockets: the entry
  point (heartbeats, re-dispatch of a dead worker's batches, a bounded reorder buffer);
  :mod:`streams.transport_worker` (source and worker processes),
  :mod:`streams.transport_sink` (the sink's I/O thread), :mod:`streams.transport_ledger`
  (reorder buffer, loss and duplicate accounting), :mod:`streams.transport_endpoints`
  (where sockets bind, and their size limits).

This package knows nothing about firmware or about the application; ``triggeremu``
imports it, never the other way round.
"""
