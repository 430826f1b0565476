//Numpy array shape [5]
//Min -0.385553777218
//Max 0.170478045940
//Number of zeros 0

#ifndef B2_H_
#define B2_H_

namespace l1t {

_0_bias_t b2[5] = {0.129, 0.047, -0.386, 0.170, -0.204};

}


#endif
