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
typedef ap_fixed<8,4,AP_RND_CONV,AP_SAT,0> layer31_t;
typedef ap_fixed<18,8> Quant_0_act_table_t;
typedef ap_fixed<6,4,AP_TRN,AP_SAT,0> layer32_t;
typedef ap_fixed<18,8> Quant_3_act_table_t;
typedef ap_fixed<19,9> Dense_MatMul_0_accum_t;
typedef ap_fixed<19,9> Dense_MatMul_0_result_t;
typedef ap_fixed<6,1,AP_RND_CONV,AP_SAT,0> weight36_t;
typedef ap_fixed<16,6> model_default_t;
typedef ap_uint<1> layer36_index;
typedef ap_ufixed<7,4,AP_RND_CONV,AP_SAT,0> layer27_t;
typedef ap_fixed<18,8> Relu_0_table_t;
typedef ap_fixed<19,9> Dense_MatMul_1_accum_t;
typedef ap_fixed<19,9> result_t;
typedef ap_fixed<5,1,AP_RND_CONV,AP_SAT,0> weight37_t;
typedef ap_uint<1> layer37_index;

// hls-fpga-machine-learning insert emulator-defines


#endif
