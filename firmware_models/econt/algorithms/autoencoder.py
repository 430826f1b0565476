"""Autoencoder (algorithm 4): weights from the registers, module sum, latent code.

What is exact (public): the 2144 six-bit weights live in the 12
``AUTOENCODER_<i>INPUT`` register blocks (``weights_byte0 .. weights_byte128``);
read as one little-endian bit field (block 0, byte 0 lowest) they are, from the
least significant end, 72 conv kernel weights, 8 conv biases, 2048 dense weights
and 16 dense biases, each a 6-bit two's-complement number in units of 2^-5
(cmantill/ECONT_Emulator@357cfef ``RunFromYamlInput.py`` ``i2cDictToWeights``); the
dense block is output-major, the transpose of the QKeras kernel (econt_test-vectors@4aeb4f1).
The module sum is 5E4M of the sum of the 48 calibrated charges (``Autoencoder``:
``encode(SUM, 0, 5, 4)``, checked there against the converter's output). The
latent is 16 values of 9 bits (``value * 2^8``, ``AE_OUTPUT_OUTENCODER``).

What is *not* public: the HLS C++ of the chip's encoder (``encoder.x`` is a
binary). :func:`latent_code` is our fixed-point reading of the published network
(8x8 input map, input normalized by 2^floor(log2(sum)), 3x3 conv with 8 filters
and stride 2, ReLU, dense 128 -> 16), documented in :data:`AE_CONVENTIONS`. Its bits
are compared with the vectors and the agreement is reported, not asserted. With the
map and register order above, the model's latent values track the vectors' (Pearson
r 0.74-0.97 per latent on mcDataset/AE) but sit 0-58 LSB away per latent, an offset
this reading does not explain (the quantization steps inside encoder.x are unknown).

Speed: :func:`latent_code` runs the network as two float32 matrix products, the
conv written as one linear map from the 48 cells to the 128 hidden values
(:func:`conv_as_matrix`). Every operand is an integer (inputs <= 255, weights in
[-32, 31]) and every partial sum is bounded by the sum of absolute products
(conv: 9 x 255 x 32 = 73 440; dense: 128 x 255 x 32 = 1 044 480), below 2^24, so
float32 arithmetic is exact in any summation order. :func:`latent_code_reference`
is the plain int64 twin (explicit 3x3 windows); a property test keeps them equal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_models.jit import jit
from ..codec import bit_length, encode, encode_one
from ..registers import AE_WEIGHT_REGISTERS, EcontConfig

__all__ = [
    "AE_CELL_MAP_8X8",
    "AE_CONVENTIONS",
    "AeParameters",
    "ae_parameters",
    "autoencoder",
    "conv_as_matrix",
    "latent_code",
    "latent_code_reference",
    "module_sum",
    "unpack_weights",
]

_N_W, _N_B, _N_DW, _N_DB = 72, 8, 2048, 16

#: post-mux cell -> (row, col) in the 8x8 input map: the 48 non-empty positions in row-major order,
#: the bottom-right 4x4 quadrant empty. This is the layout of the ECON-T autoencoder's training map
#: (CMSSW L1THGCal ``triggerCellRemap``: -1 in rows 4-7, columns 4-7); the chip's autoencoder mux
#: registers (mcDataset/AE init.yaml) put the cells in that order, so post-mux cell ``i`` sits at the
#: ``i``-th non-empty position. Evidence: with this map the latent values of the test vectors
#: correlate with the model's at 0.74-0.97 per latent; with block-wise or transposed maps, < 0.35.
AE_CELL_MAP_8X8 = tuple(divmod(p, 8) for p in range(64) if not (p // 8 >= 4 and p % 8 >= 4))

AE_CONVENTIONS = {
    "weights": "6-bit two's complement, LSB 2^-5 (ap_fixed<6,1>)",
    "input": "calq * 2^8 >> floor(log2(sum calq)), saturated to 8 bits (ufixed<8,0>), on the 8x8 map AE_CELL_MAP_8X8",
    "conv": "3x3, 8 filters, stride 2, 'same' padding (pad bottom/right), bias, ReLU, floor to 2^-8, saturate 1.0",
    "dense": "128 -> 16 in flattened (row, col, filter) order, bias, floor to 2^-8, clamp to [0, 511] / 2^8",
    "dense_register_order": ("output-major: weight (hidden j, latent k) is register weight k * 128 + j, "
                             "the transpose of the QKeras (128, 16) kernel (cmantill/econt_test-vectors@4aeb4f1, "
                             "utils/make_ae_yaml.py: 'should be transpose of QKeras shape')"),
    "status": "not bit-exact: the chip's HLS source is not public; agreement is measured, not assumed",
}


def unpack_weights(config: EcontConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(conv kernel (3,3,1,8), conv bias (8,), dense (128,16), dense bias (16,)) as int64 in units of 2^-5.

    The dense block is stored output-major (latent k's 128 weights together), see AE_CONVENTIONS."""
    per_block = len(AE_WEIGHT_REGISTERS)
    field = 0
    for i in range(12):
        block = 0
        for k, off in enumerate(AE_WEIGHT_REGISTERS):
            block |= int(config.ae_weights[i * per_block + k]) << (8 * off)
        field |= block << (1072 * i)
    raw = np.array([(field >> (6 * k)) & 0x3F for k in range(_N_W + _N_B + _N_DW + _N_DB)], dtype=np.int64)
    w = np.where(raw >= 32, raw - 64, raw)
    conv = w[:_N_W].reshape(3, 3, 1, 8)
    conv_b = w[_N_W:_N_W + _N_B]
    dense = w[_N_W + _N_B:_N_W + _N_B + _N_DW].reshape(16, 128).T  # output-major registers: AE_CONVENTIONS
    dense_b = w[_N_W + _N_B + _N_DW:]
    return conv, conv_b, dense, dense_b


