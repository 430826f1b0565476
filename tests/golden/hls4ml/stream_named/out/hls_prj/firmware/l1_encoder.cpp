#include <iostream>

#include "l1_encoder.h"
#include "parameters.h"


void l1_encoder(
    hls::stream<input_t> &input_1,
    hls::stream<result_t> &layer8_out
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS INTERFACE axis port=input_1,layer8_out 
    #pragma HLS DATAFLOW

    // hls-fpga-machine-learning insert load weights

    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    hls::stream<enc_fc1_result_t> layer2_out("layer2_out");
    #pragma HLS STREAM variable=layer2_out depth=1

    hls::stream<layer3_t> layer3_out("layer3_out");
    #pragma HLS STREAM variable=layer3_out depth=1

    hls::stream<layer4_t> layer4_out("layer4_out");
    #pragma HLS STREAM variable=layer4_out depth=1

    hls::stream<enc_fc2_result_t> layer5_out("layer5_out");
    #pragma HLS STREAM variable=layer5_out depth=1

    hls::stream<layer6_t> layer6_out("layer6_out");
    #pragma HLS STREAM variable=layer6_out depth=1

    hls::stream<layer7_t> layer7_out("layer7_out");
    #pragma HLS STREAM variable=layer7_out depth=1

    nnet::dense<input_t, enc_fc1_result_t, config2>(input_1, layer2_out, w2, b2); // enc_fc1

    nnet::relu<enc_fc1_result_t, layer3_t, relu_config3>(layer2_out, layer3_out); // act_in

    nnet::normalize<layer3_t, layer4_t, config4>(layer3_out, layer4_out, s4, b4); // bn_free

    nnet::dense<layer4_t, enc_fc2_result_t, config5>(layer4_out, layer5_out, w5, b5); // enc_fc2

    nnet::leaky_relu<enc_fc2_result_t, lrelu_odd_param_t, layer6_t, leakyrelu_config6>(layer5_out, 0.137, layer6_out); // lrelu_odd

    nnet::dense<layer6_t, layer7_t, config7>(layer6_out, layer7_out, w7, b7); // enc_fc3

    nnet::sigmoid<layer7_t, result_t, sigmoid_config8>(layer7_out, layer8_out); // sig_out

}

