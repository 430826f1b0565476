#include "activations_130.h"
#include "parameters.h"

void activations_130(
    x_t x[N_X],
    r_relu6_t r_relu6[8],
    r_relumax_t r_relumax[8],
    r_thr_t r_thr[8],
    r_prelu_t r_prelu[8],
    r_hsig_t r_hsig[8],
    r_htanh_t r_htanh[8],
    r_softplus_t r_softplus[8],
    r_softsign_t r_softsign[8],
    r_elu_t r_elu[8],
    r_selu_t r_selu[8],
    r_ternary_t r_ternary[8],
    r_binary_t r_binary[8],
    r_sm_stable_t r_sm_stable[8],
    r_sm_latency_t r_sm_latency[8],
    r_sm_legacy_t r_sm_legacy[8],
    r_sm_argmax_t r_sm_argmax[8]
) {
    // hls-fpga-machine-learning insert layers
    nnet::relu6<x_t, r_relu6_t, config0>(x, r_relu6); // r_relu6
    nnet::relu_max<x_t, r_relumax_t, 2, config1>(x, r_relumax); // r_relumax
    nnet::thresholded_relu<x_t, r_thr_param_t, r_thr_t, config2>(x, 0.75, r_thr); // r_thr
    nnet::prelu<x_t, r_prelu_param_t, r_prelu_t, config3>(x, a3, r_prelu); // r_prelu
    nnet::hard_sigmoid<x_t, r_hsig_t, config4>(x, r_hsig); // r_hsig
    nnet::hard_tanh<x_t, r_htanh_t, config5>(x, r_htanh); // r_htanh
    nnet::softplus<x_t, r_softplus_t, config6>(x, r_softplus); // r_softplus
    nnet::softsign<x_t, r_softsign_t, config7>(x, r_softsign); // r_softsign
    nnet::elu<x_t, r_elu_param_t, r_elu_t, config8>(x, 1.0, r_elu); // r_elu
    nnet::selu<x_t, r_selu_t, config9>(x, r_selu); // r_selu
    nnet::ternary_tanh<x_t, r_ternary_t, config10>(x, r_ternary); // r_ternary
    nnet::binary_tanh<x_t, r_binary_t, config11>(x, r_binary); // r_binary
    nnet::softmax<x_t, r_sm_stable_t, config12>(x, r_sm_stable); // r_sm_stable
    nnet::softmax<x_t, r_sm_latency_t, config13>(x, r_sm_latency); // r_sm_latency
    nnet::softmax<x_t, r_sm_legacy_t, config14>(x, r_sm_legacy); // r_sm_legacy
    nnet::softmax<x_t, r_sm_argmax_t, config15>(x, r_sm_argmax); // r_sm_argmax
}