def module_sum(calq: np.ndarray) -> np.ndarray:
    """5E4M code of the sum of the 48 calibrated charges."""
    return encode(np.asarray(calq, dtype=np.int64).sum(axis=1), 0, 5, 4)


def _input_map(calq: np.ndarray) -> np.ndarray:
    q = np.asarray(calq, dtype=np.int64)
    total = q.sum(axis=1)
    shift = np.where(total > 0, np.frexp(total.astype(np.float64))[1] - 1, 0)
    x = np.minimum((q << 8) >> shift[:, None], 255)
    img = np.zeros((q.shape[0], 8, 8), dtype=np.int64)
    rows, cols = np.array(AE_CELL_MAP_8X8).T
    img[:, rows, cols] = x
    return img  # units of 2^-8


def latent_code_reference(calq: np.ndarray, config: EcontConfig) -> np.ndarray:
    """Plain twin of :func:`latent_code`: the conv as explicit 3x3 windows, all in int64."""
    conv, conv_b, dense, dense_b = unpack_weights(config)
    img = np.pad(_input_map(calq), ((0, 0), (0, 1), (0, 1)))  # 'same' with stride 2 pads bottom/right
    n = img.shape[0]
    acc = np.zeros((n, 4, 4, 8), dtype=np.int64)  # units of 2^-13
    for dy in range(3):
        for dx in range(3):
            patch = img[:, dy:dy + 8:2, dx:dx + 8:2]
            acc += patch[:, :, :, None] * conv[dy, dx, 0][None, None, None, :]
    acc += conv_b[None, None, None, :] << 8
    hidden = np.clip(acc >> 5, 0, 255)  # ReLU, floor to 2^-8, saturate below 1.0
    flat = hidden.reshape(n, 128)
    out = flat @ dense + (dense_b << 8)[None, :]  # units of 2^-13
    return np.clip(out >> 5, 0, 511)


