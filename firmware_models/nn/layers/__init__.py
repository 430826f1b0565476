"""The layer-kind families of the NN encoder, one module each; importing this registers them all.

Each module defines its kinds' kernels, reference twins, builders and timing rules and
registers them with :func:`firmware_models.nn.registry.register`:

- :mod:`.dense`: ``dense`` (hls4ml latency and resource strategies, every reuse factor);
- :mod:`.dense_da`: ``dense_da`` (da4ml's distributed-arithmetic straight-line code);
- :mod:`.batchnorm`: ``batchnorm`` (``nnet::normalize``);
- :mod:`.activation`: ``relu``, ``leaky_relu``, ``linear``, ``sigmoid``, ``tanh``;
- :mod:`.merge`: ``add``, ``subtract``, ``multiply``, ``average``, ``maximum``, ``minimum``,
  ``concatenate``, ``dot``;
- :mod:`.reshape`: ``reshape`` (Reshape, Flatten: an index map);
- :mod:`.conv`: ``conv`` (Conv1D/Conv2D, pointwise, strided; io_parallel and io_stream; latency, resource);
- :mod:`.pooling`: ``pooling`` (max/average 1D/2D and global, every nnet_pooling.h generation);
- :mod:`.padding`: ``zeropad``, ``cropping``, ``upsampling``, ``transpose`` (index maps);
- :mod:`.embedding`: ``embedding``.

A new family is a new module and one line in :data:`FAMILIES`.
"""

from __future__ import annotations

import importlib

#: the family modules, imported (and so registered) in this order
FAMILIES = ("dense", "dense_da", "batchnorm", "activation", "merge", "reshape", "conv", "pooling", "padding",
            "embedding")

for _name in FAMILIES:
    importlib.import_module(f"{__name__}.{_name}")
