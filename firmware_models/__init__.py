"""Bit-exact models of hardware blocks over NumPy arrays.

Pure functions of arrays plus explicit state: no sockets, no files beyond model
loading. Submodules:

- :mod:`firmware_models.timing` -- a block's clock, latency, initiation interval and FIFO.
- :mod:`firmware_models.fixed` -- ap_fixed / ap_ufixed types and kernels on raw integers.
- :mod:`firmware_models.nn` -- the hls4ml-style neural-network encoder.
- :mod:`firmware_models.acam` -- the analog CAM executing tabularized tree ensembles.
- :mod:`firmware_models.econt` -- the CMS HGCAL ECON-T concentrator ASIC.
"""
