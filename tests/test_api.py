"""The Python front door: triggeremu.replay, typed sources, menus as data, results, and the README's example."""

from __future__ import annotations

import doctest
import re
import warnings
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import triggeremu
from triggeremu.errors import ConfigError, UserError
from triggeremu.output import FIXED_TYPES_KEY

ROOT = Path(__file__).resolve().parents[1]
MENU = '[[stages]]\nkind = "nn"\nname = "ad"\n[[seeds]]\nname = "AD"\ncolumn = "ad_score"\nthreshold = 300\n' \
       '[[seeds]]\nname = "SingleMu22"\nobject = "muon"\nthreshold_gev = 22.0\n'


def test_readme_from_python_section_runs(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## From Python\n.*?```python\n(.*?)```", text, re.S)
    assert block, "README.md has no '## From Python' section with a python block"
    monkeypatch.chdir(tmp_path)
    exec(compile(block.group(1), "README.md", "exec"), {})


def test_menu_as_path_text_dict_or_menu_gives_the_same_run(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(MENU)
    src = triggeremu.sources.synthetic(8000, seed=4)
    menus = [str(path), path, MENU, triggeremu.as_menu(MENU).to_dict(), triggeremu.as_menu(MENU)]
    rates = [triggeremu.replay(src, m).rates().column("count").to_pylist() for m in menus]
    assert all(r == rates[0] for r in rates)


@pytest.mark.slow
def test_workers_get_the_menu_as_data_not_a_path(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(MENU)
    menu = triggeremu.load_menu(path)
    path.unlink()  # a worker that re-read the file would fail now
    src = triggeremu.sources.synthetic(12000, seed=5)
    a = triggeremu.replay(src, menu).to_arrow()
    b = triggeremu.replay(src, menu, workers=2).to_arrow()
    assert a.column_names == b.column_names
    for name in a.column_names:
        np.testing.assert_array_equal(a.column(name).to_numpy(), b.column(name).to_numpy(), err_msg=name)


def test_to_arrow_has_the_parquet_columns_and_metadata(tmp_path):
    out = tmp_path / "d.parquet"
    res = triggeremu.replay(triggeremu.sources.synthetic(6000, seed=2), out=out)
    assert res.files == [out]
    mem, disk = res.to_arrow(), pq.read_table(out)
    assert mem.column_names == disk.column_names
    for name in mem.column_names:
        np.testing.assert_array_equal(mem.column(name).to_numpy(), disk.column(name).to_numpy(), err_msg=name)
    assert disk.schema.field("ad_score").metadata[b"fixed_type"] == b"ap_ufixed<18,14>"
    assert b'"ad_score": "ap_ufixed<18,14>"' in disk.schema.metadata[FIXED_TYPES_KEY.encode()]
    assert res.fixed_types == {"ad_score": "ap_ufixed<18,14>"}


def test_rates_table_matches_the_summary():
    res = triggeremu.replay(triggeremu.sources.synthetic(6000, seed=2))
    t = res.rates()
    for row in t.to_pylist():
        assert row["count"] == res.summary["seeds"][row["seed"]]["count"]
        assert row["rate_khz"] == res.summary["seeds"][row["seed"]]["rate_khz"]


def test_hist_counts_every_valid_event_and_splits_by_label():
    res = triggeremu.replay(triggeremu.sources.synthetic(6000, seed=2, signal_fraction=0.1))
    scores = res.to_arrow().column("ad_score").to_numpy()
    h = res.hist("ad_score")
    assert h.sum(flow=True) == scores.size
    assert res.hist("ad_score", label=0).sum(flow=True) + res.hist("ad_score", label=1).sum(flow=True) == scores.size
    with pytest.raises(UserError, match="no per-event column"):
        res.hist("ad_scor")


def test_typed_sources_are_checked_when_built(tmp_path):
    with pytest.raises(ConfigError, match="must be >= 1"):
        triggeremu.sources.synthetic(0)
    with pytest.raises(ConfigError, match="must be in \\[0, 1\\]"):
        triggeremu.sources.calo(10, signal_fraction=1.5)
    with pytest.raises(ConfigError, match="does not exist"):
        triggeremu.sources.root(tmp_path / "nope.root")
    with pytest.raises(ConfigError, match="unknown name 'jet_ptt'"):
        triggeremu.sources.root(__file__, branch_map={"jet_ptt": "x"})
    assert triggeremu.sources.root("root://eos.example//f.root").options["paths"] == ["root://eos.example//f.root"]


def test_calo_source_with_object_seeds_warns_and_stage_mismatch_is_refused():
    with pytest.warns(UserWarning, match="never fire on the calo source"):
        triggeremu.replay(triggeremu.sources.calo(500), MENU.split("[[stages]]")[0] + MENU.split("threshold = 300\n")[1])
    with pytest.raises(ConfigError, match="read calo_cells"):
        triggeremu.replay(triggeremu.sources.synthetic(500), '[[stages]]\nkind = "acam"\n' + MENU.split("threshold = 300\n")[1])


def test_docstring_examples_run():
    import triggeremu.api
    import triggeremu.menu
    import triggeremu.source_specs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # HZZ has no eta branches: the reader says so
        for module in (triggeremu.api, triggeremu.menu, triggeremu.source_specs):
            result = doctest.testmod(module)
            assert result.attempted > 0 and result.failed == 0, module.__name__


def test_to_pandas_gives_the_arrow_columns_or_says_how_to_get_pandas():
    res = triggeremu.replay(triggeremu.sources.synthetic(3000, seed=1))
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(UserError, match="pip install pandas"):
            res.to_pandas()
    else:
        df = res.to_pandas()
        assert list(df.columns) == res.to_arrow().column_names and len(df) == 3000


def test_help_is_plain_text(capsys):
    from triggeremu.cli import main

    for cmd in ("replay", "calibrate", "report", "nn", "acam", "econt", "compare-l1", "menu"):
        with pytest.raises(SystemExit):
            main([cmd, "--help"])
        out = capsys.readouterr().out
        assert "``" not in out and ":func:" not in out and ":class:" not in out, cmd
