/* libvigil.h — the shared library's API is CVigil's vigil.h; this target adds nothing to it. */
#include "../../CVigil/include/vigil.h"
