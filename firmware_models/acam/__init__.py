"""The analog CAM (ACAM) executing tabularized tree ensembles, bit-exact and timed.

Public API (stable; the ``acam`` pipeline stage and the tabular-VAE flow build on it)::

    from firmware_models import acam
    t = acam.from_sklearn(model, n_bits=16, quantizer=None)
    t = acam.from_xgboost(booster_or_json_or_ubj_path, n_bits=16)
    t = acam.from_conifer(json_path_or_dict)          # n_bits = width of conifer's input precision;
                                                      # sum order (score_sum) from config.backend
    t = acam.from_xtime(npy_path, n_features=..., n_bits=8)
    y = t.predict_raw(x_int, mode="ideal" | "nested" | "physical", sigma=0.0, seed=0,
                      multi_match="sum" | "first", no_match="zero")   # (n, n_classes) int64
    t.predict(x_int); t.predict_float_like(x_int); t.quantize_inputs(x_float); t.stats
    acam.save(t, path); acam.load(path)
    acam.timing.preset("seed-2026"); acam.timing.estimate(t)

Submodules, from the model files to the numbers:

- :mod:`.quantize` -- :class:`InputQuantizer`, float features to unsigned n-bit codes;
- :mod:`.import_sklearn`, :mod:`.import_xgboost`, :mod:`.import_conifer`,
  :mod:`.import_xtime` -- read a model into node arrays with exact integer cuts;
- :mod:`.tabularize` -- node arrays to rows (one per root-to-leaf path);
- :mod:`.table` -- :class:`AcamTable`, the one internal description, and :class:`MatchStats`;
- :mod:`.evaluate` -- ideal / nested / physical evaluation, policies, fixed-point sum;
  :mod:`.walk` compiles rows into a search tree for the fast path, which
  :mod:`.heap` lays out as perfect (heap) or pointer trees walked by
  :mod:`._walk_kernels`; :mod:`.physical`
  holds the 4-bit slicing and the variation model; :mod:`._kernels` the numba kernels
  and :mod:`.reference` their plain twins;
- :mod:`.timing` -- latency, throughput, energy and area (presets and a per-stage model);
- :mod:`.io` -- save/load a table as ``.npz`` with JSON metadata.
"""

from __future__ import annotations

from firmware_models.acam import timing
from firmware_models.acam.errors import AcamInputError
from firmware_models.acam.import_conifer import from_conifer
from firmware_models.acam.import_sklearn import from_sklearn
from firmware_models.acam.import_xgboost import from_xgboost
from firmware_models.acam.import_xtime import from_xtime
from firmware_models.acam.io import load, save
from firmware_models.acam.quantize import InputQuantizer
from firmware_models.acam.table import AcamTable, MatchStats

__all__ = [
    "AcamTable",
    "MatchStats",
    "InputQuantizer",
    "AcamInputError",
    "from_sklearn",
    "from_xgboost",
    "from_conifer",
    "from_xtime",
    "save",
    "load",
    "timing",
]
