"""Score heads against the real ap_fixed library: port score, discrete KL, KL continuous + discrete.

``tests/golden/activations/scores.npz`` was made by ``scripts/make_score_golden.py``: our
formulas written in C++ over hls4ml 1.3.0's ap_types, ``nnet::softmax`` and
``nnet::reduce``, compiled with g++. The heads here must give the same raw integers
(``assert_array_equal``), the softmax probabilities of the categorical head included, and
their Python-int twins must agree with the fast forms.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from firmware_models.fixed import FixedType
from firmware_models.nn.scores import kl_head, port_head
from firmware_models.nn.scores_categorical import kl_discrete_head, kl_total_head
from firmware_models.nn import softmax as sm
from firmware_models.nn.softmax_tables import softmax_tables

GOLDEN = Path(__file__).parent / "golden" / "activations"
MANIFEST = json.loads((GOLDEN / "scores.json").read_text())
ARRAYS = np.load(GOLDEN / MANIFEST["file"])

_DISC_KEYS = ("implementation", "exp_table_t", "inv_table_t", "table_size", "softmax_accum_t", "table_t")


def _disc_head(c, logits_t, columns):
    kw = {k: c[k] for k in _DISC_KEYS if k in c}
    return kl_discrete_head(logits_t, c["n_classes"], columns=columns, prob_type=c["prob_t"],
                            log_table_type=c["log_table_t"], log_table_size=c["log_table_size"], term_type=c["term_t"],
                            accum_type=c["accum_t"], score_type=c["score_t"], **kw)


def test_file_is_the_manifest_one():
    assert hashlib.sha256((GOLDEN / MANIFEST["file"]).read_bytes()).hexdigest() == MANIFEST["sha256"]


@pytest.mark.parametrize("k", range(len(MANIFEST["cases"])),
                         ids=[f"{k}-{c['kind']}" for k, c in enumerate(MANIFEST["cases"])])
def test_score_case(k):
    c = MANIFEST["cases"][k]
    x = ARRAYS[f"in_{k}"].astype(np.int64)
    want = ARRAYS[f"out_{k}"].astype(np.int64)
    if c["kind"] == "port":
        head = port_head(c["out_t"], c["score_t"], index=c["index"])
        got = head.compute(x)
        np.testing.assert_array_equal(got, want)
    elif c["kind"] == "kl_discrete":
        n = c["n_classes"]
        want = want.reshape(-1, n + 1)
        head = _disc_head(c, c["logits_t"], slice(0, n))
        got = head.compute(x)
        np.testing.assert_array_equal(got, want[:, n], err_msg="discrete KL")
        # the probabilities the head works on: hls4ml's softmax of the logits, as the harness computed them
        lt = FixedType.parse(c["logits_t"])
        nt = FixedType(lt.width - lt.signed, lt.integer - lt.signed, False)
        et, it = softmax_tables("hls4ml-1.2", c["implementation"], in_t=lt, exp_table_t=c["exp_table_t"],
                                inv_table_t=c["inv_table_t"], exp_table_size=c["table_size"],
                                inv_table_size=c["table_size"], inv_inp_t=c["exp_table_t"], inp_norm_t=nt,
                                table_t=c.get("table_t", "ap_fixed<18,8>"))
        pi = sm.softmax(x, implementation=c["implementation"], in_t=lt, res_t=c["prob_t"], exp_table=et, inv_table=it,
                        exp_table_t=c["exp_table_t"], inv_table_t=c["inv_table_t"], accum_t=c["softmax_accum_t"],
                        inv_inp_t=c["exp_table_t"], inp_norm_t=nt, table_t=c.get("table_t", "ap_fixed<18,8>"))
        np.testing.assert_array_equal(pi, want[:, :n], err_msg="softmax probabilities")
    else:
        L, n = c["latent"], c["n_classes"]
        want = want.reshape(-1, 3)
        cont = kl_head(c["out_t"], L, square_type=c["square_t"], table_type=c["exp_table_t_kl"],
                       table_size=c["kl_table_size"], accum_type=c["kl_accum_t"], score_type=c["kl_score_t"])
        disc = _disc_head(c, c["out_t"], slice(2 * L, 2 * L + n))
        total = kl_total_head(cont, disc, c["total_t"])
        np.testing.assert_array_equal(cont.compute(x), want[:, 0], err_msg="continuous KL")
        np.testing.assert_array_equal(disc.compute(x), want[:, 1], err_msg="discrete KL")
        got = total.compute(x)
        np.testing.assert_array_equal(got, want[:, 2], err_msg="KL total")
        head = total
    sub = x[:40]
    np.testing.assert_array_equal(head.compute(sub), head.compute_reference(sub), err_msg="fast vs twin")
