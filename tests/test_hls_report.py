"""Reading Vivado/Vitis HLS reports: the real csynth.xml files in ../shared, and .rpt summaries."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import pytest

from firmware_models.errors import ModelFormatError
from firmware_models.hls_report import read_hls_report

_REPORTS = Path(os.environ.get("TRIGGEREMU_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "data" / \
    "hls_reports"
_EXCERPTS = Path(__file__).resolve().parent / "data" / "hls_reports"


def _shared(name: str) -> Path:
    path = _REPORTS / name / "csynth.xml"
    if not path.is_file():
        pytest.skip(f"real HLS report {path} absent (../shared/data/hls_reports)")
    return path


def test_jet_tagger_csynth_xml() -> None:
    # numbers from ../shared/data/hls_reports/SOURCE.md: 13 cycles (65 ns), II 1, "function", depth 14
    report = read_hls_report(_shared("hls4ml_tutorial_jet_tagger_vu250"))
    assert (report.latency_best, report.latency_worst, report.interval_min, report.interval_max) == (13, 13, 1, 1)
    assert report.pipeline_type == "function" and report.pipeline_depth == 14
    assert report.target_clock_ns == 5 and report.estimated_clock_ns == Fraction("4.371")
    assert report.resources["DSP48E"] == 1520 and report.timing_met is True
    timing = report.block_timing()
    assert (timing.clock_mhz, timing.latency_cycles, timing.ii_cycles) == (200.0, 13, 1)
    assert timing.latency_ns == 65.0 and timing.source.startswith("report:")


def test_dataflow_csynth_xml() -> None:
    # SOURCE.md: 12 cycles (60 ns), II 2, dataflow
    report = read_hls_report(_shared("l1_jet_tagger_dataflow_vu250"))
    assert (report.latency_worst, report.interval_max, report.pipeline_type) == (12, 2, "dataflow")
    assert report.pipeline_depth is None
    timing = report.block_timing(fifo_depth=4, overflow="backpressure")
    assert (timing.latency_cycles, timing.ii_cycles, timing.ii_fs) == (12, 2, 10_000_000)
    assert (timing.fifo_depth, timing.overflow) == (4, "backpressure")


def test_project_directory_finds_the_report(tmp_path: Path) -> None:
    src = _shared("hls4ml_tutorial_jet_tagger_vu250")
    report_dir = tmp_path / "myproject_prj" / "solution1" / "syn" / "report"
    report_dir.mkdir(parents=True)
    (report_dir / "csynth.xml").write_bytes(src.read_bytes())
    assert read_hls_report(tmp_path).latency_worst == 13


# SYNTHESIZED here (not a real file): the Vivado HLS 2019.2 text layout of <top>_csynth.rpt,
# filled with the numbers of the jet-tagger report above.
_VIVADO_RPT = """

================================================================
== Vivado HLS Report for 'myproject'
================================================================
* Date:           (synthesized for a test)

* Version:        2019.2 (Build 2704478 on Wed Nov 06 22:10:23 MST 2019)
* Project:        myproject_prj
* Solution:       solution1
* Product family: virtexuplus
* Target device:  xcu250-figd2104-2L-e


================================================================
== Performance Estimates
================================================================
+ Timing: 
    * Summary: 
    +--------+---------+----------+------------+
    |  Clock |  Target | Estimated| Uncertainty|
    +--------+---------+----------+------------+
    |ap_clk  | 5.00 ns | 4.371 ns |   0.62 ns  |
    +--------+---------+----------+------------+

+ Latency: 
    * Summary: 
    +---------+---------+-----------+-----------+-----+-----+----------+
    |  Latency (cycles) |   Latency (absolute)  |  Interval | Pipeline |
    |   min   |   max   |    min    |    max    | min | max |   Type   |
    +---------+---------+-----------+-----------+-----+-----+----------+
    |       13|       13| 65.000 ns | 65.000 ns |    1|    1| function |
    +---------+---------+-----------+-----------+-----+-----+----------+

    + Detail: 
        * Instance: 
        +----------+--------+---------+---------+-----------+-----------+-----+-----+----------+
        |          |        |  Latency (cycles) |   Latency (absolute)  |  Interval | Pipeline |
        | Instance | Module |   min   |   max   |    min    |    max    | min | max |   Type   |
        +----------+--------+---------+---------+-----------+-----------+-----+-----+----------+
        |grp_a     |dense_a |        1|        1|  5.000 ns |  5.000 ns |    1|    1| function |
        +----------+--------+---------+---------+-----------+-----------+-----+-----+----------+

