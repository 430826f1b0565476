//Numpy array shape [3]
//Min -0.004341542721
//Max 0.211250245571
//Number of zeros 0

#ifndef B6_H_
#define B6_H_

namespace l1t {

_4_bias_t b6[3] = {0.211, 0.130, -0.004};

}


#endif
