#ifndef PARAMETERS_H_
#define PARAMETERS_H_
#include "defines.h"
#include "nnet_utils/nnet_helpers.h"
#include "nnet_utils/nnet_activation.h"
#include "nnet_utils/nnet_dense.h"
#include "nnet_utils/nnet_merge.h"
#include "weights.h"
struct config0 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
};
struct config1 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
};
struct config2 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
    typedef r_thr_param_t param_t;
};
struct config3 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
    typedef r_prelu_param_t param_t;
};
struct config4 {
    static const unsigned n_in = 8;
    static const r_hsig_slope_t slope;
    static const r_hsig_shift_t shift;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
};
const r_hsig_slope_t config4::slope = 0.2;
const r_hsig_shift_t config4::shift = 0.5;
struct config5 {
    static const unsigned n_in = 8;
    static const r_htanh_slope_t slope;
    static const r_htanh_shift_t shift;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
};
const r_htanh_slope_t config5::slope = 0.3;
const r_htanh_shift_t config5::shift = 0.5;
struct config6 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
};
struct config7 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
};
struct config8 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
    typedef r_elu_param_t param_t;
};
struct config9 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
};
struct config10 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
};
struct config11 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
};
struct config12 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned n_slice = 8;
    static const unsigned n_outer = 1;
    static const unsigned n_inner = 1;
    static const unsigned parallelization_factor = -1;
    static const unsigned exp_table_size = 1024;
    static const unsigned inv_table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    static const unsigned axis = -1;
    static const nnet::softmax_implementation implementation = nnet::softmax_implementation::stable;
    static constexpr float exp_scale = 1.0;
    typedef r_sm_stable_exp_table_t exp_table_t;
    typedef r_sm_stable_inv_table_t inv_table_t;
    typedef r_sm_stable_accum_t accum_t;
    typedef r_sm_stable_inv_inp_t inv_inp_t;
    typedef r_sm_stable_inp_norm_t inp_norm_t;
};
struct config13 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned n_slice = 8;
    static const unsigned n_outer = 1;
    static const unsigned n_inner = 1;
    static const unsigned parallelization_factor = -1;
    static const unsigned exp_table_size = 1024;
    static const unsigned inv_table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    static const unsigned axis = -1;
    static const nnet::softmax_implementation implementation = nnet::softmax_implementation::latency;
    static constexpr float exp_scale = 1.0;
    typedef r_sm_latency_exp_table_t exp_table_t;
    typedef r_sm_latency_inv_table_t inv_table_t;
    typedef r_sm_latency_accum_t accum_t;
    typedef r_sm_latency_inv_inp_t inv_inp_t;
    typedef r_sm_latency_inp_norm_t inp_norm_t;
};
struct config14 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned n_slice = 8;
    static const unsigned n_outer = 1;
    static const unsigned n_inner = 1;
    static const unsigned parallelization_factor = -1;
    static const unsigned exp_table_size = 1024;
    static const unsigned inv_table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    static const unsigned axis = -1;
    static const nnet::softmax_implementation implementation = nnet::softmax_implementation::legacy;
    static constexpr float exp_scale = 1.0;
    typedef r_sm_legacy_exp_table_t exp_table_t;
    typedef r_sm_legacy_inv_table_t inv_table_t;
    typedef r_sm_legacy_accum_t accum_t;
    typedef r_sm_legacy_inv_inp_t inv_inp_t;
    typedef r_sm_legacy_inp_norm_t inp_norm_t;
};
struct config15 : nnet::activ_config {
    static const unsigned n_in = 8;
    static const unsigned n_slice = 8;
    static const unsigned n_outer = 1;
    static const unsigned n_inner = 1;
    static const unsigned parallelization_factor = -1;
    static const unsigned exp_table_size = 1024;
    static const unsigned inv_table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    static const unsigned axis = -1;
    static const nnet::softmax_implementation implementation = nnet::softmax_implementation::argmax;
    static constexpr float exp_scale = 1.0;
    typedef r_sm_argmax_exp_table_t exp_table_t;
    typedef r_sm_argmax_inv_table_t inv_table_t;
    typedef r_sm_argmax_accum_t accum_t;
    typedef r_sm_argmax_inv_inp_t inv_inp_t;
    typedef r_sm_argmax_inp_norm_t inp_norm_t;
};
#endif
