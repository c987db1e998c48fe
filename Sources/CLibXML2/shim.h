// libxml2 from Debian's libxml2-dev, for S3's XML request bodies (the library Foundation's XMLParser wraps).
#include <libxml/parser.h>
#include <libxml/tree.h>
