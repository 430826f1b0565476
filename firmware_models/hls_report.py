"""Import a Vivado / Vitis HLS synthesis report: latency, II, clock and resources of a block.

Three formats, one result (:class:`HLSReport`):

- ``csynth.xml`` / ``<top>_csynth.xml`` (``<profile>``: ``UserAssignments/TargetClockPeriod``,
  ``PerformanceEstimates/SummaryOfTimingAnalysis/EstimatedClockPeriod``,
  ``SummaryOfOverallLatency`` Best/Average/Worst-caseLatency, Interval-min/max,
  ``PipelineType``, ``PipelineDepth``; ``AreaEstimates/Resources``);
- the text summary ``<top>_csynth.rpt`` (``== Vivado HLS Report`` or ``== Vitis HLS
  Report``: the ``+ Timing`` clock table and the first row of the ``+ Latency``
  summary table; Vivado 2019 and Vitis 2020+ layouts, and the older (2018)
  ``+ Timing (ns)`` / ``+ Latency (clock cycles)`` layout without absolute times; the ``Total`` row of
  the utilization summary), and the ``+ Detail`` / ``* Instance`` table: one
  :class:`InstanceTiming` per sub-module (an hls4ml layer's function, named with its
  ``config<N>`` struct), in :attr:`HLSReport.instances`;
- the JSON that hls4ml's report reader writes (``{"CSynthesisReport": {"TargetClockPeriod",
  "EstimatedClockPeriod", "BestLatency", "WorstLatency", "IntervalMin", "IntervalMax", resources}}``:
  ``hls4ml.report.read_vivado_report`` / the synthesis baselines of hls4ml's test suite).

:meth:`HLSReport.block_timing` turns it into a :class:`~firmware_models.timing.BlockTiming`
with ``source="report:<path>"`` under :data:`TIMING_CONVENTION`. A path may also be an
hls4ml project directory (``<dir>/<top>_prj/solution1/syn/report/``) or a
``syn/report`` directory. Malformed reports raise
:class:`~firmware_models.errors.ModelFormatError` naming the file and what is missing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from firmware_models.errors import ModelFormatError
from firmware_models.timing import BlockTiming

__all__ = ["HLSReport", "InstanceTiming", "read_hls_report", "find_report", "TIMING_CONVENTION"]

#: How a report becomes a BlockTiming (the numbers a trigger designer must budget for).
TIMING_CONVENTION = {
    "latency_cycles": "Worst-caseLatency (rpt: Latency max)",
    "ii_cycles": "Interval-max (rpt: Interval max)",
    "clock_mhz": (
        "1000 / TargetClockPeriod: the cycle counts are scheduled for the target clock; the estimated "
        "period only says whether timing closes (HLSReport.timing_met)"
    ),
}


@dataclass(frozen=True)
class InstanceTiming:
    """One row of a .rpt's instance table: a sub-module's latency and interval in cycles (None for '?')."""

    instance: str
    module: str
    latency_min: int | None
    latency_max: int | None
    interval_min: int | None
    interval_max: int | None
    pipeline: str | None

    @property
    def config(self) -> str | None:
        """The hls4ml config struct in the module name (``conv_2d_cl_..._config2_s`` -> ``config2``), if any."""
        found = re.findall(r"(?:^|_)((?:[a-z]+_)?config\d+)(?:_|$)", self.module)
        return found[-1] if found else None

    def to_dict(self) -> dict:
        return {"instance": self.instance, "module": self.module, "config": self.config,
                "latency_min": self.latency_min, "latency_max": self.latency_max,
                "interval_min": self.interval_min, "interval_max": self.interval_max, "pipeline": self.pipeline}


@dataclass(frozen=True)
class HLSReport:
    """The performance summary of one HLS synthesis report (times in ns, latencies in cycles)."""

    path: str
    format: str  # "xml" or "rpt"
    top: str | None
    tool_version: str | None
    part: str | None
    target_clock_ns: Fraction
    estimated_clock_ns: Fraction | None
    clock_uncertainty_ns: Fraction | None
    latency_best: int
    latency_average: int | None
    latency_worst: int
    interval_min: int
    interval_max: int
    pipeline_type: str | None
    pipeline_depth: int | None
    resources: dict[str, int] = field(default_factory=dict)
    available: dict[str, int] = field(default_factory=dict)
    #: the .rpt's per-instance rows (empty for csynth.xml and JSON)
    instances: tuple[InstanceTiming, ...] = ()

    @property
    def clock_mhz(self) -> Fraction:
        return Fraction(1000) / self.target_clock_ns

    @property
    def timing_met(self) -> bool | None:
        """Whether the estimated period fits in the target minus the uncertainty (None if unknown)."""
        if self.estimated_clock_ns is None:
            return None
        return self.estimated_clock_ns <= self.target_clock_ns - (self.clock_uncertainty_ns or 0)

    def block_timing(self, *, fifo_depth: int = 16, overflow: str = "drop") -> BlockTiming:
        """The block's timing under :data:`TIMING_CONVENTION`."""
        return BlockTiming(
            clock_mhz=float(self.clock_mhz),
            latency_cycles=self.latency_worst,
            ii_cycles=self.interval_max,
            fifo_depth=fifo_depth,
            overflow=overflow,
            source=f"report:{self.path}",
        )

    def to_dict(self) -> dict:
        return {
            "path": self.path, "format": self.format, "top": self.top, "tool_version": self.tool_version,
            "part": self.part, "target_clock_ns": float(self.target_clock_ns),
            "estimated_clock_ns": None if self.estimated_clock_ns is None else float(self.estimated_clock_ns),
            "latency_best": self.latency_best, "latency_average": self.latency_average,
            "latency_worst": self.latency_worst, "interval_min": self.interval_min,
            "interval_max": self.interval_max, "pipeline_type": self.pipeline_type,
            "pipeline_depth": self.pipeline_depth, "timing_met": self.timing_met, "resources": dict(self.resources),
            "instances": [i.to_dict() for i in self.instances],
        }

    def instance(self, config: str) -> InstanceTiming:
        """The instance row of the layer whose config struct is ``config`` (e.g. ``"config2"``)."""
        rows = [i for i in self.instances if i.config == config]
        if len(rows) != 1:
            have = sorted({str(i.config) for i in self.instances})
            msg = f"HLS report {self.path}: {len(rows)} instance rows for {config!r}; configs present: {have}"
            raise ModelFormatError(msg)
        return rows[0]


