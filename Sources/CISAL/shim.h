// Intel ISA-L from Debian's libisal-dev, for S3's CRC32C checksums (crc32_iscsi, vectorised).
#include <isa-l/crc.h>
