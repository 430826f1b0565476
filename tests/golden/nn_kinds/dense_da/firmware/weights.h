#ifndef WEIGHTS_H_
#define WEIGHTS_H_
#include "defines.h"

#endif
