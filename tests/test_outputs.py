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


def test_requests_and_the_rule_that_vetoed_them(tmp_path):
    """l1a_requested / vetoed_by per event: a low threshold requests often enough that every
    Run-3 rule vetoes some BX; the rule numbers equal the brute-force window count of the
    requests (sequencer_reference), and the columns add up to accepted and the summary."""
    from triggeremu.sequencer_reference import brute_force_rules
    from triggeremu.trigger_rules import RUN3_RULES, absolute_bx

    menu = tmp_path / "busy.toml"
    menu.write_text('[run]\ntrigger_rules = [[1, 3], [2, 25], [3, 100], [4, 240]]\n\n'
                    '[[seeds]]\nname = "SingleJet5"\nobject = "jet"\nthreshold_gev = 5.0\n')
    out = tmp_path / "d.parquet"
    assert main(["replay", "--synthetic", "20000", "--menu", str(menu), "--out", str(out), "--quiet",
                 "--json", str(tmp_path / "s.json")]) == 0
    t = pq.read_table(out).to_pydict()
    req, by = np.array(t["l1a_requested"]), np.array(t["vetoed_by"], dtype=np.uint8)
    assert pq.read_schema(out).field("vetoed_by").type == "uint8"
    np.testing.assert_array_equal(np.array(t["accepted"]), req & (by == 0))
    want = brute_force_rules(absolute_bx(np.array(t["orbit"]), np.array(t["bx"])), req, list(RUN3_RULES))
    np.testing.assert_array_equal(np.where(by == 255, 0, by), want)
    assert set(np.unique(by[req]).tolist()) >= {0, 1, 2, 3, 4}
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["trigger_rules"]["l1a_vetoed"] == int(np.count_nonzero(by[req])) > 0
    assert summary["drop_reasons"]["trigger_rules"] == int(np.count_nonzero(by[req]))
