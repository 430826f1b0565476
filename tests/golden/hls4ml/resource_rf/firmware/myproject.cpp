#include <iostream>

#include "myproject.h"
#include "parameters.h"


void myproject(
    input_t input_1[20],
    result_t layer9_out[4]
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS ARRAY_RESHAPE variable=input_1 complete dim=0
    #pragma HLS ARRAY_PARTITION variable=layer9_out complete dim=0
    #pragma HLS INTERFACE ap_vld port=input_1,layer9_out 
    #pragma HLS DATAFLOW

    // hls-fpga-machine-learning insert load weights
#ifndef __SYNTHESIS__
    static bool loaded_weights = false;
    if (!loaded_weights) {
        nnet::load_weights_from_txt<_0_scale_t, 20>(s2, "s2.txt");
        nnet::load_weights_from_txt<_0_bias_t, 20>(b2, "b2.txt");
        nnet::load_weights_from_txt<_1_weight_t, 240>(w3, "w3.txt");
        nnet::load_weights_from_txt<_1_bias_t, 12>(b3, "b3.txt");
        nnet::load_weights_from_txt<_3_weight_t, 96>(w5, "w5.txt");
        nnet::load_weights_from_txt<_3_bias_t, 8>(b5, "b5.txt");
        nnet::load_weights_from_txt<_5_weight_t, 48>(w7, "w7.txt");
        nnet::load_weights_from_txt<_5_bias_t, 6>(b7, "b7.txt");
        nnet::load_weights_from_txt<_7_weight_t, 24>(w9, "w9.txt");
        nnet::load_weights_from_txt<_7_bias_t, 4>(b9, "b9.txt");
        loaded_weights = true;    }
#endif
    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    _0_result_t layer2_out[20];
    #pragma HLS ARRAY_PARTITION variable=layer2_out complete dim=0

    layer3_t layer3_out[12];
    #pragma HLS ARRAY_PARTITION variable=layer3_out complete dim=0

    layer4_t layer4_out[12];
    #pragma HLS ARRAY_PARTITION variable=layer4_out complete dim=0

    layer5_t layer5_out[8];
    #pragma HLS ARRAY_PARTITION variable=layer5_out complete dim=0

    layer6_t layer6_out[8];
    #pragma HLS ARRAY_PARTITION variable=layer6_out complete dim=0

    layer7_t layer7_out[6];
    #pragma HLS ARRAY_PARTITION variable=layer7_out complete dim=0

    layer8_t layer8_out[6];
    #pragma HLS ARRAY_PARTITION variable=layer8_out complete dim=0

    nnet::normalize<input_t, _0_result_t, config2>(input_1, layer2_out, s2, b2); // _0

    nnet::dense<_0_result_t, layer3_t, config3>(layer2_out, layer3_out, w3, b3); // _1

    nnet::leaky_relu<layer3_t, _2_param_t, layer4_t, leakyrelu_config4>(layer3_out, 0.2, layer4_out); // _2

    nnet::dense<layer4_t, layer5_t, config5>(layer4_out, layer5_out, w5, b5); // _3

    nnet::tanh<layer5_t, layer6_t, tanh_config6>(layer5_out, layer6_out); // _4

    nnet::dense<layer6_t, layer7_t, config7>(layer6_out, layer7_out, w7, b7); // _5

    nnet::relu<layer7_t, layer8_t, relu_config8>(layer7_out, layer8_out); // _6

    nnet::dense<layer8_t, result_t, config9>(layer8_out, layer9_out, w9, b9); // _7

}

