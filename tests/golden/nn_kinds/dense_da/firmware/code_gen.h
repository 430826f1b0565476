#ifndef CODE_GEN_H_
#define CODE_GEN_H_
#include "defines.h"
namespace dense_da_code {
using nnet::bit_shift;
template <typename inp_t, typename out_t>
void dense_da_1(inp_t inp[4], out_t out[3]) {
    #pragma HLS INLINE
    // ======== Latency: 1 ========
    ap_fixed<10, 4> v0 = bit_shift<-1>(inp[0]) - bit_shift<-3>(inp[1]);
    ap_ufixed<8, 2> v1 = bit_shift<-2>(inp[2]) + inp[3];
    ap_fixed<12, 6, AP_RND, AP_SAT> v2 = -bit_shift<2>(v0) + bit_shift<-4>(v1) + ap_ufixed<1, -1>(0.25);
    ap_fixed<9, 3, AP_RND_CONV, AP_SAT> v3 = v0 * v1 - ap_fixed<3, 0>(-0.375);
    ap_fixed<10, 5> v4 = -bit_shift<1>(inp[1]) - bit_shift<-5>(v2) + ap_fixed<1, -2>(-0.125);
    out[0] = v2;
    out[1] = v3 + v4;
    out[2] = bit_shift<-1>(v4);
}

template <typename inp_t, typename out_t>
void dense_da_2(inp_t inp[3], out_t out[2]) {
    #pragma HLS INLINE
    // ======== Latency: 1 ========
    ap_fixed<9, 4> v0 = bit_shift<-1>(inp[0]) + bit_shift<-2>(inp[1]) - inp[2];
    ap_fixed<8, 3, AP_RND, AP_SAT> v1 = -bit_shift<1>(v0) + ap_ufixed<2, 0>(0.75);
    out[0] = v1;
    out[1] = v0 - bit_shift<-3>(inp[2]);
}
}
#endif
