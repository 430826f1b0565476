//Numpy array shape [3, 4]
//Min -0.816753983498
//Max 0.848965644836
//Number of zeros 0

#ifndef W6_H_
#define W6_H_

namespace l1t {

_4_weight_t w6[12] = {0.107, -0.208, 0.479, -0.600, 0.310, -0.817, -0.464, 0.643, -0.441, 0.849, 0.437, 0.259};

}


#endif