def _bad(path: Path, what: str) -> ModelFormatError:
    return ModelFormatError(f"HLS report {path}: {what}")


def _number(text: str | None, path: Path, what: str) -> Fraction:
    value = (text or "").strip()
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]*)?)\s*(ns)?", value)
    if match is None:
        raise _bad(path, f"{what} is {value!r}, expected a number")
    return Fraction(match.group(1))


def _integer(text: str | None, path: Path, what: str) -> int:
    value = (text or "").strip()
    if not re.fullmatch(r"[0-9]+", value):
        raise _bad(path, f"{what} is {value!r}, expected a whole number of cycles (undefined latency cannot be used)")
    return int(value)


def _read_xml(path: Path) -> HLSReport:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise _bad(path, f"not well-formed XML ({err})") from None
    perf = root.find("PerformanceEstimates")
    if perf is None:
        raise _bad(path, "no <PerformanceEstimates> element; is this a csynth.xml from Vivado/Vitis HLS?")
    lat = perf.find("SummaryOfOverallLatency")
    if lat is None:
        raise _bad(path, "no <PerformanceEstimates>/<SummaryOfOverallLatency> element")

    def text(node, tag: str) -> str | None:
        el = node.find(tag) if node is not None else None
        return None if el is None else (el.text or "").strip()

    def required(node, tag: str, where: str) -> str:
        value = text(node, tag)
        if value is None:
            raise _bad(path, f"missing <{where}/{tag}>")
        return value

    user = root.find("UserAssignments")
    target = _number(required(user, "TargetClockPeriod", "UserAssignments"), path, "TargetClockPeriod")
    est = text(perf.find("SummaryOfTimingAnalysis"), "EstimatedClockPeriod")
    unc = text(user, "ClockUncertainty")
    avg = text(lat, "Average-caseLatency")
    depth = text(lat, "PipelineDepth")
    res = root.find("AreaEstimates/Resources")
    avail = root.find("AreaEstimates/AvailableResources")
    return HLSReport(
        path=str(path), format="xml", top=text(user, "TopModelName"),
        tool_version=text(root.find("ReportVersion"), "Version"), part=text(user, "Part"),
        target_clock_ns=target,
        estimated_clock_ns=None if est is None else _number(est, path, "EstimatedClockPeriod"),
        clock_uncertainty_ns=None if unc is None else _number(unc, path, "ClockUncertainty"),
        latency_best=_integer(required(lat, "Best-caseLatency", "SummaryOfOverallLatency"), path, "Best-caseLatency"),
        latency_average=None if avg is None else _integer(avg, path, "Average-caseLatency"),
        latency_worst=_integer(required(lat, "Worst-caseLatency", "SummaryOfOverallLatency"), path,
                               "Worst-caseLatency"),
        interval_min=_integer(required(lat, "Interval-min", "SummaryOfOverallLatency"), path, "Interval-min"),
        interval_max=_integer(required(lat, "Interval-max", "SummaryOfOverallLatency"), path, "Interval-max"),
        pipeline_type=text(perf, "PipelineType"),
        pipeline_depth=None if depth in (None, "") else _integer(depth, path, "PipelineDepth"),
        resources=_resources(res), available=_resources(avail),
    )