def conv_as_matrix(conv: np.ndarray) -> np.ndarray:
    """(48, 128) int64: hidden pre-activation ``(row, col, filter)`` per unit input on each post-mux cell.

    The stride-2 'same' conv on the 8x8 map (padding bottom/right) is linear in the
    input: cell ``c`` at map position ``(y, x)`` reaches output ``(oy, ox)`` through
    tap ``(y - 2 oy, x - 2 ox)`` when that tap lies in the 3x3 kernel.
    """
    m = np.zeros((48, 4, 4, 8), dtype=np.int64)
    for c, (y, x) in enumerate(AE_CELL_MAP_8X8):
        for oy in range(4):
            for ox in range(4):
                dy, dx = y - 2 * oy, x - 2 * ox
                if 0 <= dy < 3 and 0 <= dx < 3:
                    m[c, oy, ox, :] = conv[dy, dx, 0, :]
    return m.reshape(48, 128)


@dataclass(frozen=True)
class AeParameters:
    """The encoder's weights laid out for :func:`latent_code` (float32 copies are exact: |w| <= 32)."""

    conv_matrix: np.ndarray  # (48, 128) float32
    conv_bias: np.ndarray  # (128,) int64, units of 2^-13
    dense: np.ndarray  # (128, 16) float32
    dense_bias: np.ndarray  # (16,) int64, units of 2^-13


def ae_parameters(config: EcontConfig) -> AeParameters:
    conv, conv_b, dense, dense_b = unpack_weights(config)
    return AeParameters(conv_matrix=conv_as_matrix(conv).astype(np.float32), conv_bias=np.tile(conv_b << 8, 16),
                        dense=np.ascontiguousarray(dense, dtype=np.float32), dense_bias=dense_b << 8)


@jit
def _ae_inputs_kernel(calq, x, mod_sum):
    """Per row: the normalized input (``calq << 8 >> floor(log2(sum))``, at most 255) and the 5E4M module sum."""
    for r in range(calq.shape[0]):
        total = 0
        for i in range(calq.shape[1]):
            total += calq[r, i]
        shift = bit_length(total) - 1 if total > 0 else 0
        for i in range(calq.shape[1]):
            x[r, i] = min((calq[r, i] << 8) >> shift, 255)
        mod_sum[r] = encode_one(total, 0, 5, 4)


def latent_code(calq: np.ndarray, config: EcontConfig, params: AeParameters | None = None) -> np.ndarray:
    """(n, 16) 9-bit latent values (units of 2^-8) from our fixed-point reading of the encoder."""
    return _latent_and_sum(calq, params if params is not None else ae_parameters(config))[0]


@jit
def _bias_floor_clip(acc, bias, hi, out):
    """``out = clip((acc + bias) >> 5, 0, hi)``: the exact float32 products back to integers (< 2^24 in
    magnitude, so int32 holds them), bias in units of 2^-13, floor to 2^-8, ReLU and saturation."""
    for r in range(acc.shape[0]):
        for j in range(acc.shape[1]):
            h = (np.int32(acc[r, j]) + bias[j]) >> 5
            out[r, j] = min(max(h, 0), hi)


#: rows per matrix product: keeps the (rows, 128) intermediates in the CPU cache
_CHUNK_ROWS = 2048


def _latent_and_sum(calq: np.ndarray, p: AeParameters) -> tuple[np.ndarray, np.ndarray]:
    q = np.ascontiguousarray(calq, dtype=np.int64)
    n = q.shape[0]
    x = np.empty((n, 48), dtype=np.float32)
    mod_sum = np.empty(n, dtype=np.int64)
    _ae_inputs_kernel(q, x, mod_sum)
    latent = np.empty((n, 16), dtype=np.int64)
    hidden = np.empty((min(n, _CHUNK_ROWS), 128), dtype=np.float32)
    conv_bias = p.conv_bias.astype(np.int32)
    dense_bias = p.dense_bias.astype(np.int32)
    for lo in range(0, n, _CHUNK_ROWS):
        hi = min(lo + _CHUNK_ROWS, n)
        h = hidden[: hi - lo]
        _bias_floor_clip(x[lo:hi] @ p.conv_matrix, conv_bias, 255, h)  # exact: see the module docstring
        _bias_floor_clip(h @ p.dense, dense_bias, 511, latent[lo:hi])
    return latent, mod_sum


def autoencoder(calq: np.ndarray, config: EcontConfig, params: AeParameters | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(latent (n, 16), module sum (n,)) for the formatter."""
    return _latent_and_sum(calq, params if params is not None else ae_parameters(config))
