#include <iostream>

#include "qnet.h"
#include "parameters.h"


void qnet(
    input_t global_in[8],
    result_t layer37_out[3]
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS ARRAY_RESHAPE variable=global_in complete dim=0
    #pragma HLS ARRAY_PARTITION variable=layer37_out complete dim=0
    #pragma HLS INTERFACE ap_vld port=global_in,layer37_out 
    #pragma HLS PIPELINE

    // hls-fpga-machine-learning insert load weights
#ifndef __SYNTHESIS__
    static bool loaded_weights = false;
    if (!loaded_weights) {
        nnet::load_weights_from_txt<weight36_t, 48>(w36, "w36.txt");
        nnet::load_weights_from_txt<model_default_t, 6>(b36, "b36.txt");
        nnet::load_weights_from_txt<weight37_t, 18>(w37, "w37.txt");
        nnet::load_weights_from_txt<model_default_t, 3>(b37, "b37.txt");
        loaded_weights = true;    }
#endif
    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    layer31_t layer31_out[8];
    #pragma HLS ARRAY_PARTITION variable=layer31_out complete dim=0

    layer32_t layer32_out[8];
    #pragma HLS ARRAY_PARTITION variable=layer32_out complete dim=0

    Dense_MatMul_0_result_t layer36_out[6];
    #pragma HLS ARRAY_PARTITION variable=layer36_out complete dim=0

    layer27_t layer27_out[6];
    #pragma HLS ARRAY_PARTITION variable=layer27_out complete dim=0

    nnet::linear<input_t, layer31_t, linear_config31>(global_in, layer31_out); // Quant_0_act

    nnet::linear<layer31_t, layer32_t, linear_config32>(layer31_out, layer32_out); // Quant_3_act

    nnet::dense<layer32_t, Dense_MatMul_0_result_t, config36>(layer32_out, layer36_out, w36, b36); // Dense_MatMul_0

    nnet::relu<Dense_MatMul_0_result_t, layer27_t, ReLU_config27>(layer36_out, layer27_out); // Relu_0

    nnet::dense<layer27_t, result_t, config37>(layer27_out, layer37_out, w37, b37); // Dense_MatMul_1

}

