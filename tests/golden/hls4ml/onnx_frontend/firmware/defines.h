#ifndef DEFINES_H_
#define DEFINES_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_utils/nnet_types.h"
#include <array>
#include <cstddef>
#include <cstdio>
#include <tuple>
#include <tuple>


// hls-fpga-machine-learning insert numbers

// hls-fpga-machine-learning insert layer-precision
typedef ap_fixed<16,6> input_t;
typedef ap_fixed<37,17> Dense_MatMul_0_accum_t;
typedef ap_fixed<37,17> Dense_MatMul_0_result_t;
typedef ap_fixed<16,6> model_default_t;
typedef ap_uint<1> layer19_index;
typedef ap_fixed<10,2,AP_RND_CONV,AP_SAT,0> layer10_t;
typedef ap_fixed<18,8> Tanh_0_table_t;
typedef ap_fixed<30,12> Dense_MatMul_1_accum_t;
typedef ap_fixed<30,12> Dense_MatMul_1_result_t;
typedef ap_uint<1> layer20_index;
typedef ap_ufixed<10,4,AP_RND,AP_SAT,0> layer13_t;
typedef ap_fixed<18,8> Relu_0_table_t;
typedef ap_fixed<30,14> Dense_MatMul_2_accum_t;
typedef ap_fixed<30,14> result_t;
typedef ap_uint<1> layer21_index;

// hls-fpga-machine-learning insert emulator-defines


#endif
