#include <iostream>

#include "myproject.h"
#include "parameters.h"


void myproject(
    hls::stream<input_t> &inp,
    hls::stream<layer11_t> &layer11_out, hls::stream<layer12_t> &layer12_out
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS INTERFACE axis port=inp,layer11_out,layer12_out 
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

    hls::stream<layer2_t> layer2_out("layer2_out");
    #pragma HLS STREAM variable=layer2_out depth=60

    hls::stream<layer3_t> layer3_out("layer3_out");
    #pragma HLS STREAM variable=layer3_out depth=60

    hls::stream<layer14_t> layer14_out("layer14_out");
    #pragma HLS STREAM variable=layer14_out depth=110

    hls::stream<layer4_t> layer4_out("layer4_out");
    #pragma HLS STREAM variable=layer4_out depth=60

    hls::stream<layer5_t> layer5_out("layer5_out");
    #pragma HLS STREAM variable=layer5_out depth=60

    hls::stream<layer6_t> layer6_out("layer6_out");
    #pragma HLS STREAM variable=layer6_out depth=18

    hls::stream<layer15_t> layer15_out("layer15_out");
    #pragma HLS STREAM variable=layer15_out depth=24

    hls::stream<layer7_t> layer7_out("layer7_out");
    #pragma HLS STREAM variable=layer7_out depth=18

    hls::stream<layer8_t> layer8_out("layer8_out");
    #pragma HLS STREAM variable=layer8_out depth=18

    hls::stream<layer9_t> layer9_out("layer9_out");
    #pragma HLS STREAM variable=layer9_out depth=6

    auto& layer10_out = layer9_out;
    hls::stream<layer9_t> layer13_cpy1("layer13_cpy1");
    #pragma HLS STREAM variable=layer13_cpy1 depth=1

    hls::stream<layer9_t> layer13_cpy2("layer13_cpy2");
    #pragma HLS STREAM variable=layer13_cpy2 depth=1

    nnet::zeropad2d_cl<input_t, layer2_t, config2>(inp, layer2_out); // zp

    nnet::normalize<layer2_t, layer3_t, config3>(layer2_out, layer3_out, s3, b3); // bn

    nnet::zeropad2d_cl<layer3_t, layer14_t, config14>(layer3_out, layer14_out); // zp2d_conv1

    nnet::conv_2d_cl<layer14_t, layer4_t, config4>(layer14_out, layer4_out, w4, b4); // conv1

    nnet::relu<layer4_t, layer5_t, relu_config5>(layer4_out, layer5_out); // relu1

    nnet::pooling2d_cl<layer5_t, layer6_t, config6>(layer5_out, layer6_out); // pool1

    nnet::zeropad2d_cl<layer6_t, layer15_t, config15>(layer6_out, layer15_out); // zp2d_conv2

    nnet::conv_2d_cl<layer15_t, layer7_t, config7>(layer15_out, layer7_out, w7, b7); // conv2

    nnet::relu<layer7_t, layer8_t, relu_config8>(layer7_out, layer8_out); // relu2

    nnet::pooling2d_cl<layer8_t, layer9_t, config9>(layer8_out, layer9_out); // pool2

    nnet::clone_stream<layer9_t, layer9_t, 192>(layer10_out, layer13_cpy1, layer13_cpy2); // clone_flat

    nnet::dense<layer9_t, layer11_t, config11>(layer13_cpy1, layer11_out, w11, b11); // mu

    nnet::dense<layer9_t, layer12_t, config12>(layer13_cpy2, layer12_out, w12, b12); // logvar

}

