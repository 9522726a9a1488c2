/*
 * libvigil.c — the shared-library product's own target. It holds no code: the product VigilC (libvigil.so) links
 * CVigil through this target so that the linker flags which keep the Swift runtime out of the .so
 * (-nostartfiles, -static-stdlib; see BUILD-NOTES) apply to the .so alone. On CVigil itself they would also
 * apply to every Swift executable and test bundle that imports CVigil, which then fail to link or start.
 */
typedef int vigil_shared_library_unit; /* ISO C wants at least one declaration per translation unit */
