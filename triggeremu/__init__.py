"""triggeremu: a streaming, bit-exact, timing-aware emulator of an LHC L1 trigger path.

The application layer. Submodules:

- :mod:`triggeremu.stages` -- pipeline stages wrapping :mod:`firmware_models` blocks,
  and the registry that builds them from a TOML configuration.
- :mod:`triggeremu.menu` -- the trigger menu (seeds, thresholds, prescales) from TOML.
- :mod:`triggeremu.rates` -- rates per seed, pure / proportional rates, totals, errors.
- :mod:`triggeremu.pipeline` -- runs source -> stages -> decisions, in one process or
  over ZeroMQ workers (:mod:`streams.transport`).
- :mod:`triggeremu.cli` -- the ``triggeremu`` command.
"""

__version__ = "0.1.0"
