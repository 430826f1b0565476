//Numpy array shape [4]
//Min -0.303209960461
//Max 0.328972101212
//Number of zeros 0

#ifndef B4_H_
#define B4_H_

namespace l1t {

_2_bias_t b4[4] = {-0.186, -0.303, -0.055, 0.329};

}


#endif
