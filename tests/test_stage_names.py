"""One name per block: ``nn``, ``acam``, ``econt`` in the package, the CLI and the menu; old kinds warn."""

from __future__ import annotations

from pathlib import Path

import pytest

from triggeremu.stages import ALIASES, KINDS, build_stage


def test_kinds_are_the_package_and_cli_names():
    import firmware_models
    import triggeremu.cli

    assert set(KINDS) == {"nn", "acam", "econt"}
    for kind in KINDS:
        assert hasattr(firmware_models, kind) or __import__(f"firmware_models.{kind}")
        assert __import__(f"triggeremu.cli.{kind}")
    assert triggeremu.cli.main is not None


@pytest.mark.parametrize(("old", "new"), sorted(ALIASES.items()))
def test_old_kind_names_build_the_same_stage_with_one_warning(old, new):
    with pytest.warns(FutureWarning, match=rf"kind '{old}' is the old name of '{new}'; write kind = '{new}'"):
        stage = build_stage({"kind": old}, base_dir=Path("."))
    assert stage.name == old  # default name: the kind as written, so columns keep their prefix
    assert type(stage) is type(build_stage({"kind": new, "name": old}, base_dir=Path(".")))
