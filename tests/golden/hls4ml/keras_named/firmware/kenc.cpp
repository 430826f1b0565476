#include <iostream>

#include "kenc.h"
#include "parameters.h"


void kenc(
    input_t inp[10],
    result_t layer10_out[4]
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS ARRAY_RESHAPE variable=inp complete dim=0
    #pragma HLS ARRAY_PARTITION variable=layer10_out complete dim=0
    #pragma HLS INTERFACE ap_vld port=inp,layer10_out 
    #pragma HLS PIPELINE

    // hls-fpga-machine-learning insert load weights
#ifndef __SYNTHESIS__
    static bool loaded_weights = false;
    if (!loaded_weights) {
        nnet::load_weights_from_txt<fc1_weight_t, 120>(w2, "w2.txt");
        nnet::load_weights_from_txt<fc1_bias_t, 12>(b2, "b2.txt");
        nnet::load_weights_from_txt<bn_mid_scale_t, 12>(s4, "s4.txt");
        nnet::load_weights_from_txt<bn_mid_bias_t, 12>(b4, "b4.txt");
        nnet::load_weights_from_txt<fc2_weight_t, 96>(w5, "w5.txt");
        nnet::load_weights_from_txt<fc2_bias_t, 8>(b5, "b5.txt");
        nnet::load_weights_from_txt<fc3_weight_t, 32>(w8, "w8.txt");
        nnet::load_weights_from_txt<fc3_bias_t, 4>(b8, "b8.txt");
        loaded_weights = true;    }
#endif
    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    fc1_result_t layer2_out[12];
    #pragma HLS ARRAY_PARTITION variable=layer2_out complete dim=0

    layer3_t layer3_out[12];
    #pragma HLS ARRAY_PARTITION variable=layer3_out complete dim=0

    bn_mid_result_t layer4_out[12];
    #pragma HLS ARRAY_PARTITION variable=layer4_out complete dim=0

    layer5_t layer5_out[8];
    #pragma HLS ARRAY_PARTITION variable=layer5_out complete dim=0

    layer6_t layer6_out[8];
    #pragma HLS ARRAY_PARTITION variable=layer6_out complete dim=0

    layer7_t layer7_out[8];
    #pragma HLS ARRAY_PARTITION variable=layer7_out complete dim=0

    fc3_result_t layer8_out[4];
    #pragma HLS ARRAY_PARTITION variable=layer8_out complete dim=0

    layer9_t layer9_out[4];
    #pragma HLS ARRAY_PARTITION variable=layer9_out complete dim=0

    nnet::dense<input_t, fc1_result_t, config2>(inp, layer2_out, w2, b2); // fc1

    nnet::relu<fc1_result_t, layer3_t, relu_config3>(layer2_out, layer3_out); // fc1_relu

    nnet::normalize<layer3_t, bn_mid_result_t, config4>(layer3_out, layer4_out, s4, b4); // bn_mid

    nnet::dense<bn_mid_result_t, layer5_t, config5>(layer4_out, layer5_out, w5, b5); // fc2

    nnet::leaky_relu<layer5_t, lrelu_param_t, layer6_t, leakyrelu_config6>(layer5_out, 0.21, layer6_out); // lrelu

    nnet::linear<layer6_t, layer7_t, linear_config7>(layer6_out, layer7_out); // lin

    nnet::dense<layer7_t, fc3_result_t, config8>(layer7_out, layer8_out, w8, b8); // fc3

    nnet::tanh<fc3_result_t, layer9_t, tanh_config9>(layer8_out, layer9_out); // fc3_tanh

    nnet::sigmoid<layer9_t, result_t, sigmoid_config10>(layer9_out, layer10_out); // sig

}

