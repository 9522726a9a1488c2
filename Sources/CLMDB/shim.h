/* Exposes Debian's liblmdb (package liblmdb-dev, pkg-config `lmdb`) to Swift. */
#include <lmdb.h>