def _resources(node) -> dict[str, int]:
    out: dict[str, int] = {}
    if node is not None:
        for child in node:
            value = (child.text or "").strip()
            if value.isdigit():
                out[child.tag] = int(value)
    return out


_TITLE = re.compile(r"==\s*(Vivado|Vitis)\s+HLS\s+Report\s+for\s+'([^']+)'")
_FIELD = re.compile(r"^\*\s*([A-Za-z ]+?):\s*(.+?)\s*$", re.MULTILINE)
_CLOCK_ROW = re.compile(
    r"^\s*\|\s*ap_clk\s*\|\s*([0-9.]+)\s*(?:ns)?\s*\|\s*([0-9.]+)\s*(?:ns)?\s*\|\s*([0-9.]+)\s*(?:ns)?\s*\|",
    re.MULTILINE,
)


def _table_rows(block: str) -> list[list[str]]:
    """Cells of the data rows of the first ASCII table in ``block``."""
    rows = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("|") and line.endswith("|"):
            rows.append([c.strip() for c in line.strip("|").split("|")])
        elif rows and not line.startswith("+"):
            break
    return rows


def _read_rpt(path: Path) -> HLSReport:
    text = path.read_text(errors="replace")
    title = _TITLE.search(text)
    if title is None:
        raise _bad(path, "no '== Vivado HLS Report for' / '== Vitis HLS Report for' title; not a csynth .rpt")
    fields = {k.strip().lower(): v for k, v in _FIELD.findall(text)}
    clock = _CLOCK_ROW.search(text)
    if clock is None:
        raise _bad(path, "no clock row (| ap_clk | <target> | <estimated> | <uncertainty> |) under '+ Timing'")
    lat_at = re.search(r"^\+\s*Latency[^\n]*:\s*$", text, re.MULTILINE)
    if lat_at is None:
        raise _bad(path, "no '+ Latency' section")
    rows = _table_rows(text[lat_at.end():].split("+ Detail", 1)[0])
    data = [r for r in rows if r and re.fullmatch(r"[0-9?]+", r[0])]
    if not data:
        raise _bad(path, "no data row in the '+ Latency' summary table")
    row = data[0]
    if len(row) == 7:  # latency min/max, absolute min/max, interval min/max, pipeline type
        lat_min, lat_max, ii_min, ii_max, ptype = row[0], row[1], row[4], row[5], row[6]
    elif len(row) == 5:  # older layout: latency min/max, interval min/max, type
        lat_min, lat_max, ii_min, ii_max, ptype = row
    else:
        raise _bad(path, f"latency summary row has {len(row)} cells, expected 7 (or 5 in the old layout): {row}")
    return HLSReport(
        path=str(path), format="rpt", top=title.group(2), tool_version=fields.get("version", "").split(" ")[0] or None,
        part=fields.get("target device"),
        target_clock_ns=Fraction(clock.group(1)), estimated_clock_ns=Fraction(clock.group(2)),
        clock_uncertainty_ns=Fraction(clock.group(3)),
        latency_best=_integer(lat_min, path, "Latency min"), latency_average=None,
        latency_worst=_integer(lat_max, path, "Latency max"),
        interval_min=_integer(ii_min, path, "Interval min"), interval_max=_integer(ii_max, path, "Interval max"),
        pipeline_type=ptype or None, pipeline_depth=None, resources=_rpt_resources(text),
        instances=_rpt_instances(text, path),
    )


def _cycles(cell: str, path: Path) -> int | None:
    if cell.strip() == "?":
        return None
    return _integer(cell, path, "an instance's latency or interval")