================================================================
== Utilization Estimates
================================================================
* Summary: 
+---------------------+---------+-------+---------+---------+------+
|         Name        | BRAM_18K| DSP48E|    FF   |   LUT   | URAM |
+---------------------+---------+-------+---------+---------+------+
|DSP                  |        -|      -|        -|        -|     -|
|Total                |        4|   1520|    11100|    85140|     0|
+---------------------+---------+-------+---------+---------+------+
"""

# SYNTHESIZED: the Vitis HLS (2020+) layout and the old Vivado "+ Latency (clock cycles)" layout.
_VITIS_RPT = """== Vitis HLS Report for 'encoder'
* Version:        2022.2 (Build 3670227 on Oct 13 2022)
* Target device:  xcvu9p-flga2104-2L-e

+ Timing: 
    * Summary: 
    +--------+---------+----------+------------+
    |  Clock |  Target | Estimated| Uncertainty|
    +--------+---------+----------+------------+
    |ap_clk  |  6.25 ns|  5.102 ns|     1.69 ns|
    +--------+---------+----------+------------+

+ Latency: 
    * Summary: 
    +---------+---------+-----------+-----------+-----+-----+---------+
    |  Latency (cycles) |   Latency (absolute)  |  Interval | Pipeline|
    |   min   |   max   |    min    |    max    | min | max |   Type  |
    +---------+---------+-----------+-----------+-----+-----+---------+
    |        9|       11|  56.250 ns|  68.750 ns|    4|    5|      yes|
    +---------+---------+-----------+-----------+-----+-----+---------+
"""

_OLD_RPT = """== Vivado HLS Report for 'myproject'
* Version:        2018.2
+ Timing (ns): 
    * Summary: 
    +--------+-------+----------+------------+
    |  Clock | Target| Estimated| Uncertainty|
    +--------+-------+----------+------------+
    |ap_clk  |   5.00|     4.37 |        0.62|
    +--------+-------+----------+------------+

+ Latency (clock cycles): 
    * Summary: 
    +-----+-----+-----+-----+----------+
    |  Latency  |  Interval | Pipeline |
    | min | max | min | max |   Type   |
    +-----+-----+-----+-----+----------+
    |   13|   13|    1|    1| function |
    +-----+-----+-----+-----+----------+
