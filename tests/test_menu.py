"""Menu parsing, validation messages, prescales."""

import numpy as np
import pytest

from triggeremu.decisions import Prescaler
from triggeremu.errors import ConfigError
from triggeremu.menu import RUN3_TRIGGER_RULES, load_menu, parse_menu


def test_bundled_default_menu_loads():
    menu = load_menu()
    assert "SingleMu22" in menu.seed_names
    assert menu.trigger_rules == RUN3_TRIGGER_RULES


def test_working_points_expand_into_seeds():
    menu = parse_menu({"stages": [{"kind": "nn", "name": "ad"}],
                       "seeds": [{"name": "AD", "column": "ad_score", "working_points": {"loose": 10, "tight": 50}}]})
    assert menu.seed_names == ["AD_loose", "AD_tight"]
    assert [s.threshold for s in menu.seeds] == [10, 50]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"seeds": []}, "no [[seeds]]"),
        ({"seeds": [{"name": "x", "object": "quark", "threshold_gev": 1}]}, "is not one of"),
        ({"seeds": [{"name": "x", "column": "s", "threshold": 1.5}]}, "raw integers"),
        ({"seeds": [{"name": "x", "object": "jet", "threshold_gev": 1, "colour": 3}]}, "unknown key"),
        ({"seeds": [{"name": "x", "object": "jet", "threshold_gev": 1}] * 2}, "more than once"),
        ({"run": {"trigger_rules": [[0, 3]]}, "seeds": [{"name": "x", "object": "jet", "threshold_gev": 1}]}, "count >= 1"),
        ({"seeds": [{"name": "x", "object": "jet", "threshold_gev": 1, "prescale": -1}]}, "prescale"),
        ({"menu": {}}, "unknown section"),
    ],
)
def test_bad_menus_say_what_is_wrong(raw, fragment):
    with pytest.raises(ConfigError, match=None) as info:
        parse_menu(raw)
    assert fragment in str(info.value)


def test_missing_menu_file_names_the_fix(tmp_path):
    with pytest.raises(ConfigError, match="omit --menu"):
        load_menu(tmp_path / "nope.toml")


def test_prescale_keeps_every_nth_firing_across_batches():
    # prescale 3 over 7 firings keeps the 1st, 4th and 7th, whatever the batching
    bits = np.ones((7, 1), dtype=bool)
    p = Prescaler([3])
    kept = np.concatenate([p.apply(bits[:2]), p.apply(bits[2:5]), p.apply(bits[5:])])
    assert np.flatnonzero(kept[:, 0]).tolist() == [0, 3, 6]


def test_prescale_zero_disables_and_one_keeps_all():
    bits = np.ones((5, 2), dtype=bool)
    kept = Prescaler([0, 1]).apply(bits)
    assert not kept[:, 0].any()
    assert kept[:, 1].all()
