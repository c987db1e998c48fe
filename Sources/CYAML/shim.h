// libyaml from Debian's libyaml-dev, for KMS's seed file (the YAML library Yams wraps).
#include <yaml.h>
