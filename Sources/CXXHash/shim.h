// xxHash from Debian's libxxhash-dev, for S3's XXHASH64, XXHASH3 and XXHASH128 checksums.
#include <xxhash.h>