def _rpt_instances(text: str, path: Path) -> tuple[InstanceTiming, ...]:
    """The rows of the first '* Instance:' table under the latency '+ Detail:' (none if absent)."""
    lat_at = re.search(r"^\+\s*Latency[^\n]*:\s*$", text, re.MULTILINE)
    detail = text[lat_at.end():].split("== Utilization Estimates", 1)[0] if lat_at else ""
    at = detail.find("* Instance:")
    if at < 0:
        return ()
    out = []
    for row in _table_rows(detail[at:]):
        if len(row) not in (9, 7) or not row[0] or row[0] == "Instance" or not re.fullmatch(r"[0-9?]+", row[2]):
            continue
        lat_min, lat_max = row[2], row[3]
        ii_min, ii_max = (row[6], row[7]) if len(row) == 9 else (row[4], row[5])
        out.append(InstanceTiming(instance=row[0], module=row[1], latency_min=_cycles(lat_min, path),
                                  latency_max=_cycles(lat_max, path), interval_min=_cycles(ii_min, path),
                                  interval_max=_cycles(ii_max, path), pipeline=row[-1] or None))
    return tuple(out)


def _read_json(path: Path) -> HLSReport:
    """hls4ml's report JSON (``{"CSynthesisReport": {...}}``)."""
    import json

    try:
        doc = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise _bad(path, f"not valid JSON ({err})") from None
    rep = doc.get("CSynthesisReport") if isinstance(doc, dict) else None
    if not isinstance(rep, dict):
        raise _bad(path, "no 'CSynthesisReport' object; is this hls4ml's report JSON?")

    def need(key: str) -> str:
        if key not in rep:
            raise _bad(path, f"CSynthesisReport has no {key!r}")
        return str(rep[key])

    est = rep.get("EstimatedClockPeriod")
    res = {k: int(v) for k, v in rep.items() if k in ("BRAM_18K", "DSP", "DSP48E", "FF", "LUT", "URAM")
           and str(v).isdigit()}
    avail = {k[len("Available"):]: int(v) for k, v in rep.items() if k.startswith("Available") and str(v).isdigit()}
    return HLSReport(
        path=str(path), format="json", top=None, tool_version=None, part=None,
        target_clock_ns=_number(need("TargetClockPeriod"), path, "TargetClockPeriod"),
        estimated_clock_ns=None if est is None else _number(str(est), path, "EstimatedClockPeriod"),
        clock_uncertainty_ns=None,
        latency_best=_integer(need("BestLatency"), path, "BestLatency"), latency_average=None,
        latency_worst=_integer(need("WorstLatency"), path, "WorstLatency"),
        interval_min=_integer(need("IntervalMin"), path, "IntervalMin"),
        interval_max=_integer(need("IntervalMax"), path, "IntervalMax"),
        pipeline_type=None, pipeline_depth=None, resources=res, available=avail,
    )


def _rpt_resources(text: str) -> dict[str, int]:
    at = text.find("== Utilization Estimates")
    if at < 0:
        return {}
    rows = _table_rows(text[at:].split("* Summary", 1)[-1])
    if not rows:
        return {}
    header = rows[0]
    for row in rows[1:]:
        if row and row[0] == "Total":
            return {h: int(v) for h, v in zip(header[1:], row[1:]) if v.isdigit()}
    return {}


def find_report(path: str | Path) -> Path:
    """The report file for a file, a ``syn/report`` directory or an hls4ml project directory."""
    p = Path(path)
    if p.is_file():
        return p
    if not p.is_dir():
        msg = f"HLS report {p}: no such file or directory"
        raise ModelFormatError(msg)
    candidates = [p / "csynth.xml", *sorted(p.glob("*_csynth.xml"))]
    candidates += sorted(p.glob("*_prj/solution*/syn/report/csynth.xml"))
    # <top>_csynth.*: any project name (hls4ml's ProjectName, not only myproject)
    candidates += [*sorted(p.glob("*_csynth.rpt")), *sorted(p.glob("*_prj/solution*/syn/report/*_csynth.rpt"))]
    for c in candidates:
        if c.is_file():
            return c
    msg = (f"HLS report {p}: no csynth.xml or <top>_csynth.rpt found (looked in the directory and in "
           "<top>_prj/solution*/syn/report/); run C synthesis first or give the report file")
    raise ModelFormatError(msg)


def read_hls_report(path: str | Path) -> HLSReport:
    """Parse a ``csynth.xml``, a ``*_csynth.rpt`` or hls4ml's report JSON (or find one under a project directory)."""
    p = find_report(path)
    head = p.read_bytes()[:512].lstrip()
    if head.startswith(b"<"):
        return _read_xml(p)
    if head.startswith(b"{"):
        return _read_json(p)
    return _read_rpt(p)
