#include <iostream>

#include "myproject.h"
#include "parameters.h"


void myproject(
    input_t input_1[16],
    result_t layer9_out[4]
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS ARRAY_RESHAPE variable=input_1 complete dim=0
    #pragma HLS ARRAY_PARTITION variable=layer9_out complete dim=0
    #pragma HLS INTERFACE ap_vld port=input_1,layer9_out 
    #pragma HLS PIPELINE

    // hls-fpga-machine-learning insert load weights
#ifndef __SYNTHESIS__
    static bool loaded_weights = false;
    if (!loaded_weights) {
        nnet::load_weights_from_txt<_0_weight_t, 384>(w2, "w2.txt");
        nnet::load_weights_from_txt<_0_bias_t, 24>(b2, "b2.txt");
        nnet::load_weights_from_txt<_3_weight_t, 288>(w5, "w5.txt");
        nnet::load_weights_from_txt<_3_bias_t, 12>(b5, "b5.txt");
        nnet::load_weights_from_txt<_6_weight_t, 48>(w8, "w8.txt");
        nnet::load_weights_from_txt<_6_bias_t, 4>(b8, "b8.txt");
        loaded_weights = true;    }
#endif
    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    _0_result_t layer2_out[24];
    #pragma HLS ARRAY_PARTITION variable=layer2_out complete dim=0

    layer4_t layer4_out[24];
    #pragma HLS ARRAY_PARTITION variable=layer4_out complete dim=0

    _3_result_t layer5_out[12];
    #pragma HLS ARRAY_PARTITION variable=layer5_out complete dim=0

    layer7_t layer7_out[12];
    #pragma HLS ARRAY_PARTITION variable=layer7_out complete dim=0

    _6_result_t layer8_out[4];
    #pragma HLS ARRAY_PARTITION variable=layer8_out complete dim=0

    nnet::dense<input_t, _0_result_t, config2>(input_1, layer2_out, w2, b2); // _0

    nnet::relu<_0_result_t, layer4_t, relu_config4>(layer2_out, layer4_out); // _2

    nnet::dense<layer4_t, _3_result_t, config5>(layer4_out, layer5_out, w5, b5); // _3

    nnet::leaky_relu<_3_result_t, _5_param_t, layer7_t, leakyrelu_config7>(layer5_out, 0.3, layer7_out); // _5

    nnet::dense<layer7_t, _6_result_t, config8>(layer7_out, layer8_out, w8, b8); // _6

    nnet::sigmoid<_6_result_t, result_t, sigmoid_config9>(layer8_out, layer9_out); // _7

}