"""
_NO_LATENCY_RPT = _OLD_RPT.split("+ Latency")[0]


def test_vivado_rpt_synthesized(tmp_path: Path) -> None:
    path = tmp_path / "myproject_csynth.rpt"
    path.write_text(_VIVADO_RPT)
    report = read_hls_report(path)
    assert (report.format, report.top, report.tool_version) == ("rpt", "myproject", "2019.2")
    assert (report.latency_best, report.latency_worst, report.interval_min, report.interval_max) == (13, 13, 1, 1)
    assert (report.target_clock_ns, report.estimated_clock_ns) == (5, Fraction("4.371"))
    assert report.resources == {"BRAM_18K": 4, "DSP48E": 1520, "FF": 11100, "LUT": 85140, "URAM": 0}
    assert report.pipeline_type == "function" and report.part == "xcu250-figd2104-2L-e"
    timing = report.block_timing()
    assert (timing.clock_mhz, timing.latency_cycles, timing.ii_cycles) == (200.0, 13, 1)


def test_vitis_rpt_uses_worst_case_and_max_interval(tmp_path: Path) -> None:
    path = tmp_path / "encoder_csynth.rpt"
    path.write_text(_VITIS_RPT)
    report = read_hls_report(path)
    timing = report.block_timing()
    assert (report.latency_best, timing.latency_cycles, report.interval_min, timing.ii_cycles) == (9, 11, 4, 5)
    assert timing.clock_mhz == 160.0 and report.pipeline_type == "yes"
    assert report.timing_met is False  # 5.102 > 6.25 - 1.69


def test_old_layout_without_ns_units(tmp_path: Path) -> None:
    path = tmp_path / "old_csynth.rpt"
    path.write_text(_OLD_RPT)
    timing = read_hls_report(path).block_timing()
    assert (timing.clock_mhz, timing.latency_cycles, timing.ii_cycles) == (200.0, 13, 1)


def test_rpt_without_latency_section_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cut_csynth.rpt"
    path.write_text(_NO_LATENCY_RPT)
    with pytest.raises(ModelFormatError, match=r"cut_csynth.rpt: no '\+ Latency' section"):
        read_hls_report(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<profile><UserAssignments/></profile>", "no <PerformanceEstimates>"),
        ("<profile><broken>", "not well-formed XML"),
        ("<profile><UserAssignments><TargetClockPeriod>5.00</TargetClockPeriod></UserAssignments>"
         "<PerformanceEstimates><SummaryOfOverallLatency><Best-caseLatency>?</Best-caseLatency>"
         "</SummaryOfOverallLatency></PerformanceEstimates></profile>", "Best-caseLatency is '\\?'"),
        ("<profile><UserAssignments><TargetClockPeriod>5.00</TargetClockPeriod></UserAssignments>"
         "<PerformanceEstimates><SummaryOfOverallLatency><Best-caseLatency>3</Best-caseLatency>"
         "</SummaryOfOverallLatency></PerformanceEstimates></profile>", "missing <SummaryOfOverallLatency/Worst"),
        ("hello", "not a csynth .rpt"),
    ],
)
def test_malformed_reports_name_file_and_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad_csynth.xml"
    path.write_text(content)
    with pytest.raises(ModelFormatError, match=message):
        read_hls_report(path)


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="no such file"):
        read_hls_report(tmp_path / "nope.xml")
    with pytest.raises(ModelFormatError, match="run C synthesis first"):
        read_hls_report(tmp_path)


def test_project_directory_with_other_project_name_finds_the_rpt(tmp_path: Path) -> None:
    # hls4ml's ProjectName sets the top name: l1_encoder_csynth.rpt, l1_encoder_prj/solution1/...
    (tmp_path / "l1_encoder_csynth.rpt").write_text(_VIVADO_RPT)
    assert read_hls_report(tmp_path).latency_worst == 13
    nested = tmp_path / "nested"
    report_dir = nested / "l1_encoder_prj" / "solution1" / "syn" / "report"
    report_dir.mkdir(parents=True)
    (report_dir / "l1_encoder_csynth.rpt").write_text(_VIVADO_RPT)
    assert read_hls_report(nested).latency_worst == 13


def test_hls4ml_report_json(tmp_path: Path) -> None:
    rep = read_hls_report(_EXCERPTS / "hls4ml_baselines" /
                          "Vivado_2020.1__test_keras_api_test_conv2d_io_parallel-Vivado-Resource-same-channels_last.json")
    assert (rep.format, rep.latency_best, rep.latency_worst, rep.interval_min, rep.interval_max) == ("json", 51, 52,
                                                                                                      49, 49)
    assert rep.target_clock_ns == 5 and rep.estimated_clock_ns == Fraction("4.263") and rep.timing_met is True
    assert rep.resources["DSP"] == 740 and rep.available["DSP"] == 12288 and rep.instances == ()
    assert rep.block_timing().source.startswith("report:")


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('{"other": 1}', "no 'CSynthesisReport' object"),
    ('{"CSynthesisReport": {"TargetClockPeriod": "5.00"}}', "has no 'BestLatency'"),
    ('{"CSynthesisReport": {"TargetClockPeriod": "5.00", "BestLatency": "?", "WorstLatency": "2", '
     '"IntervalMin": "1", "IntervalMax": "1"}}', "BestLatency is '\\?'"),
])
def test_bad_hls4ml_json_names_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(ModelFormatError, match=message):
        read_hls_report(path)


def test_rpt_instance_rows_and_their_configs(tmp_path: Path) -> None:
    rep = read_hls_report(_EXCERPTS / "ml_fpgaonpixel_cnn_large_csynth.rpt")
    configs = [i.config for i in rep.instances]
    assert configs[:3] == ["config19", "config2", "relu_config4"] and configs[-1] == "sigmoid_config18"
    pool = rep.instance("config5")
    assert (pool.latency_min, pool.latency_max, pool.interval_min, pool.interval_max) == (107, 107, 107, 107)
    assert rep.to_dict()["instances"][1]["config"] == "config2"
    with pytest.raises(ModelFormatError, match="0 instance rows for 'config99'"):
        rep.instance("config99")
    # the small synthesized .rpt above: its one row, a module without an hls4ml config name
    path = tmp_path / "myproject_csynth.rpt"
    path.write_text(_VIVADO_RPT)
    (row,) = read_hls_report(path).instances
    assert (row.instance, row.module, row.config, row.latency_max) == ("grp_a", "dense_a", None, 1)
    path.write_text(_OLD_RPT)
    assert read_hls_report(path).instances == ()
    # an undefined instance latency ('?') reads as None; the block's own must be defined
    text = (_EXCERPTS / "ml_fpgaonpixel_cnn_large_csynth.rpt").read_text().replace("|      303|      303|", "|        ?|        ?|", 1)
    path.write_text(text)
    assert read_hls_report(path).instance("config2").latency_max is None
