#ifndef NNET_INSTR_GEN_H_
#define NNET_INSTR_GEN_H_

#include "nnet_conv1d_latency.h"
#include "nnet_helpers.h"

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_function_stubs.h"
#include "nnet_mult.h"

namespace nnet {

template <class data_T, class res_T, typename CONFIG_T> class PointwiseConv1D {
  public:
    static void pointwise_conv(data_T data[CONFIG_T::in_width * CONFIG_T::n_chan],
                               res_T res[CONFIG_T::out_width * CONFIG_T::n_filt],
                               typename CONFIG_T::weight_t weights[CONFIG_T::n_chan * CONFIG_T::n_filt],
                               typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
        // To be implemented in subclasses
    }
};

// hls4ml insert code
template<class data_T, typename CONFIG_T>
class fill_buffer_4 : public nnet::FillConv2DBuffer<data_T, CONFIG_T> {
    public:
    static void fill_buffer(
        data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
        data_T buffer[CONFIG_T::n_pixels][CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan],
        const unsigned partition
    ) {
        if (partition ==   0) {
            buffer[0][0] =          0; buffer[0][1] =          0; buffer[0][2] =          0; buffer[0][3] =          0; buffer[0][4] =    data[0]; buffer[0][5] =    data[1]; buffer[0][6] =          0; buffer[0][7] =    data[3]; buffer[0][8] =    data[4];

        }
        if (partition ==   1) {
            buffer[0][0] =          0; buffer[0][1] =          0; buffer[0][2] =          0; buffer[0][3] =    data[0]; buffer[0][4] =    data[1]; buffer[0][5] =    data[2]; buffer[0][6] =    data[3]; buffer[0][7] =    data[4]; buffer[0][8] =    data[5];

        }
        if (partition ==   2) {
            buffer[0][0] =          0; buffer[0][1] =          0; buffer[0][2] =          0; buffer[0][3] =    data[1]; buffer[0][4] =    data[2]; buffer[0][5] =          0; buffer[0][6] =    data[4]; buffer[0][7] =    data[5]; buffer[0][8] =          0;

        }
        if (partition ==   3) {
            buffer[0][0] =          0; buffer[0][1] =    data[0]; buffer[0][2] =    data[1]; buffer[0][3] =          0; buffer[0][4] =    data[3]; buffer[0][5] =    data[4]; buffer[0][6] =          0; buffer[0][7] =    data[6]; buffer[0][8] =    data[7];

        }
        if (partition ==   4) {
            buffer[0][0] =    data[0]; buffer[0][1] =    data[1]; buffer[0][2] =    data[2]; buffer[0][3] =    data[3]; buffer[0][4] =    data[4]; buffer[0][5] =    data[5]; buffer[0][6] =    data[6]; buffer[0][7] =    data[7]; buffer[0][8] =    data[8];

        }
        if (partition ==   5) {
            buffer[0][0] =    data[1]; buffer[0][1] =    data[2]; buffer[0][2] =          0; buffer[0][3] =    data[4]; buffer[0][4] =    data[5]; buffer[0][5] =          0; buffer[0][6] =    data[7]; buffer[0][7] =    data[8]; buffer[0][8] =          0;

        }
        if (partition ==   6) {
            buffer[0][0] =          0; buffer[0][1] =    data[3]; buffer[0][2] =    data[4]; buffer[0][3] =          0; buffer[0][4] =    data[6]; buffer[0][5] =    data[7]; buffer[0][6] =          0; buffer[0][7] =    data[9]; buffer[0][8] =   data[10];

        }
        if (partition ==   7) {
            buffer[0][0] =    data[3]; buffer[0][1] =    data[4]; buffer[0][2] =    data[5]; buffer[0][3] =    data[6]; buffer[0][4] =    data[7]; buffer[0][5] =    data[8]; buffer[0][6] =    data[9]; buffer[0][7] =   data[10]; buffer[0][8] =   data[11];

        }
        if (partition ==   8) {
            buffer[0][0] =    data[4]; buffer[0][1] =    data[5]; buffer[0][2] =          0; buffer[0][3] =    data[7]; buffer[0][4] =    data[8]; buffer[0][5] =          0; buffer[0][6] =   data[10]; buffer[0][7] =   data[11]; buffer[0][8] =          0;

        }
        if (partition ==   9) {
            buffer[0][0] =          0; buffer[0][1] =    data[6]; buffer[0][2] =    data[7]; buffer[0][3] =          0; buffer[0][4] =    data[9]; buffer[0][5] =   data[10]; buffer[0][6] =          0; buffer[0][7] =   data[12]; buffer[0][8] =   data[13];

        }
        if (partition ==  10) {
            buffer[0][0] =    data[6]; buffer[0][1] =    data[7]; buffer[0][2] =    data[8]; buffer[0][3] =    data[9]; buffer[0][4] =   data[10]; buffer[0][5] =   data[11]; buffer[0][6] =   data[12]; buffer[0][7] =   data[13]; buffer[0][8] =   data[14];

        }
        if (partition ==  11) {
            buffer[0][0] =    data[7]; buffer[0][1] =    data[8]; buffer[0][2] =          0; buffer[0][3] =   data[10]; buffer[0][4] =   data[11]; buffer[0][5] =          0; buffer[0][6] =   data[13]; buffer[0][7] =   data[14]; buffer[0][8] =          0;

        }
        if (partition ==  12) {
            buffer[0][0] =          0; buffer[0][1] =    data[9]; buffer[0][2] =   data[10]; buffer[0][3] =          0; buffer[0][4] =   data[12]; buffer[0][5] =   data[13]; buffer[0][6] =          0; buffer[0][7] =   data[15]; buffer[0][8] =   data[16];

        }
        if (partition ==  13) {
            buffer[0][0] =    data[9]; buffer[0][1] =   data[10]; buffer[0][2] =   data[11]; buffer[0][3] =   data[12]; buffer[0][4] =   data[13]; buffer[0][5] =   data[14]; buffer[0][6] =   data[15]; buffer[0][7] =   data[16]; buffer[0][8] =   data[17];

        }
        if (partition ==  14) {
            buffer[0][0] =   data[10]; buffer[0][1] =   data[11]; buffer[0][2] =          0; buffer[0][3] =   data[13]; buffer[0][4] =   data[14]; buffer[0][5] =          0; buffer[0][6] =   data[16]; buffer[0][7] =   data[17]; buffer[0][8] =          0;

        }
        if (partition ==  15) {
            buffer[0][0] =          0; buffer[0][1] =   data[12]; buffer[0][2] =   data[13]; buffer[0][3] =          0; buffer[0][4] =   data[15]; buffer[0][5] =   data[16]; buffer[0][6] =          0; buffer[0][7] =   data[18]; buffer[0][8] =   data[19];

        }
        if (partition ==  16) {
            buffer[0][0] =   data[12]; buffer[0][1] =   data[13]; buffer[0][2] =   data[14]; buffer[0][3] =   data[15]; buffer[0][4] =   data[16]; buffer[0][5] =   data[17]; buffer[0][6] =   data[18]; buffer[0][7] =   data[19]; buffer[0][8] =   data[20];

        }
        if (partition ==  17) {
            buffer[0][0] =   data[13]; buffer[0][1] =   data[14]; buffer[0][2] =          0; buffer[0][3] =   data[16]; buffer[0][4] =   data[17]; buffer[0][5] =          0; buffer[0][6] =   data[19]; buffer[0][7] =   data[20]; buffer[0][8] =          0;

        }
        if (partition ==  18) {
            buffer[0][0] =          0; buffer[0][1] =   data[15]; buffer[0][2] =   data[16]; buffer[0][3] =          0; buffer[0][4] =   data[18]; buffer[0][5] =   data[19]; buffer[0][6] =          0; buffer[0][7] =   data[21]; buffer[0][8] =   data[22];

        }
        if (partition ==  19) {
            buffer[0][0] =   data[15]; buffer[0][1] =   data[16]; buffer[0][2] =   data[17]; buffer[0][3] =   data[18]; buffer[0][4] =   data[19]; buffer[0][5] =   data[20]; buffer[0][6] =   data[21]; buffer[0][7] =   data[22]; buffer[0][8] =   data[23];

        }
        if (partition ==  20) {
            buffer[0][0] =   data[16]; buffer[0][1] =   data[17]; buffer[0][2] =          0; buffer[0][3] =   data[19]; buffer[0][4] =   data[20]; buffer[0][5] =          0; buffer[0][6] =   data[22]; buffer[0][7] =   data[23]; buffer[0][8] =          0;

        }
        if (partition ==  21) {
            buffer[0][0] =          0; buffer[0][1] =   data[18]; buffer[0][2] =   data[19]; buffer[0][3] =          0; buffer[0][4] =   data[21]; buffer[0][5] =   data[22]; buffer[0][6] =          0; buffer[0][7] =   data[24]; buffer[0][8] =   data[25];

        }
        if (partition ==  22) {
            buffer[0][0] =   data[18]; buffer[0][1] =   data[19]; buffer[0][2] =   data[20]; buffer[0][3] =   data[21]; buffer[0][4] =   data[22]; buffer[0][5] =   data[23]; buffer[0][6] =   data[24]; buffer[0][7] =   data[25]; buffer[0][8] =   data[26];

        }
        if (partition ==  23) {
            buffer[0][0] =   data[19]; buffer[0][1] =   data[20]; buffer[0][2] =          0; buffer[0][3] =   data[22]; buffer[0][4] =   data[23]; buffer[0][5] =          0; buffer[0][6] =   data[25]; buffer[0][7] =   data[26]; buffer[0][8] =          0;

        }
        if (partition ==  24) {
            buffer[0][0] =          0; buffer[0][1] =   data[21]; buffer[0][2] =   data[22]; buffer[0][3] =          0; buffer[0][4] =   data[24]; buffer[0][5] =   data[25]; buffer[0][6] =          0; buffer[0][7] =   data[27]; buffer[0][8] =   data[28];

        }
        if (partition ==  25) {
            buffer[0][0] =   data[21]; buffer[0][1] =   data[22]; buffer[0][2] =   data[23]; buffer[0][3] =   data[24]; buffer[0][4] =   data[25]; buffer[0][5] =   data[26]; buffer[0][6] =   data[27]; buffer[0][7] =   data[28]; buffer[0][8] =   data[29];

        }
        if (partition ==  26) {
            buffer[0][0] =   data[22]; buffer[0][1] =   data[23]; buffer[0][2] =          0; buffer[0][3] =   data[25]; buffer[0][4] =   data[26]; buffer[0][5] =          0; buffer[0][6] =   data[28]; buffer[0][7] =   data[29]; buffer[0][8] =          0;

        }
        if (partition ==  27) {
            buffer[0][0] =          0; buffer[0][1] =   data[24]; buffer[0][2] =   data[25]; buffer[0][3] =          0; buffer[0][4] =   data[27]; buffer[0][5] =   data[28]; buffer[0][6] =          0; buffer[0][7] =   data[30]; buffer[0][8] =   data[31];

        }
        if (partition ==  28) {
            buffer[0][0] =   data[24]; buffer[0][1] =   data[25]; buffer[0][2] =   data[26]; buffer[0][3] =   data[27]; buffer[0][4] =   data[28]; buffer[0][5] =   data[29]; buffer[0][6] =   data[30]; buffer[0][7] =   data[31]; buffer[0][8] =   data[32];

        }
        if (partition ==  29) {
            buffer[0][0] =   data[25]; buffer[0][1] =   data[26]; buffer[0][2] =          0; buffer[0][3] =   data[28]; buffer[0][4] =   data[29]; buffer[0][5] =          0; buffer[0][6] =   data[31]; buffer[0][7] =   data[32]; buffer[0][8] =          0;

        }
        if (partition ==  30) {
            buffer[0][0] =          0; buffer[0][1] =   data[27]; buffer[0][2] =   data[28]; buffer[0][3] =          0; buffer[0][4] =   data[30]; buffer[0][5] =   data[31]; buffer[0][6] =          0; buffer[0][7] =   data[33]; buffer[0][8] =   data[34];

        }
        if (partition ==  31) {
            buffer[0][0] =   data[27]; buffer[0][1] =   data[28]; buffer[0][2] =   data[29]; buffer[0][3] =   data[30]; buffer[0][4] =   data[31]; buffer[0][5] =   data[32]; buffer[0][6] =   data[33]; buffer[0][7] =   data[34]; buffer[0][8] =   data[35];

        }
        if (partition ==  32) {
            buffer[0][0] =   data[28]; buffer[0][1] =   data[29]; buffer[0][2] =          0; buffer[0][3] =   data[31]; buffer[0][4] =   data[32]; buffer[0][5] =          0; buffer[0][6] =   data[34]; buffer[0][7] =   data[35]; buffer[0][8] =          0;

        }
        if (partition ==  33) {
            buffer[0][0] =          0; buffer[0][1] =   data[30]; buffer[0][2] =   data[31]; buffer[0][3] =          0; buffer[0][4] =   data[33]; buffer[0][5] =   data[34]; buffer[0][6] =          0; buffer[0][7] =   data[36]; buffer[0][8] =   data[37];

        }
        if (partition ==  34) {
            buffer[0][0] =   data[30]; buffer[0][1] =   data[31]; buffer[0][2] =   data[32]; buffer[0][3] =   data[33]; buffer[0][4] =   data[34]; buffer[0][5] =   data[35]; buffer[0][6] =   data[36]; buffer[0][7] =   data[37]; buffer[0][8] =   data[38];

        }
        if (partition ==  35) {
            buffer[0][0] =   data[31]; buffer[0][1] =   data[32]; buffer[0][2] =          0; buffer[0][3] =   data[34]; buffer[0][4] =   data[35]; buffer[0][5] =          0; buffer[0][6] =   data[37]; buffer[0][7] =   data[38]; buffer[0][8] =          0;

        }
        if (partition ==  36) {
            buffer[0][0] =          0; buffer[0][1] =   data[33]; buffer[0][2] =   data[34]; buffer[0][3] =          0; buffer[0][4] =   data[36]; buffer[0][5] =   data[37]; buffer[0][6] =          0; buffer[0][7] =   data[39]; buffer[0][8] =   data[40];

        }
        if (partition ==  37) {
            buffer[0][0] =   data[33]; buffer[0][1] =   data[34]; buffer[0][2] =   data[35]; buffer[0][3] =   data[36]; buffer[0][4] =   data[37]; buffer[0][5] =   data[38]; buffer[0][6] =   data[39]; buffer[0][7] =   data[40]; buffer[0][8] =   data[41];

        }
        if (partition ==  38) {
            buffer[0][0] =   data[34]; buffer[0][1] =   data[35]; buffer[0][2] =          0; buffer[0][3] =   data[37]; buffer[0][4] =   data[38]; buffer[0][5] =          0; buffer[0][6] =   data[40]; buffer[0][7] =   data[41]; buffer[0][8] =          0;

        }
        if (partition ==  39) {
            buffer[0][0] =          0; buffer[0][1] =   data[36]; buffer[0][2] =   data[37]; buffer[0][3] =          0; buffer[0][4] =   data[39]; buffer[0][5] =   data[40]; buffer[0][6] =          0; buffer[0][7] =   data[42]; buffer[0][8] =   data[43];

        }
        if (partition ==  40) {
            buffer[0][0] =   data[36]; buffer[0][1] =   data[37]; buffer[0][2] =   data[38]; buffer[0][3] =   data[39]; buffer[0][4] =   data[40]; buffer[0][5] =   data[41]; buffer[0][6] =   data[42]; buffer[0][7] =   data[43]; buffer[0][8] =   data[44];

        }
        if (partition ==  41) {
            buffer[0][0] =   data[37]; buffer[0][1] =   data[38]; buffer[0][2] =          0; buffer[0][3] =   data[40]; buffer[0][4] =   data[41]; buffer[0][5] =          0; buffer[0][6] =   data[43]; buffer[0][7] =   data[44]; buffer[0][8] =          0;

        }
        if (partition ==  42) {
            buffer[0][0] =          0; buffer[0][1] =   data[39]; buffer[0][2] =   data[40]; buffer[0][3] =          0; buffer[0][4] =   data[42]; buffer[0][5] =   data[43]; buffer[0][6] =          0; buffer[0][7] =   data[45]; buffer[0][8] =   data[46];

        }
        if (partition ==  43) {
            buffer[0][0] =   data[39]; buffer[0][1] =   data[40]; buffer[0][2] =   data[41]; buffer[0][3] =   data[42]; buffer[0][4] =   data[43]; buffer[0][5] =   data[44]; buffer[0][6] =   data[45]; buffer[0][7] =   data[46]; buffer[0][8] =   data[47];

        }
        if (partition ==  44) {
            buffer[0][0] =   data[40]; buffer[0][1] =   data[41]; buffer[0][2] =          0; buffer[0][3] =   data[43]; buffer[0][4] =   data[44]; buffer[0][5] =          0; buffer[0][6] =   data[46]; buffer[0][7] =   data[47]; buffer[0][8] =          0;

        }
        if (partition ==  45) {
            buffer[0][0] =          0; buffer[0][1] =   data[42]; buffer[0][2] =   data[43]; buffer[0][3] =          0; buffer[0][4] =   data[45]; buffer[0][5] =   data[46]; buffer[0][6] =          0; buffer[0][7] =   data[48]; buffer[0][8] =   data[49];

        }
        if (partition ==  46) {
            buffer[0][0] =   data[42]; buffer[0][1] =   data[43]; buffer[0][2] =   data[44]; buffer[0][3] =   data[45]; buffer[0][4] =   data[46]; buffer[0][5] =   data[47]; buffer[0][6] =   data[48]; buffer[0][7] =   data[49]; buffer[0][8] =   data[50];

        }
        if (partition ==  47) {
            buffer[0][0] =   data[43]; buffer[0][1] =   data[44]; buffer[0][2] =          0; buffer[0][3] =   data[46]; buffer[0][4] =   data[47]; buffer[0][5] =          0; buffer[0][6] =   data[49]; buffer[0][7] =   data[50]; buffer[0][8] =          0;

        }
        if (partition ==  48) {
            buffer[0][0] =          0; buffer[0][1] =   data[45]; buffer[0][2] =   data[46]; buffer[0][3] =          0; buffer[0][4] =   data[48]; buffer[0][5] =   data[49]; buffer[0][6] =          0; buffer[0][7] =   data[51]; buffer[0][8] =   data[52];

        }
        if (partition ==  49) {
            buffer[0][0] =   data[45]; buffer[0][1] =   data[46]; buffer[0][2] =   data[47]; buffer[0][3] =   data[48]; buffer[0][4] =   data[49]; buffer[0][5] =   data[50]; buffer[0][6] =   data[51]; buffer[0][7] =   data[52]; buffer[0][8] =   data[53];

        }
        if (partition ==  50) {
            buffer[0][0] =   data[46]; buffer[0][1] =   data[47]; buffer[0][2] =          0; buffer[0][3] =   data[49]; buffer[0][4] =   data[50]; buffer[0][5] =          0; buffer[0][6] =   data[52]; buffer[0][7] =   data[53]; buffer[0][8] =          0;

        }
        if (partition ==  51) {
            buffer[0][0] =          0; buffer[0][1] =   data[48]; buffer[0][2] =   data[49]; buffer[0][3] =          0; buffer[0][4] =   data[51]; buffer[0][5] =   data[52]; buffer[0][6] =          0; buffer[0][7] =   data[54]; buffer[0][8] =   data[55];

        }
        if (partition ==  52) {
            buffer[0][0] =   data[48]; buffer[0][1] =   data[49]; buffer[0][2] =   data[50]; buffer[0][3] =   data[51]; buffer[0][4] =   data[52]; buffer[0][5] =   data[53]; buffer[0][6] =   data[54]; buffer[0][7] =   data[55]; buffer[0][8] =   data[56];

        }
        if (partition ==  53) {
            buffer[0][0] =   data[49]; buffer[0][1] =   data[50]; buffer[0][2] =          0; buffer[0][3] =   data[52]; buffer[0][4] =   data[53]; buffer[0][5] =          0; buffer[0][6] =   data[55]; buffer[0][7] =   data[56]; buffer[0][8] =          0;

        }
        if (partition ==  54) {
            buffer[0][0] =          0; buffer[0][1] =   data[51]; buffer[0][2] =   data[52]; buffer[0][3] =          0; buffer[0][4] =   data[54]; buffer[0][5] =   data[55]; buffer[0][6] =          0; buffer[0][7] =   data[57]; buffer[0][8] =   data[58];

        }
        if (partition ==  55) {
            buffer[0][0] =   data[51]; buffer[0][1] =   data[52]; buffer[0][2] =   data[53]; buffer[0][3] =   data[54]; buffer[0][4] =   data[55]; buffer[0][5] =   data[56]; buffer[0][6] =   data[57]; buffer[0][7] =   data[58]; buffer[0][8] =   data[59];

        }
        if (partition ==  56) {
            buffer[0][0] =   data[52]; buffer[0][1] =   data[53]; buffer[0][2] =          0; buffer[0][3] =   data[55]; buffer[0][4] =   data[56]; buffer[0][5] =          0; buffer[0][6] =   data[58]; buffer[0][7] =   data[59]; buffer[0][8] =          0;

        }
        if (partition ==  57) {
            buffer[0][0] =          0; buffer[0][1] =   data[54]; buffer[0][2] =   data[55]; buffer[0][3] =          0; buffer[0][4] =   data[57]; buffer[0][5] =   data[58]; buffer[0][6] =          0; buffer[0][7] =          0; buffer[0][8] =          0;

        }
        if (partition ==  58) {
            buffer[0][0] =   data[54]; buffer[0][1] =   data[55]; buffer[0][2] =   data[56]; buffer[0][3] =   data[57]; buffer[0][4] =   data[58]; buffer[0][5] =   data[59]; buffer[0][6] =          0; buffer[0][7] =          0; buffer[0][8] =          0;

        }
        if (partition ==  59) {
            buffer[0][0] =   data[55]; buffer[0][1] =   data[56]; buffer[0][2] =          0; buffer[0][3] =   data[58]; buffer[0][4] =   data[59]; buffer[0][5] =          0; buffer[0][6] =          0; buffer[0][7] =          0; buffer[0][8] =          0;

        }
    }
};
template<class data_T, typename CONFIG_T>
class fill_buffer_7 : public nnet::FillConv2DBuffer<data_T, CONFIG_T> {
    public:
    static void fill_buffer(
        data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
        data_T buffer[CONFIG_T::n_pixels][CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan],
        const unsigned partition
    ) {
        if (partition ==   0) {
            buffer[0][0] =          0; buffer[0][1] =          0; buffer[0][2] =          0; buffer[0][3] =          0; buffer[0][4] =          0; buffer[0][5] =          0; buffer[0][6] =          0; buffer[0][7] =          0; buffer[0][8] =          0; buffer[0][9] =          0; buffer[0][10] =          0; buffer[0][11] =          0; buffer[0][12] =          0; buffer[0][13] =          0; buffer[0][14] =          0; buffer[0][15] =          0; buffer[0][16] =    data[0]; buffer[0][17] =    data[1]; buffer[0][18] =    data[2]; buffer[0][19] =    data[3]; buffer[0][20] =    data[4]; buffer[0][21] =    data[5]; buffer[0][22] =    data[6]; buffer[0][23] =    data[7]; buffer[0][24] =    data[8]; buffer[0][25] =    data[9]; buffer[0][26] =   data[10]; buffer[0][27] =   data[11]; buffer[0][28] =   data[12]; buffer[0][29] =   data[13]; buffer[0][30] =   data[14]; buffer[0][31] =   data[15]; buffer[0][32] =   data[48]; buffer[0][33] =   data[49]; buffer[0][34] =   data[50]; buffer[0][35] =   data[51]; buffer[0][36] =   data[52]; buffer[0][37] =   data[53]; buffer[0][38] =   data[54]; buffer[0][39] =   data[55]; buffer[0][40] =   data[56]; buffer[0][41] =   data[57]; buffer[0][42] =   data[58]; buffer[0][43] =   data[59]; buffer[0][44] =   data[60]; buffer[0][45] =   data[61]; buffer[0][46] =   data[62]; buffer[0][47] =   data[63];

        }
        if (partition ==   1) {
            buffer[0][0] =          0; buffer[0][1] =          0; buffer[0][2] =          0; buffer[0][3] =          0; buffer[0][4] =          0; buffer[0][5] =          0; buffer[0][6] =          0; buffer[0][7] =          0; buffer[0][8] =          0; buffer[0][9] =          0; buffer[0][10] =          0; buffer[0][11] =          0; buffer[0][12] =          0; buffer[0][13] =          0; buffer[0][14] =          0; buffer[0][15] =          0; buffer[0][16] =   data[16]; buffer[0][17] =   data[17]; buffer[0][18] =   data[18]; buffer[0][19] =   data[19]; buffer[0][20] =   data[20]; buffer[0][21] =   data[21]; buffer[0][22] =   data[22]; buffer[0][23] =   data[23]; buffer[0][24] =   data[24]; buffer[0][25] =   data[25]; buffer[0][26] =   data[26]; buffer[0][27] =   data[27]; buffer[0][28] =   data[28]; buffer[0][29] =   data[29]; buffer[0][30] =   data[30]; buffer[0][31] =   data[31]; buffer[0][32] =   data[64]; buffer[0][33] =   data[65]; buffer[0][34] =   data[66]; buffer[0][35] =   data[67]; buffer[0][36] =   data[68]; buffer[0][37] =   data[69]; buffer[0][38] =   data[70]; buffer[0][39] =   data[71]; buffer[0][40] =   data[72]; buffer[0][41] =   data[73]; buffer[0][42] =   data[74]; buffer[0][43] =   data[75]; buffer[0][44] =   data[76]; buffer[0][45] =   data[77]; buffer[0][46] =   data[78]; buffer[0][47] =   data[79];

        }
        if (partition ==   2) {
            buffer[0][0] =          0; buffer[0][1] =          0; buffer[0][2] =          0; buffer[0][3] =          0; buffer[0][4] =          0; buffer[0][5] =          0; buffer[0][6] =          0; buffer[0][7] =          0; buffer[0][8] =          0; buffer[0][9] =          0; buffer[0][10] =          0; buffer[0][11] =          0; buffer[0][12] =          0; buffer[0][13] =          0; buffer[0][14] =          0; buffer[0][15] =          0; buffer[0][16] =   data[32]; buffer[0][17] =   data[33]; buffer[0][18] =   data[34]; buffer[0][19] =   data[35]; buffer[0][20] =   data[36]; buffer[0][21] =   data[37]; buffer[0][22] =   data[38]; buffer[0][23] =   data[39]; buffer[0][24] =   data[40]; buffer[0][25] =   data[41]; buffer[0][26] =   data[42]; buffer[0][27] =   data[43]; buffer[0][28] =   data[44]; buffer[0][29] =   data[45]; buffer[0][30] =   data[46]; buffer[0][31] =   data[47]; buffer[0][32] =   data[80]; buffer[0][33] =   data[81]; buffer[0][34] =   data[82]; buffer[0][35] =   data[83]; buffer[0][36] =   data[84]; buffer[0][37] =   data[85]; buffer[0][38] =   data[86]; buffer[0][39] =   data[87]; buffer[0][40] =   data[88]; buffer[0][41] =   data[89]; buffer[0][42] =   data[90]; buffer[0][43] =   data[91]; buffer[0][44] =   data[92]; buffer[0][45] =   data[93]; buffer[0][46] =   data[94]; buffer[0][47] =   data[95];

        }
        if (partition ==   3) {
            buffer[0][0] =    data[0]; buffer[0][1] =    data[1]; buffer[0][2] =    data[2]; buffer[0][3] =    data[3]; buffer[0][4] =    data[4]; buffer[0][5] =    data[5]; buffer[0][6] =    data[6]; buffer[0][7] =    data[7]; buffer[0][8] =    data[8]; buffer[0][9] =    data[9]; buffer[0][10] =   data[10]; buffer[0][11] =   data[11]; buffer[0][12] =   data[12]; buffer[0][13] =   data[13]; buffer[0][14] =   data[14]; buffer[0][15] =   data[15]; buffer[0][16] =   data[48]; buffer[0][17] =   data[49]; buffer[0][18] =   data[50]; buffer[0][19] =   data[51]; buffer[0][20] =   data[52]; buffer[0][21] =   data[53]; buffer[0][22] =   data[54]; buffer[0][23] =   data[55]; buffer[0][24] =   data[56]; buffer[0][25] =   data[57]; buffer[0][26] =   data[58]; buffer[0][27] =   data[59]; buffer[0][28] =   data[60]; buffer[0][29] =   data[61]; buffer[0][30] =   data[62]; buffer[0][31] =   data[63]; buffer[0][32] =   data[96]; buffer[0][33] =   data[97]; buffer[0][34] =   data[98]; buffer[0][35] =   data[99]; buffer[0][36] =  data[100]; buffer[0][37] =  data[101]; buffer[0][38] =  data[102]; buffer[0][39] =  data[103]; buffer[0][40] =  data[104]; buffer[0][41] =  data[105]; buffer[0][42] =  data[106]; buffer[0][43] =  data[107]; buffer[0][44] =  data[108]; buffer[0][45] =  data[109]; buffer[0][46] =  data[110]; buffer[0][47] =  data[111];

        }
        if (partition ==   4) {
            buffer[0][0] =   data[16]; buffer[0][1] =   data[17]; buffer[0][2] =   data[18]; buffer[0][3] =   data[19]; buffer[0][4] =   data[20]; buffer[0][5] =   data[21]; buffer[0][6] =   data[22]; buffer[0][7] =   data[23]; buffer[0][8] =   data[24]; buffer[0][9] =   data[25]; buffer[0][10] =   data[26]; buffer[0][11] =   data[27]; buffer[0][12] =   data[28]; buffer[0][13] =   data[29]; buffer[0][14] =   data[30]; buffer[0][15] =   data[31]; buffer[0][16] =   data[64]; buffer[0][17] =   data[65]; buffer[0][18] =   data[66]; buffer[0][19] =   data[67]; buffer[0][20] =   data[68]; buffer[0][21] =   data[69]; buffer[0][22] =   data[70]; buffer[0][23] =   data[71]; buffer[0][24] =   data[72]; buffer[0][25] =   data[73]; buffer[0][26] =   data[74]; buffer[0][27] =   data[75]; buffer[0][28] =   data[76]; buffer[0][29] =   data[77]; buffer[0][30] =   data[78]; buffer[0][31] =   data[79]; buffer[0][32] =  data[112]; buffer[0][33] =  data[113]; buffer[0][34] =  data[114]; buffer[0][35] =  data[115]; buffer[0][36] =  data[116]; buffer[0][37] =  data[117]; buffer[0][38] =  data[118]; buffer[0][39] =  data[119]; buffer[0][40] =  data[120]; buffer[0][41] =  data[121]; buffer[0][42] =  data[122]; buffer[0][43] =  data[123]; buffer[0][44] =  data[124]; buffer[0][45] =  data[125]; buffer[0][46] =  data[126]; buffer[0][47] =  data[127];

        }
        if (partition ==   5) {
            buffer[0][0] =   data[32]; buffer[0][1] =   data[33]; buffer[0][2] =   data[34]; buffer[0][3] =   data[35]; buffer[0][4] =   data[36]; buffer[0][5] =   data[37]; buffer[0][6] =   data[38]; buffer[0][7] =   data[39]; buffer[0][8] =   data[40]; buffer[0][9] =   data[41]; buffer[0][10] =   data[42]; buffer[0][11] =   data[43]; buffer[0][12] =   data[44]; buffer[0][13] =   data[45]; buffer[0][14] =   data[46]; buffer[0][15] =   data[47]; buffer[0][16] =   data[80]; buffer[0][17] =   data[81]; buffer[0][18] =   data[82]; buffer[0][19] =   data[83]; buffer[0][20] =   data[84]; buffer[0][21] =   data[85]; buffer[0][22] =   data[86]; buffer[0][23] =   data[87]; buffer[0][24] =   data[88]; buffer[0][25] =   data[89]; buffer[0][26] =   data[90]; buffer[0][27] =   data[91]; buffer[0][28] =   data[92]; buffer[0][29] =   data[93]; buffer[0][30] =   data[94]; buffer[0][31] =   data[95]; buffer[0][32] =  data[128]; buffer[0][33] =  data[129]; buffer[0][34] =  data[130]; buffer[0][35] =  data[131]; buffer[0][36] =  data[132]; buffer[0][37] =  data[133]; buffer[0][38] =  data[134]; buffer[0][39] =  data[135]; buffer[0][40] =  data[136]; buffer[0][41] =  data[137]; buffer[0][42] =  data[138]; buffer[0][43] =  data[139]; buffer[0][44] =  data[140]; buffer[0][45] =  data[141]; buffer[0][46] =  data[142]; buffer[0][47] =  data[143];

        }
        if (partition ==   6) {
            buffer[0][0] =   data[48]; buffer[0][1] =   data[49]; buffer[0][2] =   data[50]; buffer[0][3] =   data[51]; buffer[0][4] =   data[52]; buffer[0][5] =   data[53]; buffer[0][6] =   data[54]; buffer[0][7] =   data[55]; buffer[0][8] =   data[56]; buffer[0][9] =   data[57]; buffer[0][10] =   data[58]; buffer[0][11] =   data[59]; buffer[0][12] =   data[60]; buffer[0][13] =   data[61]; buffer[0][14] =   data[62]; buffer[0][15] =   data[63]; buffer[0][16] =   data[96]; buffer[0][17] =   data[97]; buffer[0][18] =   data[98]; buffer[0][19] =   data[99]; buffer[0][20] =  data[100]; buffer[0][21] =  data[101]; buffer[0][22] =  data[102]; buffer[0][23] =  data[103]; buffer[0][24] =  data[104]; buffer[0][25] =  data[105]; buffer[0][26] =  data[106]; buffer[0][27] =  data[107]; buffer[0][28] =  data[108]; buffer[0][29] =  data[109]; buffer[0][30] =  data[110]; buffer[0][31] =  data[111]; buffer[0][32] =  data[144]; buffer[0][33] =  data[145]; buffer[0][34] =  data[146]; buffer[0][35] =  data[147]; buffer[0][36] =  data[148]; buffer[0][37] =  data[149]; buffer[0][38] =  data[150]; buffer[0][39] =  data[151]; buffer[0][40] =  data[152]; buffer[0][41] =  data[153]; buffer[0][42] =  data[154]; buffer[0][43] =  data[155]; buffer[0][44] =  data[156]; buffer[0][45] =  data[157]; buffer[0][46] =  data[158]; buffer[0][47] =  data[159];

        }
        if (partition ==   7) {
            buffer[0][0] =   data[64]; buffer[0][1] =   data[65]; buffer[0][2] =   data[66]; buffer[0][3] =   data[67]; buffer[0][4] =   data[68]; buffer[0][5] =   data[69]; buffer[0][6] =   data[70]; buffer[0][7] =   data[71]; buffer[0][8] =   data[72]; buffer[0][9] =   data[73]; buffer[0][10] =   data[74]; buffer[0][11] =   data[75]; buffer[0][12] =   data[76]; buffer[0][13] =   data[77]; buffer[0][14] =   data[78]; buffer[0][15] =   data[79]; buffer[0][16] =  data[112]; buffer[0][17] =  data[113]; buffer[0][18] =  data[114]; buffer[0][19] =  data[115]; buffer[0][20] =  data[116]; buffer[0][21] =  data[117]; buffer[0][22] =  data[118]; buffer[0][23] =  data[119]; buffer[0][24] =  data[120]; buffer[0][25] =  data[121]; buffer[0][26] =  data[122]; buffer[0][27] =  data[123]; buffer[0][28] =  data[124]; buffer[0][29] =  data[125]; buffer[0][30] =  data[126]; buffer[0][31] =  data[127]; buffer[0][32] =  data[160]; buffer[0][33] =  data[161]; buffer[0][34] =  data[162]; buffer[0][35] =  data[163]; buffer[0][36] =  data[164]; buffer[0][37] =  data[165]; buffer[0][38] =  data[166]; buffer[0][39] =  data[167]; buffer[0][40] =  data[168]; buffer[0][41] =  data[169]; buffer[0][42] =  data[170]; buffer[0][43] =  data[171]; buffer[0][44] =  data[172]; buffer[0][45] =  data[173]; buffer[0][46] =  data[174]; buffer[0][47] =  data[175];

        }
        if (partition ==   8) {
            buffer[0][0] =   data[80]; buffer[0][1] =   data[81]; buffer[0][2] =   data[82]; buffer[0][3] =   data[83]; buffer[0][4] =   data[84]; buffer[0][5] =   data[85]; buffer[0][6] =   data[86]; buffer[0][7] =   data[87]; buffer[0][8] =   data[88]; buffer[0][9] =   data[89]; buffer[0][10] =   data[90]; buffer[0][11] =   data[91]; buffer[0][12] =   data[92]; buffer[0][13] =   data[93]; buffer[0][14] =   data[94]; buffer[0][15] =   data[95]; buffer[0][16] =  data[128]; buffer[0][17] =  data[129]; buffer[0][18] =  data[130]; buffer[0][19] =  data[131]; buffer[0][20] =  data[132]; buffer[0][21] =  data[133]; buffer[0][22] =  data[134]; buffer[0][23] =  data[135]; buffer[0][24] =  data[136]; buffer[0][25] =  data[137]; buffer[0][26] =  data[138]; buffer[0][27] =  data[139]; buffer[0][28] =  data[140]; buffer[0][29] =  data[141]; buffer[0][30] =  data[142]; buffer[0][31] =  data[143]; buffer[0][32] =  data[176]; buffer[0][33] =  data[177]; buffer[0][34] =  data[178]; buffer[0][35] =  data[179]; buffer[0][36] =  data[180]; buffer[0][37] =  data[181]; buffer[0][38] =  data[182]; buffer[0][39] =  data[183]; buffer[0][40] =  data[184]; buffer[0][41] =  data[185]; buffer[0][42] =  data[186]; buffer[0][43] =  data[187]; buffer[0][44] =  data[188]; buffer[0][45] =  data[189]; buffer[0][46] =  data[190]; buffer[0][47] =  data[191];

        }
        if (partition ==   9) {
            buffer[0][0] =   data[96]; buffer[0][1] =   data[97]; buffer[0][2] =   data[98]; buffer[0][3] =   data[99]; buffer[0][4] =  data[100]; buffer[0][5] =  data[101]; buffer[0][6] =  data[102]; buffer[0][7] =  data[103]; buffer[0][8] =  data[104]; buffer[0][9] =  data[105]; buffer[0][10] =  data[106]; buffer[0][11] =  data[107]; buffer[0][12] =  data[108]; buffer[0][13] =  data[109]; buffer[0][14] =  data[110]; buffer[0][15] =  data[111]; buffer[0][16] =  data[144]; buffer[0][17] =  data[145]; buffer[0][18] =  data[146]; buffer[0][19] =  data[147]; buffer[0][20] =  data[148]; buffer[0][21] =  data[149]; buffer[0][22] =  data[150]; buffer[0][23] =  data[151]; buffer[0][24] =  data[152]; buffer[0][25] =  data[153]; buffer[0][26] =  data[154]; buffer[0][27] =  data[155]; buffer[0][28] =  data[156]; buffer[0][29] =  data[157]; buffer[0][30] =  data[158]; buffer[0][31] =  data[159]; buffer[0][32] =  data[192]; buffer[0][33] =  data[193]; buffer[0][34] =  data[194]; buffer[0][35] =  data[195]; buffer[0][36] =  data[196]; buffer[0][37] =  data[197]; buffer[0][38] =  data[198]; buffer[0][39] =  data[199]; buffer[0][40] =  data[200]; buffer[0][41] =  data[201]; buffer[0][42] =  data[202]; buffer[0][43] =  data[203]; buffer[0][44] =  data[204]; buffer[0][45] =  data[205]; buffer[0][46] =  data[206]; buffer[0][47] =  data[207];

        }
        if (partition ==  10) {
            buffer[0][0] =  data[112]; buffer[0][1] =  data[113]; buffer[0][2] =  data[114]; buffer[0][3] =  data[115]; buffer[0][4] =  data[116]; buffer[0][5] =  data[117]; buffer[0][6] =  data[118]; buffer[0][7] =  data[119]; buffer[0][8] =  data[120]; buffer[0][9] =  data[121]; buffer[0][10] =  data[122]; buffer[0][11] =  data[123]; buffer[0][12] =  data[124]; buffer[0][13] =  data[125]; buffer[0][14] =  data[126]; buffer[0][15] =  data[127]; buffer[0][16] =  data[160]; buffer[0][17] =  data[161]; buffer[0][18] =  data[162]; buffer[0][19] =  data[163]; buffer[0][20] =  data[164]; buffer[0][21] =  data[165]; buffer[0][22] =  data[166]; buffer[0][23] =  data[167]; buffer[0][24] =  data[168]; buffer[0][25] =  data[169]; buffer[0][26] =  data[170]; buffer[0][27] =  data[171]; buffer[0][28] =  data[172]; buffer[0][29] =  data[173]; buffer[0][30] =  data[174]; buffer[0][31] =  data[175]; buffer[0][32] =  data[208]; buffer[0][33] =  data[209]; buffer[0][34] =  data[210]; buffer[0][35] =  data[211]; buffer[0][36] =  data[212]; buffer[0][37] =  data[213]; buffer[0][38] =  data[214]; buffer[0][39] =  data[215]; buffer[0][40] =  data[216]; buffer[0][41] =  data[217]; buffer[0][42] =  data[218]; buffer[0][43] =  data[219]; buffer[0][44] =  data[220]; buffer[0][45] =  data[221]; buffer[0][46] =  data[222]; buffer[0][47] =  data[223];

        }
        if (partition ==  11) {
            buffer[0][0] =  data[128]; buffer[0][1] =  data[129]; buffer[0][2] =  data[130]; buffer[0][3] =  data[131]; buffer[0][4] =  data[132]; buffer[0][5] =  data[133]; buffer[0][6] =  data[134]; buffer[0][7] =  data[135]; buffer[0][8] =  data[136]; buffer[0][9] =  data[137]; buffer[0][10] =  data[138]; buffer[0][11] =  data[139]; buffer[0][12] =  data[140]; buffer[0][13] =  data[141]; buffer[0][14] =  data[142]; buffer[0][15] =  data[143]; buffer[0][16] =  data[176]; buffer[0][17] =  data[177]; buffer[0][18] =  data[178]; buffer[0][19] =  data[179]; buffer[0][20] =  data[180]; buffer[0][21] =  data[181]; buffer[0][22] =  data[182]; buffer[0][23] =  data[183]; buffer[0][24] =  data[184]; buffer[0][25] =  data[185]; buffer[0][26] =  data[186]; buffer[0][27] =  data[187]; buffer[0][28] =  data[188]; buffer[0][29] =  data[189]; buffer[0][30] =  data[190]; buffer[0][31] =  data[191]; buffer[0][32] =  data[224]; buffer[0][33] =  data[225]; buffer[0][34] =  data[226]; buffer[0][35] =  data[227]; buffer[0][36] =  data[228]; buffer[0][37] =  data[229]; buffer[0][38] =  data[230]; buffer[0][39] =  data[231]; buffer[0][40] =  data[232]; buffer[0][41] =  data[233]; buffer[0][42] =  data[234]; buffer[0][43] =  data[235]; buffer[0][44] =  data[236]; buffer[0][45] =  data[237]; buffer[0][46] =  data[238]; buffer[0][47] =  data[239];

        }
        if (partition ==  12) {
            buffer[0][0] =  data[144]; buffer[0][1] =  data[145]; buffer[0][2] =  data[146]; buffer[0][3] =  data[147]; buffer[0][4] =  data[148]; buffer[0][5] =  data[149]; buffer[0][6] =  data[150]; buffer[0][7] =  data[151]; buffer[0][8] =  data[152]; buffer[0][9] =  data[153]; buffer[0][10] =  data[154]; buffer[0][11] =  data[155]; buffer[0][12] =  data[156]; buffer[0][13] =  data[157]; buffer[0][14] =  data[158]; buffer[0][15] =  data[159]; buffer[0][16] =  data[192]; buffer[0][17] =  data[193]; buffer[0][18] =  data[194]; buffer[0][19] =  data[195]; buffer[0][20] =  data[196]; buffer[0][21] =  data[197]; buffer[0][22] =  data[198]; buffer[0][23] =  data[199]; buffer[0][24] =  data[200]; buffer[0][25] =  data[201]; buffer[0][26] =  data[202]; buffer[0][27] =  data[203]; buffer[0][28] =  data[204]; buffer[0][29] =  data[205]; buffer[0][30] =  data[206]; buffer[0][31] =  data[207]; buffer[0][32] =  data[240]; buffer[0][33] =  data[241]; buffer[0][34] =  data[242]; buffer[0][35] =  data[243]; buffer[0][36] =  data[244]; buffer[0][37] =  data[245]; buffer[0][38] =  data[246]; buffer[0][39] =  data[247]; buffer[0][40] =  data[248]; buffer[0][41] =  data[249]; buffer[0][42] =  data[250]; buffer[0][43] =  data[251]; buffer[0][44] =  data[252]; buffer[0][45] =  data[253]; buffer[0][46] =  data[254]; buffer[0][47] =  data[255];

        }
        if (partition ==  13) {
            buffer[0][0] =  data[160]; buffer[0][1] =  data[161]; buffer[0][2] =  data[162]; buffer[0][3] =  data[163]; buffer[0][4] =  data[164]; buffer[0][5] =  data[165]; buffer[0][6] =  data[166]; buffer[0][7] =  data[167]; buffer[0][8] =  data[168]; buffer[0][9] =  data[169]; buffer[0][10] =  data[170]; buffer[0][11] =  data[171]; buffer[0][12] =  data[172]; buffer[0][13] =  data[173]; buffer[0][14] =  data[174]; buffer[0][15] =  data[175]; buffer[0][16] =  data[208]; buffer[0][17] =  data[209]; buffer[0][18] =  data[210]; buffer[0][19] =  data[211]; buffer[0][20] =  data[212]; buffer[0][21] =  data[213]; buffer[0][22] =  data[214]; buffer[0][23] =  data[215]; buffer[0][24] =  data[216]; buffer[0][25] =  data[217]; buffer[0][26] =  data[218]; buffer[0][27] =  data[219]; buffer[0][28] =  data[220]; buffer[0][29] =  data[221]; buffer[0][30] =  data[222]; buffer[0][31] =  data[223]; buffer[0][32] =  data[256]; buffer[0][33] =  data[257]; buffer[0][34] =  data[258]; buffer[0][35] =  data[259]; buffer[0][36] =  data[260]; buffer[0][37] =  data[261]; buffer[0][38] =  data[262]; buffer[0][39] =  data[263]; buffer[0][40] =  data[264]; buffer[0][41] =  data[265]; buffer[0][42] =  data[266]; buffer[0][43] =  data[267]; buffer[0][44] =  data[268]; buffer[0][45] =  data[269]; buffer[0][46] =  data[270]; buffer[0][47] =  data[271];

        }
        if (partition ==  14) {
            buffer[0][0] =  data[176]; buffer[0][1] =  data[177]; buffer[0][2] =  data[178]; buffer[0][3] =  data[179]; buffer[0][4] =  data[180]; buffer[0][5] =  data[181]; buffer[0][6] =  data[182]; buffer[0][7] =  data[183]; buffer[0][8] =  data[184]; buffer[0][9] =  data[185]; buffer[0][10] =  data[186]; buffer[0][11] =  data[187]; buffer[0][12] =  data[188]; buffer[0][13] =  data[189]; buffer[0][14] =  data[190]; buffer[0][15] =  data[191]; buffer[0][16] =  data[224]; buffer[0][17] =  data[225]; buffer[0][18] =  data[226]; buffer[0][19] =  data[227]; buffer[0][20] =  data[228]; buffer[0][21] =  data[229]; buffer[0][22] =  data[230]; buffer[0][23] =  data[231]; buffer[0][24] =  data[232]; buffer[0][25] =  data[233]; buffer[0][26] =  data[234]; buffer[0][27] =  data[235]; buffer[0][28] =  data[236]; buffer[0][29] =  data[237]; buffer[0][30] =  data[238]; buffer[0][31] =  data[239]; buffer[0][32] =  data[272]; buffer[0][33] =  data[273]; buffer[0][34] =  data[274]; buffer[0][35] =  data[275]; buffer[0][36] =  data[276]; buffer[0][37] =  data[277]; buffer[0][38] =  data[278]; buffer[0][39] =  data[279]; buffer[0][40] =  data[280]; buffer[0][41] =  data[281]; buffer[0][42] =  data[282]; buffer[0][43] =  data[283]; buffer[0][44] =  data[284]; buffer[0][45] =  data[285]; buffer[0][46] =  data[286]; buffer[0][47] =  data[287];

        }
        if (partition ==  15) {
            buffer[0][0] =  data[192]; buffer[0][1] =  data[193]; buffer[0][2] =  data[194]; buffer[0][3] =  data[195]; buffer[0][4] =  data[196]; buffer[0][5] =  data[197]; buffer[0][6] =  data[198]; buffer[0][7] =  data[199]; buffer[0][8] =  data[200]; buffer[0][9] =  data[201]; buffer[0][10] =  data[202]; buffer[0][11] =  data[203]; buffer[0][12] =  data[204]; buffer[0][13] =  data[205]; buffer[0][14] =  data[206]; buffer[0][15] =  data[207]; buffer[0][16] =  data[240]; buffer[0][17] =  data[241]; buffer[0][18] =  data[242]; buffer[0][19] =  data[243]; buffer[0][20] =  data[244]; buffer[0][21] =  data[245]; buffer[0][22] =  data[246]; buffer[0][23] =  data[247]; buffer[0][24] =  data[248]; buffer[0][25] =  data[249]; buffer[0][26] =  data[250]; buffer[0][27] =  data[251]; buffer[0][28] =  data[252]; buffer[0][29] =  data[253]; buffer[0][30] =  data[254]; buffer[0][31] =  data[255]; buffer[0][32] =          0; buffer[0][33] =          0; buffer[0][34] =          0; buffer[0][35] =          0; buffer[0][36] =          0; buffer[0][37] =          0; buffer[0][38] =          0; buffer[0][39] =          0; buffer[0][40] =          0; buffer[0][41] =          0; buffer[0][42] =          0; buffer[0][43] =          0; buffer[0][44] =          0; buffer[0][45] =          0; buffer[0][46] =          0; buffer[0][47] =          0;

        }
        if (partition ==  16) {
            buffer[0][0] =  data[208]; buffer[0][1] =  data[209]; buffer[0][2] =  data[210]; buffer[0][3] =  data[211]; buffer[0][4] =  data[212]; buffer[0][5] =  data[213]; buffer[0][6] =  data[214]; buffer[0][7] =  data[215]; buffer[0][8] =  data[216]; buffer[0][9] =  data[217]; buffer[0][10] =  data[218]; buffer[0][11] =  data[219]; buffer[0][12] =  data[220]; buffer[0][13] =  data[221]; buffer[0][14] =  data[222]; buffer[0][15] =  data[223]; buffer[0][16] =  data[256]; buffer[0][17] =  data[257]; buffer[0][18] =  data[258]; buffer[0][19] =  data[259]; buffer[0][20] =  data[260]; buffer[0][21] =  data[261]; buffer[0][22] =  data[262]; buffer[0][23] =  data[263]; buffer[0][24] =  data[264]; buffer[0][25] =  data[265]; buffer[0][26] =  data[266]; buffer[0][27] =  data[267]; buffer[0][28] =  data[268]; buffer[0][29] =  data[269]; buffer[0][30] =  data[270]; buffer[0][31] =  data[271]; buffer[0][32] =          0; buffer[0][33] =          0; buffer[0][34] =          0; buffer[0][35] =          0; buffer[0][36] =          0; buffer[0][37] =          0; buffer[0][38] =          0; buffer[0][39] =          0; buffer[0][40] =          0; buffer[0][41] =          0; buffer[0][42] =          0; buffer[0][43] =          0; buffer[0][44] =          0; buffer[0][45] =          0; buffer[0][46] =          0; buffer[0][47] =          0;

        }
        if (partition ==  17) {
            buffer[0][0] =  data[224]; buffer[0][1] =  data[225]; buffer[0][2] =  data[226]; buffer[0][3] =  data[227]; buffer[0][4] =  data[228]; buffer[0][5] =  data[229]; buffer[0][6] =  data[230]; buffer[0][7] =  data[231]; buffer[0][8] =  data[232]; buffer[0][9] =  data[233]; buffer[0][10] =  data[234]; buffer[0][11] =  data[235]; buffer[0][12] =  data[236]; buffer[0][13] =  data[237]; buffer[0][14] =  data[238]; buffer[0][15] =  data[239]; buffer[0][16] =  data[272]; buffer[0][17] =  data[273]; buffer[0][18] =  data[274]; buffer[0][19] =  data[275]; buffer[0][20] =  data[276]; buffer[0][21] =  data[277]; buffer[0][22] =  data[278]; buffer[0][23] =  data[279]; buffer[0][24] =  data[280]; buffer[0][25] =  data[281]; buffer[0][26] =  data[282]; buffer[0][27] =  data[283]; buffer[0][28] =  data[284]; buffer[0][29] =  data[285]; buffer[0][30] =  data[286]; buffer[0][31] =  data[287]; buffer[0][32] =          0; buffer[0][33] =          0; buffer[0][34] =          0; buffer[0][35] =          0; buffer[0][36] =          0; buffer[0][37] =          0; buffer[0][38] =          0; buffer[0][39] =          0; buffer[0][40] =          0; buffer[0][41] =          0; buffer[0][42] =          0; buffer[0][43] =          0; buffer[0][44] =          0; buffer[0][45] =          0; buffer[0][46] =          0; buffer[0][47] =          0;

        }
    }
};

} // namespace nnet

#endif
