// SQLite 3 from Debian's libsqlite3-dev, for the host's state store.
#include <sqlite3.h>
