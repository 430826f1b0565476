//Numpy array shape [6]
//Min -0.479358673096
//Max 0.237025916576
//Number of zeros 0

#ifndef B7_H_
#define B7_H_

enc_fc3_bias_t b7[6] = {-0.4683833122, 0.0659164786, -0.4793586731, 0.2370259166, -0.1851583123, -0.2994445562};


#endif
