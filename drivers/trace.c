// SPDX-License-Identifier: GPL-2.0
/* kitt's trace events are defined here, once (include/kitt/trace.h). */
#define CREATE_TRACE_POINTS
#include "kitt/trace.h"
