"""Output files: --out takes .parquet or .root (a TTree, read back with uproot), every file is announced."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq

from triggeremu.cli import main
from triggeremu.output import FIXED_TYPES_KEY


def test_root_output_holds_the_parquet_columns(tmp_path, capsys):
    import uproot

    pq_path, root_path = tmp_path / "d.parquet", tmp_path / "d.root"
    for out in (pq_path, root_path):
        assert main(["replay", "--synthetic", "15000", "--seed", "3", "--out", str(out), "--quiet"]) == 0
        assert f"wrote {out}" in capsys.readouterr().err
    table = pq.read_table(pq_path)
    with uproot.open(root_path) as f:
        tree = f["Events"]
        assert tree.num_entries == table.num_rows == 15000
        assert list(tree.keys()) == table.column_names
        arrays = tree.arrays(library="np")
        for name in table.column_names:
            col = table.column(name).combine_chunks()
            want = col.flatten().to_numpy().reshape(len(col), -1) if col.type.num_fields else col.to_numpy(zero_copy_only=False)
            np.testing.assert_array_equal(arrays[name].reshape(want.shape), want, err_msg=name)
        assert json.loads(str(f[FIXED_TYPES_KEY])) == {"ad_score": "ap_ufixed<18,14>"}


def test_run_dir_announces_every_file(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["replay", "--synthetic", "3000", "--run-dir", str(run), "--quiet"]) == 0
    err = capsys.readouterr().err
    for name in ("decisions.parquet", "summary.json"):
        assert f"wrote {run / name}" in err
