"""ECON-T register files: the three dialects, defaults, and clear errors."""

from __future__ import annotations

import pytest

from firmware_models.econt import Algorithm, config_from_mapping, load_init_yaml
from firmware_models.errors import ModelFormatError


def test_defaults_are_the_register_map_reset_values():
    cfg = config_from_mapping({})
    assert (cfg.algorithm, cfg.n_links, cfg.use_sum, cfg.stc_type) == (Algorithm.THRESHOLD_SUM, 2, True, 1)
    assert (cfg.buff_t1, cfg.buff_t2, cfg.buff_t3, cfg.tx_sync_word) == (48, 511, 0, 1807)
    assert cfg.mux == tuple(range(48)) and cfg.cal == (2048,) * 48


def test_p2_dialect_mask_and_cell_order():
    cfg = config_from_mapping({"ConfigAlgo": {"Global": {"alg_type": 3, "alg_high_density": 1}},
                               "AlgoDroplsb": {"Global": {"drop_lsb": 3}},
                               "FormatterBuffer": {"Global": {"active_etxs": 0x1F}}})
    assert cfg.n_links == 5 and cfg.algorithm == Algorithm.REPEATER and cfg.input_cell_order == "msb_first"


def test_p1_dialect_counts_links():
    cfg = config_from_mapping({"Algorithm": {"Global": {"select": 2, "density": 1}}, "AlgoDroplsb": {"Global": 3},
                               "FormatterBuffer": {"Global": {"active_etxs": 7}}})
    assert cfg.n_links == 7 and cfg.effective_drop_lsb == 3 and cfg.input_cell_order == "lsb_first"


def test_legacy_dialect():
    doc = {"ECON-T": {"RW": {"FMTBUF_ALL": {"registers": {"tx_sync_word": {"value": 290},
                                                          "config": {"params": {"eporttx_numen": {"param_value": 9}}}}},
                             "MFC_ALGORITHM_SEL_DENSITY": {"registers": {"algo": {"params": {"select": {"param_value": 2}}}}}}}}
    cfg = config_from_mapping(doc)
    assert (cfg.n_links, cfg.tx_sync_word, cfg.algorithm, cfg.dialect) == (9, 290, Algorithm.BEST_CHOICE, "legacy")


def test_legacy_config_fields_as_plain_registers():
    """econt_test-vectors f27f0ca AE_powertest*: FMTBUF_ALL.eporttx_numen written as a register with a value."""
    doc = {"ECON-T": {"RW": {"FMTBUF_ALL": {"registers": {"eporttx_numen": {"value": 5}, "use_sum": {"value": 0},
                                                          "stc_type": {"value": 2}}}}}}
    cfg = config_from_mapping(doc)
    assert (cfg.n_links, cfg.use_sum, cfg.stc_type) == (5, False, 2)


@pytest.mark.parametrize(("doc", "match"), [
    ({"FormaterBuffer": {"Global": {}}}, "did you mean.*FormatterBuffer"),
    ({"FormatterBuffer": {"Global": {"buff_t1": 0x10000}}}, r"buff_t1 = 65536 is out of range \[0, 65535\]"),
    ({"ConfigAlgo": {"Global": {"alg_type": 0}}, "FormatterBuffer": {"Global": {"idle_pattern": 0x800}}},
     r"idle_pattern = 2048 is out of range \[0, 2047\]"),
    ({"Cal": {i: 5000 for i in range(48)}}, r"cal\[0\] = 5000 is out of range"),
    ({"Mux": {0: 1}}, "needs 48 entries"),
    ({"ConfigAlgo": {"Global": {"alg_type": 1}}, "FormatterBuffer": {"Global": {"active_etxs": 0b101}}}, "contiguously"),
    ({"Algorithm": {"Global": {"select": 2}}, "ConfigAlgo": {"Global": {"alg_type": 2}}}, "mixes"),
    ({"Algorithm": {"Global": {"select": 6}}}, "algorithm = 6 is out of range"),
])
def test_bad_registers_name_the_problem(doc, match):
    with pytest.raises(ModelFormatError, match=match):
        config_from_mapping(doc)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ModelFormatError, match="cannot read ECON-T register file"):
        load_init_yaml(tmp_path / "nope.yaml")


def test_production_registers_idle_pattern_and_map_order():
    """p2 yamls: idle_pattern is read (padding words), the channel map puts address 0 in the LSB."""
    doc = {"ConfigAlgo": {"Global": {"alg_type": 0}},
           "FormatterBuffer": {"Global": {"idle_pattern": 290, "link_reset_pattern": 291, "buff_t1": 450}}}
    cfg = config_from_mapping(doc)
    assert (cfg.idle_pattern, cfg.tx_sync_word, cfg.idle_word_pattern, cfg.buff_t1) == (290, 291, 290, 450)
    assert cfg.channel_map_order == "address0_lsb" and cfg.map_address0_lsb
    p1 = config_from_mapping({"Algorithm": {"Global": {"select": 0}}, "FormatterBuffer": {"Global": {"tx_sync_word": 5}}})
    assert (p1.idle_pattern, p1.idle_word_pattern, p1.channel_map_order) == (None, 5, "address0_msb")
    with pytest.raises(ModelFormatError, match="unknown ECON-T register FormatterBuffer"):
        config_from_mapping({"Algorithm": {"Global": {"select": 0}}, "FormatterBuffer": {"Global": {"idle_pattern": 5}}})


def test_legacy_reader_uses_the_same_ae_register_offsets():
    from firmware_models.econt.registers import AE_WEIGHT_REGISTERS
    from firmware_models.econt.registers_legacy import _AE_OFFSETS

    assert _AE_OFFSETS == AE_WEIGHT_REGISTERS
