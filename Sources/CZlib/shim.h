// zlib from Debian's zlib1g-dev, for S3's CRC32 checksums (crc32_z).
#include <zlib.h>
