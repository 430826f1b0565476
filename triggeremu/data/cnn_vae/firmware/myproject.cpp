#include <iostream>

#include "myproject.h"
#include "parameters.h"


void myproject(
    input_t inp[19*3*1],
    layer11_t layer11_out[8], layer12_t layer12_out[8]
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS ARRAY_RESHAPE variable=inp complete dim=0
    #pragma HLS ARRAY_PARTITION variable=layer11_out complete dim=0
    #pragma HLS ARRAY_PARTITION variable=layer12_out complete dim=0
    #pragma HLS INTERFACE ap_vld port=inp,layer11_out,layer12_out 
    #pragma HLS DATAFLOW

    // hls-fpga-machine-learning insert load weights
#ifndef __SYNTHESIS__
    static bool loaded_weights = false;
    if (!loaded_weights) {
        nnet::load_weights_from_txt<bn_scale_t, 1>(s3, "s3.txt");
        nnet::load_weights_from_txt<bn_bias_t, 1>(b3, "b3.txt");
        nnet::load_weights_from_txt<conv1_weight_t, 144>(w4, "w4.txt");
        nnet::load_weights_from_txt<bias4_t, 16>(b4, "b4.txt");
        nnet::load_weights_from_txt<conv2_weight_t, 1536>(w7, "w7.txt");
        nnet::load_weights_from_txt<bias7_t, 32>(b7, "b7.txt");
        nnet::load_weights_from_txt<mu_weight_t, 1536>(w11, "w11.txt");
        nnet::load_weights_from_txt<mu_bias_t, 8>(b11, "b11.txt");
        nnet::load_weights_from_txt<logvar_weight_t, 1536>(w12, "w12.txt");
        nnet::load_weights_from_txt<logvar_bias_t, 8>(b12, "b12.txt");
        loaded_weights = true;    }
#endif
    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    layer2_t layer2_out[20*3*1];
    #pragma HLS ARRAY_PARTITION variable=layer2_out complete dim=0

    layer3_t layer3_out[20*3*1];
    #pragma HLS ARRAY_PARTITION variable=layer3_out complete dim=0

    layer4_t layer4_out[20*3*16];
    #pragma HLS ARRAY_PARTITION variable=layer4_out complete dim=0

    layer5_t layer5_out[20*3*16];
    #pragma HLS ARRAY_PARTITION variable=layer5_out complete dim=0

    layer6_t layer6_out[6*3*16];
    #pragma HLS ARRAY_PARTITION variable=layer6_out complete dim=0

    layer7_t layer7_out[6*3*32];
    #pragma HLS ARRAY_PARTITION variable=layer7_out complete dim=0

    layer8_t layer8_out[6*3*32];
    #pragma HLS ARRAY_PARTITION variable=layer8_out complete dim=0

    layer9_t layer9_out[2*3*32];
    #pragma HLS ARRAY_PARTITION variable=layer9_out complete dim=0

    auto& layer10_out = layer9_out;
    nnet::zeropad2d_cl<input_t, layer2_t, config2>(inp, layer2_out); // zp

    nnet::normalize<layer2_t, layer3_t, config3>(layer2_out, layer3_out, s3, b3); // bn

    nnet::conv_2d_cl<layer3_t, layer4_t, config4>(layer3_out, layer4_out, w4, b4); // conv1

    nnet::relu<layer4_t, layer5_t, relu_config5>(layer4_out, layer5_out); // relu1

    nnet::pooling2d_cl<layer5_t, layer6_t, config6>(layer5_out, layer6_out); // pool1

    nnet::conv_2d_cl<layer6_t, layer7_t, config7>(layer6_out, layer7_out, w7, b7); // conv2

    nnet::relu<layer7_t, layer8_t, relu_config8>(layer7_out, layer8_out); // relu2

    nnet::pooling2d_cl<layer8_t, layer9_t, config9>(layer8_out, layer9_out); // pool2

    nnet::dense<layer9_t, layer11_t, config11>(layer10_out, layer11_out, w11, b11); // mu

    nnet::dense<layer9_t, layer12_t, config12>(layer10_out, layer12_out, w12, b12); // logvar

}

