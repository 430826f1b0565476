#include <iostream>

#include "enc.h"
#include "parameters.h"


void enc(
    hls::stream<input_t> &input_1,
    hls::stream<result_t> &layer6_out
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS INTERFACE axis port=input_1,layer6_out 
    #pragma HLS DATAFLOW

    // hls-fpga-machine-learning insert load weights
#ifndef __SYNTHESIS__
    static bool loaded_weights = false;
    if (!loaded_weights) {
        nnet::load_weights_from_txt<model_default_t, 8>(s2, "s2.txt");
        nnet::load_weights_from_txt<model_default_t, 8>(b2, "b2.txt");
        nnet::load_weights_from_txt<model_default_t, 48>(w3, "w3.txt");
        nnet::load_weights_from_txt<model_default_t, 6>(b3, "b3.txt");
        nnet::load_weights_from_txt<model_default_t, 24>(w5, "w5.txt");
        nnet::load_weights_from_txt<model_default_t, 4>(b5, "b5.txt");
        loaded_weights = true;    }
#endif
    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    hls::stream<layer2_t> layer2_out("layer2_out");
    #pragma HLS STREAM variable=layer2_out depth=1

    hls::stream<layer3_t> layer3_out("layer3_out");
    #pragma HLS STREAM variable=layer3_out depth=1

    hls::stream<layer4_t> layer4_out("layer4_out");
    #pragma HLS STREAM variable=layer4_out depth=1

    hls::stream<layer5_t> layer5_out("layer5_out");
    #pragma HLS STREAM variable=layer5_out depth=1

    nnet::normalize<input_t, layer2_t, config2>(input_1, layer2_out, s2, b2); // _0

    nnet::dense<layer2_t, layer3_t, config3>(layer2_out, layer3_out, w3, b3); // _1

    nnet::leaky_relu<layer3_t, model_default_t, layer4_t, leakyrelu_config4>(layer3_out, 0.3141, layer4_out); // _2

    nnet::dense<layer4_t, layer5_t, config5>(layer4_out, layer5_out, w5, b5); // _3

    nnet::tanh<layer5_t, result_t, tanh_config6>(layer5_out, layer6_out); // _4

}

